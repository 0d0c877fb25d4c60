"""``mapservice …`` on the command line: one module per command group, thin over use cases."""

from mapservice.cli.main import main

__all__ = ["main"]
