"""Spreadsheets uploaded for import, kept between the preview and the confirmation.

Each upload is written under ``<instance>/imports/`` as ``<token><ext>`` with a ``<token>.json``
beside it holding the name the person gave the file. The token is random (128 bits) and is the
only handle a page gets, so one person cannot confirm another's upload by guessing; any worker
process sharing the instance folder can find it. Uploads never confirmed are removed a day later.

The extension is not trusted: a ``.csv`` must read as text and a ``.xlsx`` must be a workbook
(a zip holding ``[Content_Types].xml`` and ``xl/workbook.xml``), or the file is refused
naming the ``file`` field and nothing stays on disk. The importer then reads every byte.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask_babel import gettext as _

from mapservice.errors import InvalidInput, NotFound
from mapservice.importing.sniff import Content, sniff
from mapservice.private_files import create_private
from mapservice.web.i18n import num

EXTENSIONS = (".csv", ".xlsx")
#: Unconfirmed uploads older than this are deleted when the next one arrives.
MAX_AGE_S = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_CHUNK = 1 << 16


class UploadTooLarge(InvalidInput):
    status = 413
    code = "upload_too_large"


@dataclass(frozen=True)
class Upload:
    token: str
    path: Path
    source: str  # the file's name on the uploader's computer


def folder(instance_path: str | Path) -> Path:
    return Path(instance_path) / "imports"


def source_name(filename: str | None) -> str:
    """The base name a browser sent (some send a whole Windows path), at most 200 chars."""
    name = re.split(r"[\\/]", filename or "")[-1].strip()
    return name[-200:]


def check_name(filename: str | None) -> str:
    """Return the upload's base name, or raise naming the ``file`` field."""
    name = source_name(filename)
    if not name:
        raise InvalidInput(_("Choisissez un fichier CSV ou XLSX à importer."), field="file")
    if Path(name).suffix.lower() not in EXTENSIONS:
        raise InvalidInput(
            _(
                "Format non pris en charge : « %(name)s ». Attendu : un fichier .csv ou .xlsx "
                "(dans Excel : Enregistrer sous… CSV UTF-8 ou Classeur Excel).",
                name=name,
            ),
            field="file",
        )
    return name


def too_large(max_bytes: int) -> UploadTooLarge:
    return UploadTooLarge(
        _("Fichier trop volumineux : au plus %(mb)s Mo.", mb=num(max_bytes / 2**20, 1)),
        field="file",
    )


def save(
    instance_path: str | Path, stream: IO[bytes], filename: str | None, *, max_bytes: int
) -> Upload:
    """Copy an uploaded file under a new token, refusing it past ``max_bytes`` or empty."""
    name = check_name(filename)
    base = folder(instance_path)
    base.mkdir(parents=True, exist_ok=True)
    _sweep(base)
    token = secrets.token_hex(16)
    path = base / f"{token}{Path(name).suffix.lower()}"
    size = 0
    create_private(path)  # a member's file: contacts, quantities
    with path.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                path.unlink(missing_ok=True)
                raise too_large(max_bytes)
            out.write(chunk)
    if size == 0:
        path.unlink(missing_ok=True)
        raise InvalidInput(_("Le fichier « %(name)s » est vide.", name=name), field="file")
    try:
        check_content(path, name)
    except InvalidInput:
        path.unlink(missing_ok=True)
        raise
    (base / f"{token}.json").write_text(
        json.dumps({"source": name}, ensure_ascii=False), encoding="utf-8"
    )
    return Upload(token, path, name)


def check_content(path: Path, name: str) -> None:
    """Raise :class:`InvalidInput` naming ``file`` when the content does not match the
    extension: a ``.csv`` that is not text, a ``.xlsx`` that is not a workbook."""
    content = sniff(path)
    if Path(name).suffix.lower() == ".xlsx":
        found = _not_a_workbook(content)
        if found:
            raise InvalidInput(
                _(
                    "« %(name)s » n'est pas un classeur XLSX : %(found)s. Attendu : un classeur "
                    "Excel .xlsx (dans Excel : Enregistrer sous… Classeur Excel).",
                    name=name,
                    found=found,
                ),
                field="file",
            )
        return
    found = _not_text(content)
    if found:
        raise InvalidInput(
            _(
                "« %(name)s » n'est pas un fichier CSV : %(found)s. Attendu : du texte (UTF-8, "
                "Windows-1252 ou UTF-16), une ligne par offre ou besoin.",
                name=name,
                found=found,
            ),
            field="file",
        )


def _not_a_workbook(content: Content) -> str | None:
    """What the file is instead of a workbook, or None when it is one."""
    if content is Content.WORKBOOK:
        return None
    return {
        Content.OLD_EXCEL: _(
            "c'est un ancien classeur Excel (.xls) ou un classeur protégé par un mot de passe"
        ),
        Content.TEXT: _("c'est du texte (un CSV ? nommez-le .csv)"),
        Content.BINARY: _("son contenu n'est pas une archive ZIP"),
        Content.BROKEN_ZIP: _("c'est une archive ZIP illisible ou tronquée"),
        Content.OPENDOCUMENT: _("c'est un classeur OpenDocument (.ods)"),
        Content.ZIP: _("c'est une archive ZIP sans classeur Excel"),
    }[content]


def _not_text(content: Content) -> str | None:
    """What the file is instead of a text, or None when it reads as text."""
    if content.zipped:
        return _("c'est un classeur XLSX ou une autre archive ZIP (un classeur se nomme .xlsx)")
    if content is Content.OLD_EXCEL:
        return _("c'est un ancien classeur Excel (.xls) ou un classeur protégé par un mot de passe")
    if content is Content.BINARY:
        return _("son contenu est binaire, pas du texte")
    return None


def claim(instance_path: str | Path, token: str) -> Upload:
    """Take the upload ``token`` names for importing, or raise :class:`NotFound`.

    The claim is an atomic rename, so of two confirmations sent at once (a double click, two
    workers) only one imports the file.
    """
    base = folder(instance_path)
    gone = NotFound(
        _(
            "Ce fichier n'est plus disponible (déjà importé, ou téléversé il y a "
            "plus d'un jour) : téléversez-le de nouveau."
        )
    )
    if not _TOKEN.match(token):
        raise gone
    claimed = base / f"{token}.claimed.json"
    try:
        (base / f"{token}.json").rename(claimed)
    except FileNotFoundError:
        raise gone from None
    files = [base / f"{token}{ext}" for ext in EXTENSIONS if (base / f"{token}{ext}").exists()]
    source = json.loads(claimed.read_text(encoding="utf-8")).get("source")
    if not files:
        claimed.unlink(missing_ok=True)
        raise gone
    return Upload(token, files[0], source or files[0].name)


def discard(upload: Upload) -> None:
    """Forget an upload: the file and what it was called (claimed or not)."""
    base = upload.path.parent
    for path in (upload.path, base / f"{upload.token}.json", base / f"{upload.token}.claimed.json"):
        path.unlink(missing_ok=True)


def _sweep(base: Path) -> None:
    cutoff = time.time() - MAX_AGE_S
    for path in base.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:  # another worker removed it first
            continue
