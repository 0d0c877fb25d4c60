"""Workbooks and GeoPackages built once per state of the data in a child process and served
from a kept file (mapservice/exports/files.py, mapservice/exports/build.py): the same content
as a workbook written in the serving process, files that never cross from one scope to
another, 0600, cleaned when the data move on."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from mapservice.accounts import jobs as accounts
from mapservice.caching import ChangeStamp
from mapservice.domain.access import PUBLIC, STAFF, Scope
from mapservice.errors import InvalidInput, StorageError
from mapservice.exports import formats
from mapservice.exports.fields import LAYERS
from mapservice.exports.files import ExportFiles, ExportJob, error_data, error_from_data, stamp_part
from mapservice.exports.jobs import LayerQuery, layer_features
from tests.support.accounts import MANAGED, sign_in

openpyxl = pytest.importorskip("openpyxl")


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's cells, as values."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}
    finally:
        book.close()


def _kept(app: Any) -> list[Path]:
    folder = Path(app.config["INSTANCE_PATH"]) / "exports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_kept_workbook_is_the_one_written_in_process(app, client, tmp_path):
    """tout.xlsx, served from the file the child wrote, has every cell a workbook written
    the old way (in the serving process, the same writer) has; geopandas reads it too; the
    second download is the same file, not a second build."""
    from mapservice.matching import jobs as synergy_jobs

    svc = app.extensions["mapservice"]
    synergy_jobs.match_all(svc, backend="geodesic", per_offer=2)
    response = client.get("/export/tout.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="tout.xlsx"'
    served = tmp_path / "served.xlsx"
    served.write_bytes(response.get_data())
    assert int(response.headers["Content-Length"]) == served.stat().st_size

    before = tmp_path / "in-process.xlsx"
    layers = {name: layer_features(svc, name, LayerQuery(), STAFF) for name in LAYERS}
    formats.write_xlsx(before, layers, STAFF)
    assert _rows(served) == _rows(before)

    geopandas = pytest.importorskip("geopandas")
    sites = geopandas.read_file(served, layer="sites")
    assert len(sites) == len(list(layer_features(svc, "sites", LayerQuery(), STAFF)))

    [kept] = _kept(app)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    built = kept.stat().st_mtime_ns, kept.stat().st_ino
    assert client.get("/export/tout.xlsx").get_data() == served.read_bytes()
    assert _kept(app) == [kept] and (kept.stat().st_mtime_ns, kept.stat().st_ino) == built


def test_files_never_cross_from_one_scope_to_another(app, client, client_as):
    """Staff, a park manager, a stranger on the public map (and staff asking for the public
    view) each get the file of their own scope; the public one holds no contact and no hidden
    name, whatever was built before it."""
    svc = app.extensions["mapservice"]
    accounts.set_public_map(svc, "1", actor="test")
    staff = client.get("/export/sites.xlsx")
    manager = client_as("gestion").get("/export/sites.xlsx")
    public = app.test_client().get("/export/sites.xlsx")
    asked_public = client.get("/export/sites.xlsx?anonyme=1")
    assert {r.status_code for r in (staff, manager, public, asked_public)} == {200}
    assert len(_kept(app)) == 3  # staff, the manager, the public (shared by both who asked)
    assert asked_public.get_data() == public.get_data() != staff.get_data()

    def sheet(response: Any, tmp: Path) -> list[tuple[Any, ...]]:
        tmp.write_bytes(response.get_data())
        return _rows(tmp)["sites"]

    folder = Path(app.config["INSTANCE_PATH"])
    staff_rows = sheet(staff, folder / "staff.xlsx")
    public_rows = sheet(public, folder / "public.xlsx")
    manager_rows = sheet(manager, folder / "manager.xlsx")
    assert "contact_email" in staff_rows[0] and "contact_email" not in public_rows[0]
    hidden = {m.name for m in svc.repo.members() if not m.public_consent}
    column = public_rows[0].index("member")
    assert hidden and not hidden & {row[column] for row in public_rows[1:]}
    assert hidden & {row[staff_rows[0].index("member")] for row in staff_rows[1:]}
    park = manager_rows[0].index("park_id")
    assert {row[park] for row in manager_rows[1:]} == {MANAGED["park"]}


def test_new_data_make_a_new_file_and_the_old_one_goes(app, client):
    svc = app.extensions["mapservice"]
    assert client.get("/export/parks.xlsx").status_code == 200
    [old] = _kept(app)
    member = svc.repo.members()[0]
    svc.repo.update_member(member.id, {"name": member.name + " (renommée)"})
    assert client.get("/export/parks.xlsx").status_code == 200
    [new] = _kept(app)
    assert new != old and not old.exists()
    assert new.name.startswith(stamp_part(svc.change_stamp()) + "-")


def test_a_bad_query_is_refused_before_any_build(app, client):
    response = client.get("/export/tout.xlsx?status=perdue")
    assert response.status_code == 422 and response.get_json()["field"] == "status"
    assert _kept(app) == []


def test_a_stranger_gets_nothing_when_the_public_map_is_closed(app):
    assert app.test_client().get("/export/tout.xlsx").status_code in (302, 401)
    assert _kept(app) == []


STAMP = ChangeStamp("e", 3, 5)
JOB = ExportJob(("sites",), "xlsx", (), PUBLIC, True)


@pytest.mark.parametrize(
    "other",
    [
        ExportJob(("sites",), "xlsx", (), STAFF, False),
        ExportJob(("sites",), "xlsx", (), PUBLIC, False),
        ExportJob(("sites",), "xlsx", (), Scope(parks=frozenset({"p"})), True),
        ExportJob(("sites",), "xlsx", (("park", "p"),), PUBLIC, True),
        ExportJob(("sites",), "gpkg", (), PUBLIC, True),
        ExportJob(("sites", "flows"), "xlsx", (), PUBLIC, True),
    ],
)
def test_a_file_name_holds_everything_the_content_depends_on(other):
    assert other.name(STAMP) != JOB.name(STAMP)
    assert JOB.name(STAMP) == ExportJob(("sites",), "xlsx", (), PUBLIC, True).name(STAMP)
    assert JOB.name(ChangeStamp("e", 3, 6)) != JOB.name(STAMP)  # a synergy moved
    assert JOB.name(ChangeStamp("f", 3, 5)) != JOB.name(STAMP)  # a restored copy


def test_a_scope_name_does_not_depend_on_the_order_of_its_parks():
    one = ExportJob(("sites",), "xlsx", (), Scope(parks=frozenset(["a", "b", "c"])), False)
    two = ExportJob(("sites",), "xlsx", (), Scope(parks=frozenset(["c", "a", "b"])), False)
    assert one.name(STAMP) == two.name(STAMP)


def test_cleaning_keeps_the_newest_files_of_the_current_data(tmp_path):
    import os

    files = ExportFiles(tmp_path, {}, keep=2)
    current = [tmp_path / f"{stamp_part(STAMP)}-{i}.xlsx" for i in range(3)]
    stale = tmp_path / f"{stamp_part(ChangeStamp('e', 2, 5))}-0.xlsx"
    for i, path in enumerate([*current, stale]):
        path.write_bytes(b"x")
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    removed = files.clean(STAMP)
    assert sorted(removed) == sorted([current[0], stale])
    assert sorted(tmp_path.iterdir()) == current[1:]
    assert ExportFiles(tmp_path / "nothing-yet", {}, keep=2).clean(STAMP) == []


@pytest.mark.parametrize(
    "error",
    [
        InvalidInput("Statut inconnu.", field="status"),
        StorageError("Base injoignable.", detail="connection refused"),
    ],
)
def test_an_error_of_the_child_is_raised_again_as_it_was(error):
    import pickle

    again = error_from_data(pickle.dumps(error_data(error)))
    assert type(again) is type(error) and again.status == error.status
    assert again.to_dict() == error.to_dict() and again.detail == error.detail
    assert getattr(again, "field", None) == getattr(error, "field", None)


def test_a_staff_sign_in_does_not_change_the_public_file(app):
    """The public file is keyed by the scope, not by the session: signing in as staff on a
    client that downloaded the public workbook gives the staff one."""
    accounts.set_public_map(app.extensions["mapservice"], "1", actor="test")
    browser = app.test_client()
    public = browser.get("/export/parks.xlsx").get_data()
    sign_in(browser, "personnel")
    staff = browser.get("/export/parks.xlsx").get_data()
    assert len(_kept(app)) == 2 and public != staff


def test_the_child_reads_the_same_database_on_sqlite_and_postgis(services, tmp_path):
    """The child process opens its own services from the settings it is given: the parks
    workbook it writes holds the parks the serving process reads, on either database."""
    files = ExportFiles(tmp_path / "exports", services.settings, keep=4)
    job = ExportJob(("parks",), "xlsx", (), PUBLIC, True)
    with files.open(services.change_stamp(), job) as handle:
        (tmp_path / "parks.xlsx").write_bytes(handle.read())
    rows = _rows(tmp_path / "parks.xlsx")["parks"]
    assert len(rows) - 1 == len(services.repo.parks()) > 0
    bad = ExportJob(("parks",), "xlsx", (("status", "perdue"),), PUBLIC, True)
    with pytest.raises(InvalidInput) as raised:
        files.open(services.change_stamp(), bad)  # refused by the child, said again here
    assert raised.value.field == "status"
    assert [p.name for p in (tmp_path / "exports").iterdir()] == [job.name(services.change_stamp())]


def test_a_late_build_does_not_clean_away_newer_data(tmp_path):
    files = ExportFiles(tmp_path, {}, keep=4)
    newer = ChangeStamp("e", 4, 5)
    kept = tmp_path / f"{stamp_part(newer)}-0.xlsx"
    kept.write_bytes(b"x")
    assert files._note(newer) == newer
    assert files._note(STAMP) == newer  # an older stamp, from a build that started earlier
    files.clean(files._note(STAMP))
    assert kept.exists()
