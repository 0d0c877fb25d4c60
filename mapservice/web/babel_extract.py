"""Messages that live in data files, found by ``make translations`` (see ``babel.cfg``).

The quality words' French labels (``data/materials/qualities.csv``) and the compatibility
rules' notes (``data/materials/compatibility.csv``, ``note_fr``; their ``note_en`` is the
catalogue's English) reach the pages as parameters of a candidate's reasons, and are said in
English through the catalogue like every other message. Without these extractors
``pybabel update`` would mark them obsolete.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO, Any


def _rows(fileobj: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row of a UTF-8 CSV file with its line number (the header is line 1)."""
    text = io.StringIO(fileobj.read().decode("utf-8"))
    return enumerate(csv.DictReader(text), start=2)


def quality_labels(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield each row's ``label_fr`` as a message (Babel's extraction method signature)."""
    for line, row in _rows(fileobj):
        label = (row.get("label_fr") or "").strip()
        if label:
            yield line, "_", label, [f"quality {row.get('key', '')} (qualities.csv)"]


def rule_notes(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield each compatibility rule's ``note_fr`` as a message (Babel's extraction method)."""
    for line, row in _rows(fileobj):
        note = (row.get("note_fr") or "").strip()
        if note:
            rule = f"{row.get('output_code', '')} → {row.get('input_code', '')}"
            yield line, "_", note, [f"rule {rule} (compatibility.csv)"]
