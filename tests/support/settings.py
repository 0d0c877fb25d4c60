"""The reference data folder and the settings a test database runs with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mapservice.config import PROJECT_ROOT, finish_settings, load_settings

DATA_DIR = PROJECT_ROOT / "data"


def make_settings(tmp_path: Path, database_url: str, **extra: Any) -> dict[str, Any]:
    """The default settings over ``database_url``, the instance folder in ``tmp_path``."""
    settings = load_settings({})
    settings.update(
        DATABASE_URL=database_url,
        INSTANCE_PATH=str(tmp_path / "instance"),
        SECRET_KEY="test",
        DATA_DIR=str(DATA_DIR),
        **extra,
    )
    return finish_settings(settings)
