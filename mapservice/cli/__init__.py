"""``mapservice …`` on the command line: one module per command group, thin over use cases."""

from mapservice.cli.language import speak_french

# Before any command module builds its options: click names its types (FICHIER) as they are made.
speak_french()

from mapservice.cli.main import main  # noqa: E402

__all__ = ["main"]
