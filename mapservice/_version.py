"""The package version, in a module of its own so that the API can name it without
importing the app factory."""

__version__ = "0.1.0"
