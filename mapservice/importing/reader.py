"""Read CSV and XLSX files row by row, as French Excel writes them.

CSV: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "texte Unicode") or Windows-1252;
comma, semicolon or tab. XLSX: the first worksheet, read in streaming mode. Rows come out one
at a time with the row number a person sees in the spreadsheet (header = 1), so a huge file is
never held in memory; the caller stops reading past its row limit.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from mapservice.errors import ImportIssue, ImportRejected

_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Sheet:
    """The header and a generator of ``(row_number, values)`` for the data rows."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None
    delimiter: str | None
    close: Callable[[], None]


def _reject(message: str, expected: str, source: str, value: str | None = None) -> ImportRejected:
    return ImportRejected(
        issues=[ImportIssue(None, None, value, expected, message)], source=source
    )


def open_sheet(path: Path, *, max_bytes: int, source: str | None = None) -> Sheet:
    """Open ``path`` as a sheet of strings, or raise :class:`ImportRejected` saying why not."""
    source = source or path.name
    size = path.stat().st_size
    if size == 0:
        raise _reject("Le fichier est vide.", "un fichier CSV ou XLSX avec une ligne d'en-tête",
                      source)
    if size > max_bytes:
        raise _reject(
            f"Fichier trop volumineux : {size:,} octets (maximum {max_bytes:,}).".replace(",", " "),
            f"au plus {max_bytes} octets",
            source,
        )
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path, source)
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _reject(
            "Ancien format Excel (.xls) non pris en charge.",
            "un classeur .xlsx ou un fichier .csv (Enregistrer sous… CSV UTF-8)",
            source,
        )
    return _open_csv(path, head, source)


def _detect_encoding(path: Path, head: bytes) -> str:
    """Return UTF-16 (BOM), UTF-8 if the whole file decodes as such, else Windows-1252.

    The whole file is decoded in chunks, so a Windows-1252 accent on row 40,000 is seen too.
    """
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if b"\x00" in head:
        raise ValueError("nul")
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _open_csv(path: Path, head: bytes, source: str) -> Sheet:
    try:
        encoding = _detect_encoding(path, head)
    except ValueError:
        raise _reject(
            "Le fichier n'est pas un texte CSV lisible (octets nuls).",
            "un fichier CSV (UTF-8 ou Windows-1252) ou un classeur XLSX",
            source,
        ) from None
    sample = head.decode(encoding, errors="replace")
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise _reject(
            "Impossible de trouver le séparateur de colonnes dans la ligne d'en-tête.",
            "des colonnes séparées par « ; », « , » ou tabulation",
            source,
            first_line[:80],
        )

    def text_stream() -> io.TextIOWrapper:
        return io.TextIOWrapper(path.open("rb"), encoding=encoding, errors="strict", newline="")

    stream = text_stream()
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        stream.close()
        raise _reject("Le fichier est vide.", "une ligne d'en-tête", source) from None
    except UnicodeDecodeError:
        stream.close()
        raise _reject("Encodage illisible.", "UTF-8 ou Windows-1252", source) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            yield from enumerate(reader, start=2)
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                issues=[
                    ImportIssue(
                        reader.line_num + 1,
                        None,
                        repr(exc.object[exc.start : exc.end]),
                        f"du texte {encoding.replace('-sig', '')} valide dans tout le fichier",
                        "Caractère illisible : l'encodage change en cours de fichier.",
                    )
                ],
                source=source,
            ) from None
        except csv.Error as exc:
            raise ImportRejected(
                issues=[ImportIssue(reader.line_num, None, None, "un CSV bien formé", str(exc))],
                source=source,
            ) from None
        finally:
            stream.close()

    return Sheet(header=header, rows=rows(), encoding=encoding, delimiter=delimiter,
                 close=stream.close)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _open_xlsx(path: Path, source: str) -> Sheet:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # A file object, not the path: openpyxl judges a path by its extension, we by content.
        workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise _reject(
            f"Classeur XLSX illisible ({type(exc).__name__}).", "un classeur .xlsx valide", source
        ) from None
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(v) for v in next(values)]
    except StopIteration:
        workbook.close()
        raise _reject("La première feuille est vide.", "une ligne d'en-tête", source) from None
    while header and header[-1] == "":
        header.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(values, start=2):
                yield number, [_cell_text(v) for v in row[: len(header)]]
        finally:
            workbook.close()

    return Sheet(header=header, rows=rows(), encoding=None, delimiter=None,
                 close=workbook.close)
