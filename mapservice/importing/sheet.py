"""A sheet being read: its header and rows, and the one-problem refusal its readers raise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mapservice.errors import ImportIssue, ImportRejected


@dataclass(frozen=True)
class Sheet:
    """The header and a generator of ``(row_number, values)`` for the data rows."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None
    delimiter: str | None
    close: Callable[[], None]


def reject(
    message: str, expected: str, source: str, value: str | None = None, row: int | None = None
) -> ImportRejected:
    """The refusal of a whole file for one problem, at ``row`` when there is one."""
    return ImportRejected(issues=[ImportIssue(row, None, value, expected, message)], source=source)


def spaced_thousands(n: int) -> str:
    """``n`` with its thousands set apart by spaces, as French writes them: 1 234 567."""
    return f"{n:,}".replace(",", " ")
