"""Read an XLSX workbook's first worksheet row by row; refuse zip bombs and non-workbooks."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mapservice.errors import ImportRejected, tr
from mapservice.importing.sheet import Sheet, reject, spaced_thousands

#: A workbook unpacks to at most this many times the largest file accepted. Real ones unpack
#: 10 to 20 times their size; a zip bomb, thousands.
XLSX_UNPACKED_PER_BYTE = 10
#: Past 1 MB unpacked, a workbook compressed more than this is a zip bomb, not a spreadsheet.
XLSX_MAX_RATIO = 100
#: Excel's own limits: columns A to IV (as in Excel 2003, ample for an import) and rows.
XLSX_MAX_COLUMNS = 256
XLSX_MAX_ROWS = 1_048_576


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
    return reject(
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
        raise reject(
            tr("Classeur OpenDocument (.ods) non pris en charge."),
            tr("un classeur .xlsx (LibreOffice : Enregistrer sous… Excel 2007-365)"),
            source,
        )
    if "[Content_Types].xml" not in names:
        raise reject(
            tr("Archive ZIP qui n'est pas un classeur Excel ([Content_Types].xml absent)."),
            tr("un classeur .xlsx"),
            source,
        )
    if any(i.flag_bits & 0x1 for i in infos):
        raise reject(tr("Archive chiffrée."), tr("un classeur .xlsx sans mot de passe"), source)
    unpacked = sum(i.file_size for i in infos)
    packed = max(path.stat().st_size, 1)
    limit = XLSX_UNPACKED_PER_BYTE * max_bytes
    if unpacked > limit or (unpacked > 1 << 20 and unpacked > XLSX_MAX_RATIO * packed):
        raise reject(
            tr(
                "Classeur anormalement comprimé : {unpacked} octets une fois décompressé "
                "pour {packed} octets.",
                unpacked=spaced_thousands(unpacked),
                packed=spaced_thousands(packed),
            ),
            tr(
                "au plus {packed} octets décompressés",
                packed=spaced_thousands(min(limit, XLSX_MAX_RATIO * packed)),
            ),
            source,
        )


def open_xlsx(path: Path, source: str, max_bytes: int) -> Sheet:
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
        raise reject(
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
            raise reject(tr("La première feuille est vide."), tr("une ligne d'en-tête"), source)
        raise reject(
            tr("La ligne 1 de la première feuille est vide."),
            tr("la ligne d'en-tête en ligne 1"),
            source,
            row=1,
        )
    width = len(header)
    if width > XLSX_MAX_COLUMNS:
        workbook.close()
        raise reject(
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
                    raise reject(
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
