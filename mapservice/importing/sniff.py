"""What a spreadsheet file is, told from its bytes rather than from its name.

One sniffing step for every way a file comes in: the upload form checks that a ``.csv`` is
text and a ``.xlsx`` a workbook before keeping it (:mod:`mapservice.web.uploads`), and the
importer picks its reader by the same answer (:mod:`mapservice.importing.reader`).

Only the first :data:`SNIFF_BYTES` are read, and of a ZIP archive only its directory: nothing
is unpacked here.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from enum import StrEnum
from pathlib import Path

#: How much of a file is looked at to tell what it is.
SNIFF_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
#: .xls, and any password-protected workbook.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The parts every Excel workbook's archive holds.
WORKBOOK_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
#: Control characters text does not hold (tab, line breaks, form feed and DOS's end-of-file
#: mark aside).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")


class Content(StrEnum):
    """What a file's bytes are."""

    WORKBOOK = "xlsx"  # a ZIP archive holding an Excel workbook
    OPENDOCUMENT = "ods"  # a ZIP archive holding an OpenDocument spreadsheet
    ZIP = "zip"  # another ZIP archive
    BROKEN_ZIP = "broken-zip"  # starts as a ZIP archive, but its directory cannot be read
    OLD_EXCEL = "xls"  # an OLE2 file: an old .xls or a password-protected workbook
    TEXT = "text"
    BINARY = "binary"

    @property
    def zipped(self) -> bool:
        """Return whether the file starts as a ZIP archive."""
        return self in (Content.WORKBOOK, Content.OPENDOCUMENT, Content.ZIP, Content.BROKEN_ZIP)


def read_head(path: Path) -> bytes:
    """Return the first :data:`SNIFF_BYTES` of ``path``."""
    with path.open("rb") as fh:
        return fh.read(SNIFF_BYTES)


def sniff(path: Path, head: bytes | None = None) -> Content:
    """Return what ``path`` is; ``head`` is its :func:`read_head` when already read."""
    head = read_head(path) if head is None else head
    if head.startswith(OLE2_MAGIC):
        return Content.OLD_EXCEL
    if head.startswith(ZIP_MAGIC):
        return _archive(path)
    return Content.TEXT if _reads_as_text(head) else Content.BINARY


def _archive(path: Path) -> Content:
    try:
        # Only the archive's directory is read: nothing is unpacked here.
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return Content.BROKEN_ZIP
    if all(part in names for part in WORKBOOK_PARTS):
        return Content.WORKBOOK
    if "content.xml" in names and "mimetype" in names:
        return Content.OPENDOCUMENT
    return Content.ZIP


def _reads_as_text(head: bytes) -> bool:
    text = decoded(head)
    first_line = text.split("\n", 1)[0]
    controls = len(_CONTROL.findall(text))
    # A stray control character in a cell is the importer's to report, by row and column.
    return not (controls > 0.01 * len(text) or _CONTROL.search(first_line))


def utf16_without_bom(head: bytes) -> str | None:
    """Name the UTF-16 byte order of ``head`` when its NUL bytes say it is UTF-16 text.

    Mostly-Latin text in UTF-16 has a NUL in every other byte, on the high side of each code
    unit; random binary data has them anywhere.
    """
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if odd >= 0.3 * pairs and even <= 0.01 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.01 * pairs:
        return "utf-16-be"
    return None


def decoded(head: bytes) -> str:
    """``head`` as text in the first encoding the importer accepts that reads it whole, else
    in the likeliest one with the bytes it cannot read replaced."""
    codecs_to_try: tuple[str, ...] = ("utf-8", "cp1252")
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            codecs_to_try, head = (codec,), head[len(bom) :]
            break
    else:
        # UTF-16 without a mark (the importer's own test); NULs anywhere else are binary,
        # seen as control characters.
        utf16 = utf16_without_bom(head)
        if utf16 is not None:
            codecs_to_try = (utf16,)
    for codec in codecs_to_try:
        try:
            # Incremental: a character cut at the end of the sample is not an error.
            return codecs.getincrementaldecoder(codec)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
    # Text in a wrong or mixed encoding is still text: the importer names the line at fault.
    return codecs.getincrementaldecoder(codecs_to_try[-1])(errors="replace").decode(head)
