"""One sniffing step: what a file is, from its bytes, for the upload form and the importer."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from mapservice.importing.sniff import (
    OLE2_MAGIC,
    SNIFF_BYTES,
    Content,
    decoded,
    sniff,
    utf16_without_bom,
)


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "content"),
    [
        (b"entreprise;type\nA;offre\n", Content.TEXT),
        (codecs.BOM_UTF8 + "entreprise;matière\n".encode(), Content.TEXT),
        ("entreprise;matière\n".encode("cp1252"), Content.TEXT),
        ("entreprise\tmatière\n".encode("utf-16-le"), Content.TEXT),
        (codecs.BOM_UTF16_BE + "entreprise;matière\n".encode("utf-16-be"), Content.TEXT),
        (("a;b\n" + "é" * (SNIFF_BYTES // 2)).encode(), Content.TEXT),  # an é cut at the end
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, Content.BINARY),
        (OLE2_MAGIC + bytes(600), Content.OLD_EXCEL),
        (_zip("[Content_Types].xml", "xl/workbook.xml"), Content.WORKBOOK),
        (_zip("mimetype", "content.xml"), Content.OPENDOCUMENT),
        (_zip("notes.txt"), Content.ZIP),
        (_zip("[Content_Types].xml", "xl/workbook.xml")[:40], Content.BROKEN_ZIP),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "cp1252",
        "utf16-no-bom",
        "utf16be-bom",
        "cut-char",
        "png",
        "xls",
        "xlsx",
        "ods",
        "zip",
        "truncated-zip",
    ],
)
def test_sniff_tells_what_a_file_is(tmp_path, data, content):
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    assert sniff(path) is content
    assert content.zipped == data.startswith(b"PK")


def test_utf16_is_told_by_its_nul_bytes():
    assert utf16_without_bom("abc;def\n".encode("utf-16-le")) == "utf-16-le"
    assert utf16_without_bom("abc;def\n".encode("utf-16-be")) == "utf-16-be"
    assert utf16_without_bom(b"abc;def\n") is None
    assert decoded("é;à\n".encode("utf-16-le")) == "é;à\n"
