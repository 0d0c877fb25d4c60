"""Read CSV and XLSX files row by row, as French Excel writes them.

CSV: UTF-8 (with or without BOM), UTF-16 (Excel's "texte Unicode", with or without BOM) or
Windows-1252; comma, semicolon or tab. XLSX: the first worksheet, read in streaming mode
(:mod:`mapservice.importing.xlsx_reader`). Rows come out one at a time with the row number a
person sees in the spreadsheet (header = 1), so a huge file is never held in memory; the caller
stops reading past its row limit.

Whatever the bytes, the only error that leaves here is :class:`ImportRejected`, saying what was
expected, what came and where: an uploaded file is someone else's input, and a malformed one
(a truncated workbook, a zip bomb, a text in an unknown encoding) is a refusal, not a crash.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from mapservice.errors import ImportIssue, ImportRejected, tr
from mapservice.importing.sheet import Sheet, reject, spaced_thousands
from mapservice.importing.sniff import Content, read_head, sniff, utf16_without_bom
from mapservice.importing.values import visible
from mapservice.importing.xlsx_reader import open_xlsx

_CSV_EXPECTED = tr("un CSV bien formé, chaque cellule entre guillemets refermée")


def open_sheet(path: Path, *, max_bytes: int, source: str | None = None) -> Sheet:
    """Open ``path`` as a sheet of strings, or raise :class:`ImportRejected` saying why not."""
    source = source or path.name
    size = path.stat().st_size
    if size == 0:
        raise reject(
            tr("Le fichier est vide."),
            tr("un fichier CSV ou XLSX avec une ligne d'en-tête"),
            source,
        )
    if size > max_bytes:
        raise reject(
            tr(
                "Fichier trop volumineux : {size} octets (maximum {max_bytes}).",
                size=spaced_thousands(size),
                max_bytes=spaced_thousands(max_bytes),
            ),
            tr("au plus {max_bytes} octets", max_bytes=spaced_thousands(max_bytes)),
            source,
        )
    head = read_head(path)
    content = sniff(path, head)
    if content.zipped:
        return open_xlsx(path, source, max_bytes)
    if content is Content.OLD_EXCEL:
        raise reject(
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
            raise reject(
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
        raise reject(
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
        raise reject(
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
    raise reject(
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
            limit=spaced_thousands(int(limit.group(1))),
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
        raise reject(
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
        return reject(
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
        raise reject(tr("Le fichier est vide."), tr("une ligne d'en-tête"), source) from None
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
