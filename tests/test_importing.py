"""Imports: French Excel CSV and XLSX, all or nothing, idempotent, clear errors for bad input."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mapservice.errors import ImportRejected
from mapservice.storage import schema as t
from tests.support.import_files import GOOD, HEADER, write_csv


def dump(services) -> dict[str, list]:
    with services.repo.engine.connect() as conn:
        return {
            tbl.name: [tuple(r) for r in conn.execute(sa.select(tbl).order_by(*tbl.primary_key))]
            for tbl in t.ALL_TABLES
        }


def test_good_file_imports_and_reimport_changes_nothing(services, tmp_path):
    path = write_csv(tmp_path / "ok.csv", GOOD)
    first = services.import_file(path)
    assert first.inserted == {"members": 2, "sites": 2, "flows": 3}
    snapshot = dump(services)
    second = services.import_file(path)
    assert not second.changed
    assert dump(services) == snapshot
    by_name = {s.member_name: s for s in services.repo.sites()}
    scierie = by_name["Scierie du Lac (démo)"]
    assert scierie.municipality_id == "saint-felicien"
    assert scierie.geocode_precision.value == "postcode"
    serre = by_name["Serres Boréales (démo)"]
    assert (serre.lon, serre.lat) == (-71.23, 48.421)
    assert serre.geocode_precision.value == "manual"
    flows = {f.description: f for f in services.repo.flows()}
    assert flows["Sciure sèche d'épinette"].quantity == 1234.5
    assert flows["Pour litière"].category_code == "bois.sciure"
    assert flows["Pour litière"].frequency.value == "monthly"


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ";"), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-8", ","), ("utf-16", "\t")],
)
def test_encodings_and_delimiters_of_french_excel(services, tmp_path, encoding, delimiter):
    path = write_csv(tmp_path / "x.csv", GOOD, delimiter=delimiter, encoding=encoding)
    services.import_file(path)
    names = {m.name for m in services.repo.members()}
    assert names == {"Scierie du Lac (démo)", "Serres Boréales (démo)"}


def test_xlsx_import(services, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in GOOD:
        ws.append(row)
    ws.append([None] * len(HEADER))  # trailing empty row, as Excel leaves them
    path = tmp_path / "membres.xlsx"
    wb.save(path)
    result = services.import_file(path)
    assert result.inserted["flows"] == 3


def _with(row_index: int, column: str, value: str) -> list[list[str]]:
    rows = [list(r) for r in GOOD]
    rows[row_index][HEADER.index(column)] = value
    return rows


BAD_CELLS = [
    # (row index in GOOD, column, value, fragment expected in the message)
    (0, "quantite", "12 t", "l'unité va dans la colonne"),
    (0, "quantite", "1,234.5", "ambigu"),
    (0, "quantite", "beaucoup", "pas un nombre"),
    (0, "quantite", "-4", "négative"),
    (0, "unite", "brouettes", "unité inconnue"),
    (0, "code_postal", "G8K 2A", "mal formé"),
    (0, "code_postal", "H2X 1Y4", "n'est pas du Saguenay"),
    (0, "municipalite", "Chicoutimo-Nord-Ouest", "Municipalité inconnue"),
    (0, "municipalite", "", "vide"),
    (0, "type", "peut-être", "« offre » ou « besoin »"),
    (0, "secteur_scian", "bois", "SCIAN"),
    (0, "dangereux", "peut-être", "oui ou non"),
    (0, "frequence", "parfois", "fréquence inconnue"),
    (2, "latitude", "-71,2300", "inversées"),
    (2, "latitude", "45,5000", "hors du Saguenay"),
    (2, "longitude", "", "il manque la longitude"),
    (0, "entreprise", "", "vide"),
]


@pytest.mark.parametrize(("row", "column", "value", "fragment"), BAD_CELLS)
def test_bad_cell_rejects_file_and_names_row_column_value(
    services, tmp_path, row, column, value, fragment
):
    rows = _with(row, column, value)
    if column == "latitude" and value == "-71,2300":
        rows[2][HEADER.index("longitude")] = "48,4210"
    path = write_csv(tmp_path / "bad.csv", rows)
    services.import_file(write_csv(tmp_path / "seed.csv", GOOD[2:]))  # something already there
    before = dump(services)
    with pytest.raises(ImportRejected) as info:
        services.import_file(path)
    issues = info.value.issues
    assert any(fragment in i.message for i in issues), [str(i) for i in issues]
    issue = next(i for i in issues if fragment in i.message)
    assert issue.row == row + 2
    assert issue.column == column
    assert issue.expected
    assert dump(services) == before


def test_every_error_is_reported_not_just_the_first(services, tmp_path):
    rows = _with(0, "quantite", "12 t")
    rows[1][HEADER.index("unite")] = "brouettes"
    with pytest.raises(ImportRejected) as info:
        services.import_file(write_csv(tmp_path / "bad.csv", rows))
    assert {(i.row, i.column) for i in info.value.issues} == {(2, "quantite"), (3, "unite")}


def test_missing_and_misspelled_columns(services, tmp_path):
    header = [h for h in HEADER if h != "matiere"]
    header[header.index("entreprise")] = "entrprise"
    rows = [[c for h, c in zip(HEADER, r, strict=True) if h != "matiere"] for r in GOOD]
    with pytest.raises(ImportRejected) as info:
        services.import_file(write_csv(tmp_path / "cols.csv", rows, header=header))
    messages = " | ".join(str(i) for i in info.value.issues)
    assert "vouliez-vous dire « entreprise »" in messages
    assert "Colonne obligatoire absente : « matiere »" in messages


def test_english_headers_are_accepted(services, tmp_path):
    english = [
        "company",
        "naics",
        "site",
        "address",
        "municipality",
        "postal code",
        "lat",
        "lon",
        "direction",
        "material",
        "description",
        "quantity",
        "unit",
        "frequency",
        "hazardous",
        "confidential",
    ]
    rows = [list(r) for r in GOOD]
    rows[0][HEADER.index("type")] = "output"
    services.import_file(write_csv(tmp_path / "en.csv", rows, header=english))
    assert services.repo.counts()["flows"] == 3


def test_duplicate_rows_are_rejected(services, tmp_path):
    rows = [*GOOD, GOOD[0]]
    with pytest.raises(ImportRejected) as info:
        services.import_file(write_csv(tmp_path / "dup.csv", rows))
    (issue,) = info.value.issues
    assert issue.row == 5 and "double de la ligne 2" in issue.message


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "vide"),
        (b"entreprise;municipalite;type;matiere\n", "aucune ligne"),
        (b"\x00\x01\x02\x03binary", "octets nuls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ".xls"),
        (b"PK\x03\x04not really a zip", "XLSX illisible"),
        (b"just one column\nvalue\n", "séparateur"),
    ],
)
def test_unreadable_files(services, tmp_path, content, fragment):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    before = dump(services)
    with pytest.raises(ImportRejected) as info:
        services.import_file(path)
    assert fragment in " ".join(str(i) for i in info.value.issues)
    assert dump(services) == before


def test_bom_is_not_part_of_the_first_header(services, tmp_path):
    path = write_csv(tmp_path / "bom.csv", GOOD, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert services.import_file(path).inserted["flows"] == 3


@pytest.mark.slow
def test_huge_file_is_rejected_while_streaming(services, tmp_path):
    """500,000 rows: rejected at the row limit without reading the rest into memory."""
    import tracemalloc

    path = tmp_path / "huge.csv"
    line = ";".join(GOOD[0]) + "\n"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(";".join(HEADER) + "\n")
        for i in range(500_000):
            fh.write(line.replace("Sciure sèche", f"Sciure {i}"))
    services.settings["IMPORT_MAX_BYTES"] = path.stat().st_size + 1
    before = dump(services)
    tracemalloc.start()
    with pytest.raises(ImportRejected) as info:
        services.import_file(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "trop long" in info.value.issues[-1].message
    assert peak < 200 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert dump(services) == before


def test_file_over_byte_limit_is_rejected_before_reading(services, tmp_path):
    services.settings["IMPORT_MAX_BYTES"] = 100
    path = write_csv(tmp_path / "big.csv", GOOD)
    with pytest.raises(ImportRejected, match="refusée") as info:
        services.import_file(path)
    assert "trop volumineux" in info.value.issues[0].message


def test_dry_run_validates_and_writes_nothing(services, tmp_path):
    before = dump(services)
    result = services.import_file(write_csv(tmp_path / "ok.csv", GOOD), dry_run=True)
    assert result.inserted["flows"] == 3 and result.dry_run
    assert dump(services) == before
