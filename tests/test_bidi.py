"""Bidirectional controls (U+202E and its kin) never reach a page or an export as they are.

An override turns the text after it around on screen (« Trojan Source »): a member could show
under another's name, a figure read backwards. The importer and the registry forms drop them;
the pages (every ``{{ … }}``) and the exports (CSV, XLSX, GeoJSON) drop them too, for text that
came in another way (an older database, a direct write).
"""

from __future__ import annotations

import csv
import io
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from mapservice import create_app
from mapservice.cli.main import main
from mapservice.domain.text import BIDI_CONTROLS, without_bidi
from mapservice.importing.values import clean_text
from mapservice.registry.forms import Form
from tests.support.accounts import sign_in
from tests.support.import_files import GOOD, write_csv

RLO, LRI, PDI, LRM = "\u202e", "\u2066", "\u2069", "\u200e"
EVERY = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def _raw_bidi(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in BIDI_CONTROLS.findall(text)})


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        (f"Scierie {RLO}cal ud{PDI}", "Scierie cal ud"),
        (EVERY + "Acme", "Acme"),
        ("مصنع الخشب", "مصنع الخشب"),  # right-to-left letters stay
        ("sans rien", "sans rien"),
    ],
)
def test_without_bidi_drops_the_controls_only(text, clean):
    assert without_bidi(text) == clean
    assert clean_text(text) == clean


def test_the_registry_form_drops_them():
    form = Form({"name": f"Acme {RLO}ltée", "notes": f"ligne{LRM}\nautre"})
    assert form.text("name", max_len=300) == "Acme ltée"
    assert form.text("notes", max_len=300, lines=True) == "ligne\nautre"


@pytest.fixture
def imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A registry imported from a file whose company name, address and description carry
    overrides and isolates; the app over it, signed in as staff."""
    url = "sqlite:///" + str(tmp_path / "bidi.sqlite")
    monkeypatch.setenv("MAPSERVICE_DATABASE_URL", url)
    monkeypatch.setenv("MAPSERVICE_INSTANCE_PATH", str(tmp_path / "instance"))
    rows = [list(r) for r in GOOD]
    for row in rows[:2]:  # the rows of one member
        row[0] = f"Scierie {RLO}cal ud{PDI} (démo)"
        row[3] = f"{LRI}1200 rue des Pins{PDI}"
    rows[0][10] = f"Sciure {RLO}eèhcès{PDI} d'épinette"
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    result = runner.invoke(main, ["import", str(write_csv(tmp_path / "bidi.csv", rows))])
    assert result.exit_code == 0, result.output
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
        }
    )
    from mapservice.accounts import jobs as accounts
    from tests.support.accounts import PASSWORD

    accounts.add_user(
        app.extensions["mapservice"], username="personnel", password=PASSWORD, role="staff"
    )
    return app, tmp_path / "bidi.sqlite"


def _everything_shown(app: Any) -> dict[str, str]:
    """The registry's pages and every export, as text."""
    svc = app.extensions["mapservice"]
    client = sign_in(app.test_client(), "personnel")
    member = next(m for m in svc.repo.members() if "Scierie" in m.name)
    site = next(s for s in svc.repo.sites() if s.member_id == member.id)
    shown = {
        path: client.get(path).get_data(as_text=True)
        for path in (
            "/registre/",
            f"/registre/membres/{member.id}",
            f"/registre/sites/{site.id}",
            f"/sites/{site.id}",
            "/",
            "/export/sites.csv",
            "/export/flows.csv",
            "/export/flows.geojson",
        )
    }
    book = load_workbook(io.BytesIO(client.get("/export/tout.xlsx").data), read_only=True)
    shown["tout.xlsx"] = "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    gpkg = Path(tempfile.mkdtemp()) / "tout.gpkg"
    gpkg.write_bytes(client.get("/export/tout.gpkg").data)
    shown["tout.gpkg"] = "\n".join(
        str(value)
        for layer, _kind in pyogrio.list_layers(gpkg)
        for value in pyogrio.read_dataframe(gpkg, layer=layer, read_geometry=False)
        .to_numpy()
        .ravel()
    )
    return shown


def test_an_import_keeps_none_and_says_nothing_reversed(imported):
    app, path = imported
    with closing(sqlite3.connect(path)) as db:
        stored = db.execute(
            "SELECT m.name, f.description FROM members m JOIN sites s "
            "ON s.member_id = m.id JOIN flows f ON f.site_id = s.id"
        ).fetchall()
    assert not any(_raw_bidi("".join(row)) for row in stored)
    assert ("Scierie cal ud (démo)", "Sciure eèhcès d'épinette") in stored
    shown = _everything_shown(app)
    assert {k: _raw_bidi(v) for k, v in shown.items() if _raw_bidi(v)} == {}
    assert "Scierie cal ud (démo)" in shown["/registre/"]
    rows = list(csv.DictReader(io.StringIO(shown["/export/flows.csv"].lstrip("\ufeff"))))
    assert "Sciure eèhcès d'épinette" in {r.get("description") for r in rows}


def test_text_stored_another_way_is_shown_without_them(imported):
    app, path = imported
    with closing(sqlite3.connect(path)) as db:  # an older database, or a direct write
        db.execute("UPDATE members SET name = ? WHERE name LIKE 'Scierie%'", (f"Scierie A{RLO}BC",))
        db.execute("UPDATE flows SET description = description || ?", (f" {RLO}x{PDI}",))
        db.commit()
    shown = _everything_shown(app)
    assert {k: _raw_bidi(v) for k, v in shown.items() if _raw_bidi(v)} == {}
    assert "Scierie ABC" in shown["/registre/"]
