"""Read CSV and XLSX files row by row, as French Excel writes them.

CSV: UTF-8 (with or without BOM), UTF-16 (Excel's "texte Unicode", with or without BOM) or
Windows-1252; comma, semicolon or tab. XLSX: the first worksheet, read in streaming mode. Rows
come out one at a time with the row number a person sees in the spreadsheet (header = 1), so a
huge file is never held in memory; the caller stops reading past its row limit.

Whatever the bytes, the only error that leaves here is :class:`ImportRejected`, saying what was
expected, what came and where: an uploaded file is someone else's input, and a malformed one
(a truncated workbook, a zip bomb, a text in an unknown encoding) is a refusal, not a crash.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mapservice.errors import ImportIssue, ImportRejected, tr
from mapservice.importing.sniff import Content, read_head, sniff, utf16_without_bom
from mapservice.importing.values import visible

#: A workbook unpacks to at most this many times the largest file accepted. Real ones unpack
#: 10 to 20 times their size; a zip bomb, thousands.
XLSX_UNPACKED_PER_BYTE = 10
#: Past 1 MB unpacked, a workbook compressed more than this is a zip bomb, not a spreadsheet.
XLSX_MAX_RATIO = 100
#: Excel's own limits: columns A to IV (as in Excel 2003, ample for an import) and rows.
XLSX_MAX_COLUMNS = 256
XLSX_MAX_ROWS = 1_048_576
_CSV_EXPECTED = tr("un CSV bien formé, chaque cellule entre guillemets refermée")


@dataclass(frozen=True)
class Sheet:
    """The header and a generator of ``(row_number, values)`` for the data rows."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None
    delimiter: str | None
    close: Callable[[], None]


def _reject(
    message: str, expected: str, source: str, value: str | None = None, row: int | None = None
) -> ImportRejected:
    return ImportRejected(issues=[ImportIssue(row, None, value, expected, message)], source=source)


def open_sheet(path: Path, *, max_bytes: int, source: str | None = None) -> Sheet:
    """Open ``path`` as a sheet of strings, or raise :class:`ImportRejected` saying why not."""
    source = source or path.name
    size = path.stat().st_size
    if size == 0:
        raise _reject(
            tr("Le fichier est vide."),
            tr("un fichier CSV ou XLSX avec une ligne d'en-tête"),
            source,
        )
    if size > max_bytes:
        raise _reject(
            tr(
                "Fichier trop volumineux : {size} octets (maximum {max_bytes}).",
                size=_bytes(size),
                max_bytes=_bytes(max_bytes),
            ),
            tr("au plus {max_bytes} octets", max_bytes=_bytes(max_bytes)),
            source,
        )
    head = read_head(path)
    content = sniff(path, head)
    if content.zipped:
        return _open_xlsx(path, source, max_bytes)
    if content is Content.OLD_EXCEL:
        raise _reject(
            tr(
                "Ancien format Excel (.xls), ou classeur protégé par un mot de passe : non pris en "
                "charge."
            ),
            tr(
                "un classeur .xlsx sans mot de passe ou un fichier .csv (Enregistrer sous… CSV "
                "UTF-8)"
            ),
            source,
        )
    return _open_csv(path, head, source)


# --- CSV ----------------------------------------------------------------------------------------


def _first_bad_line(path: Path, codec: str, skip: int) -> tuple[int, bytes] | None:
    """Return the line number and the bytes of the first thing ``codec`` cannot decode.

    The whole file is decoded in chunks, so a Windows-1252 accent on row 40,000 is seen too.
    """
    decoder = codecs.getincrementaldecoder(codec)()
    line = 1
    with path.open("rb") as fh:
        fh.seek(skip)
        try:
            while chunk := fh.read(1 << 20):
                line += decoder.decode(chunk).count("\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            # The decoder reports positions in its pending bytes followed by the chunk.
            before = codecs.decode(exc.object[: exc.start], codec, errors="replace")
            return line + before.count("\n"), bytes(exc.object[exc.start : exc.end])
    return None


def _hex(data: bytes) -> str:
    return " ".join(f"0x{b:02X}" for b in data[:8])


def _detect_encoding(path: Path, head: bytes, source: str) -> str:
    """Return the codec to read ``path`` with, or raise naming the line it fails at."""
    boms = [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16", "UTF-16"),
    ]
    for bom, codec, reader_codec, label in boms:
        if head.startswith(bom):
            bad = _first_bad_line(path, codec, len(bom))
            if bad is None:
                return reader_codec
            raise _reject(
                tr(
                    "Caractère illisible ({bad}) : le fichier s'annonce en {label} "
                    "(indicateur d'ordre des octets en tête) mais ne l'est pas partout.",
                    bad=_hex(bad[1]),
                    label=label,
                ),
                tr("du texte {label} valide dans tout le fichier", label=label),
                source,
                _hex(bad[1]),
                bad[0],
            )
    utf16 = utf16_without_bom(head)
    if utf16 is not None:
        bad = _first_bad_line(path, utf16, 0)
        if bad is None:
            return utf16
        raise _reject(
            tr("Caractère illisible ({bad}) dans un texte UTF-16.", bad=_hex(bad[1])),
            tr("du texte UTF-16 valide dans tout le fichier"),
            source,
            _hex(bad[1]),
            bad[0],
        )
    nul = head.find(b"\x00")
    first_line_end = head.find(b"\n")
    if nul >= 0 and (
        head.count(0) > 0.01 * len(head) or first_line_end < 0 or nul < first_line_end
    ):
        # Binary: an image, a PDF, an archive. A stray NUL in a cell is left to the cell check,
        # which names its row and column.
        raise _reject(
            tr("Le fichier n'est pas un texte CSV lisible (octets nuls)."),
            tr("un fichier CSV (UTF-8 ou Windows-1252) ou un classeur XLSX"),
            source,
            "0x00",
            head.count(b"\n", 0, nul) + 1,
        )
    if _first_bad_line(path, "utf-8", 0) is None:
        return "utf-8"
    bad = _first_bad_line(path, "cp1252", 0)
    if bad is None:
        return "cp1252"
    raise _reject(
        tr("Encodage non reconnu : ni UTF-8 ni Windows-1252 (octet {bad}).", bad=_hex(bad[1])),
        tr("un CSV enregistré en UTF-8 (Excel : Enregistrer sous… CSV UTF-8)"),
        source,
        _hex(bad[1]),
        bad[0],
    )


_FIELD_LIMIT = re.compile(r"field larger than field limit \((\d+)\)")


def _csv_issue(exc: csv.Error, row: int) -> ImportIssue:
    """Say in French what the csv module found wrong, at the record it was reading."""
    text = str(exc)
    limit = _FIELD_LIMIT.search(text)
    if limit:
        message = tr(
            "Cellule de plus de {limit} caractères : un guillemet ouvert n'est sans "
            "doute jamais refermé.",
            limit=_bytes(int(limit.group(1))),
        )
    elif "unexpected end of data" in text:
        message = tr(
            "Guillemet ouvert jamais refermé : la cellule courrait jusqu'à la fin du fichier."
        )
    elif "expected after" in text:
        message = tr(
            "Texte collé après le guillemet fermant d'une cellule (un guillemet dans "
            'le texte s\'écrit "").'
        )
    else:
        message = tr("CSV mal formé ({text}).", text=text)
    return ImportIssue(row, None, None, _CSV_EXPECTED, message)


def _open_csv(path: Path, head: bytes, source: str) -> Sheet:
    encoding = _detect_encoding(path, head, source)
    sample = head.decode(encoding, errors="replace")
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise _reject(
            tr("Impossible de trouver le séparateur de colonnes dans la ligne d'en-tête."),
            tr("des colonnes séparées par « ; », « , » ou tabulation"),
            source,
            visible(first_line[:80]),
        )
    stream = io.TextIOWrapper(path.open("rb"), encoding=encoding, errors="strict", newline="")
    # strict: a stray character after a closing quote, or a quote never closed, is an error to
    # report, not a cell silently swallowing the rest of the file.
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    number = 1

    def fail(exc: Exception) -> ImportRejected:
        stream.close()
        if isinstance(exc, csv.Error):
            return ImportRejected(issues=[_csv_issue(exc, number)], source=source)
        # Only if the file changed since its encoding was checked.
        return _reject(
            tr("Caractère illisible : l'encodage change en cours de fichier."),
            tr(
                "du texte {encoding} valide dans tout le fichier",
                encoding=encoding.replace("-sig", ""),
            ),
            source,
            row=number,
        )

    try:
        header = next(reader)
    except StopIteration:
        stream.close()
        raise _reject(tr("Le fichier est vide."), tr("une ligne d'en-tête"), source) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise fail(exc) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        nonlocal number
        try:
            while True:
                number += 1
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except (csv.Error, UnicodeDecodeError) as exc:
                    raise fail(exc) from None
                yield number, values
        finally:
            stream.close()

    return Sheet(
        header=header, rows=rows(), encoding=encoding, delimiter=delimiter, close=stream.close
    )


# --- XLSX ---------------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _unreadable(exc: BaseException, source: str, row: int | None = None) -> ImportRejected:
    kind = type(exc).__name__
    return _reject(
        tr("Classeur XLSX illisible à la ligne {row} ({kind}).", row=row, kind=kind)
        if row is not None
        else tr("Classeur XLSX illisible ({kind}).", kind=kind),
        tr("un classeur .xlsx valide, enregistré par un tableur"),
        source,
        row=row,
    )


def _check_archive(path: Path, source: str, max_bytes: int) -> None:
    """Refuse a zip that is no workbook, or that would unpack to far more than it weighs."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    mimetype = part.read(100)
    except Exception as exc:  # noqa: BLE001 - any failure to list a zip means "not a zip"
        raise _unreadable(exc, source) from None
    if b"opendocument" in mimetype:
        raise _reject(
            tr("Classeur OpenDocument (.ods) non pris en charge."),
            tr("un classeur .xlsx (LibreOffice : Enregistrer sous… Excel 2007-365)"),
            source,
        )
    if "[Content_Types].xml" not in names:
        raise _reject(
            tr("Archive ZIP qui n'est pas un classeur Excel ([Content_Types].xml absent)."),
            tr("un classeur .xlsx"),
            source,
        )
    if any(i.flag_bits & 0x1 for i in infos):
        raise _reject(tr("Archive chiffrée."), tr("un classeur .xlsx sans mot de passe"), source)
    unpacked = sum(i.file_size for i in infos)
    packed = max(path.stat().st_size, 1)
    limit = XLSX_UNPACKED_PER_BYTE * max_bytes
    if unpacked > limit or (unpacked > 1 << 20 and unpacked > XLSX_MAX_RATIO * packed):
        raise _reject(
            tr(
                "Classeur anormalement comprimé : {unpacked} octets une fois décompressé "
                "pour {packed} octets.",
                unpacked=_bytes(unpacked),
                packed=_bytes(packed),
            ),
            tr(
                "au plus {packed} octets décompressés",
                packed=_bytes(min(limit, XLSX_MAX_RATIO * packed)),
            ),
            source,
        )


def _bytes(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _open_xlsx(path: Path, source: str, max_bytes: int) -> Sheet:
    from openpyxl import load_workbook

    _check_archive(path, source, max_bytes)
    try:
        # A file object, not the path: openpyxl judges a path by its extension, we by content.
        workbook = load_workbook(
            io.BytesIO(path.read_bytes()), read_only=True, data_only=True, keep_links=False
        )
    except Exception as exc:  # noqa: BLE001 - openpyxl raises anything on a malformed part
        raise _unreadable(exc, source) from None
    if not workbook.worksheets:
        workbook.close()
        raise _reject(
            tr("Le classeur n'a aucune feuille de calcul (graphiques seulement ?)."),
            tr("une première feuille avec une ligne d'en-tête"),
            source,
        )
    sheet = workbook.worksheets[0]
    # The <dimension> a file declares can be wrong: trusted, it silently drops the rows below
    # it, or pads every row to 16,384 columns. Read what is there instead.
    sheet.reset_dimensions()
    number = 1

    def next_row(values: Iterator[tuple[Any, ...]]) -> tuple[Any, ...] | None:
        # Cells are parsed as they are read: a malformed sheet fails here, on its row.
        try:
            return next(values)
        except StopIteration:
            return None
        except Exception as exc:  # noqa: BLE001 - see above
            workbook.close()
            raise _unreadable(exc, source, number) from None

    header = [_cell_text(v) for v in next_row(sheet.iter_rows(max_row=1, values_only=True)) or ()]
    while header and header[-1] == "":
        header.pop()
    if not header:
        below = sheet.iter_rows(min_row=2, max_row=100, max_col=XLSX_MAX_COLUMNS, values_only=True)
        empty = True
        while empty and (row := next_row(below)) is not None:
            empty = row.count(None) == len(row)
        workbook.close()
        if empty:
            raise _reject(tr("La première feuille est vide."), tr("une ligne d'en-tête"), source)
        raise _reject(
            tr("La ligne 1 de la première feuille est vide."),
            tr("la ligne d'en-tête en ligne 1"),
            source,
            row=1,
        )
    width = len(header)
    if width > XLSX_MAX_COLUMNS:
        workbook.close()
        raise _reject(
            tr("En-tête trop large : sa dernière colonne est la {width}e.", width=width),
            tr("des colonnes dans les {maximum} premières (A à IV)", maximum=XLSX_MAX_COLUMNS),
            source,
            row=1,
        )
    values = sheet.iter_rows(min_row=2, max_col=max(width, 1), values_only=True)

    def rows() -> Iterator[tuple[int, list[str]]]:
        nonlocal number
        try:
            while True:
                number += 1
                row = next_row(values)
                if row is None:
                    return
                if number > XLSX_MAX_ROWS:
                    raise _reject(
                        tr(
                            "Ligne {number} : au-delà de la dernière ligne d'une feuille Excel.",
                            number=number,
                        ),
                        tr("au plus {maximum} lignes", maximum=XLSX_MAX_ROWS),
                        source,
                        row=number,
                    )
                if row.count(None) == len(row):  # quick: a formatted sheet has a million
                    yield number, []
                    continue
                yield number, [_cell_text(v) for v in row[:width]]
        finally:
            workbook.close()

    return Sheet(header=header, rows=rows(), encoding=None, delimiter=None, close=workbook.close)
