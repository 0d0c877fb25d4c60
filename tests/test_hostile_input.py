"""Hostile files against the importer: a clean refusal naming where, or valid data; never a crash.

Hypothesis builds CSV and XLSX files the way a careless or malicious person could: random bytes,
broken or mixed encodings, UTF-16 with and without BOM, NUL and control characters, formula
prefixes, embedded quotes and line breaks, wrong delimiters, duplicate or missing headers, numbers
like ``1e309``, ``NaN`` or ``-0``, coordinates out of range, huge cells, truncated workbooks, zips
that are no workbook, zip bombs, formulas, sheets missing. Each goes through the real importer
into a real SQLite file in ``tmp_path`` (``Services.import_file``, and the web upload
``/registre/import``), which must either import valid data or raise :class:`ImportRejected` whose
issues say what was expected and where, leaving every table exactly as it was.

Seeds are fixed (``derandomize``) and no example database is kept, so a failure here fails
everywhere; example counts keep the module near a minute on two cores.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from mapservice.domain.text import fold
from mapservice.errors import ImportRejected
from mapservice.importing.columns import COLUMNS, COLUMNS_BY_NAME
from mapservice.services import Services
from tests.support.settings import make_settings

_FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def fuzz(examples: int) -> settings:
    return settings(_FUZZ, max_examples=examples)


HEADER = [c.name for c in COLUMNS]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: Plausible cells, per column, for rows that should import when nothing hostile is mixed in.
VALID: dict[str, list[str]] = {
    "entreprise": ["Scierie du Lac (essai)", "Serres Boréales (essai)", "Métal 2000 inc."],
    "secteur_scian": ["", "321113", "111419"],
    "site": ["", "Usine nord"],
    "adresse": ["", "1200 rue des Pins"],
    "municipalite": ["Alma", "St-Félicien", "Ville de Saguenay (arr. Jonquière)"],
    "code_postal": [""],
    "latitude": [""],
    "longitude": [""],
    "type": ["offre", "besoin"],
    "matiere": ["bois.sciure", "bois.copeaux", "Bran de scie"],
    "description": ["", "Sciure sèche", "Copeaux\nsecs"],
    "quantite": ["", "12", "1 234,5", "3.5"],
    "unite": ["t/an", "kg/an", "m3/an"],
    "frequence": ["", "hebdomadaire", "mensuel"],
    "dangereux": ["", "non"],
    "confidentiel": ["", "oui", "non"],
    "contact_nom": ["", "Léa Tremblay"],
    "contact_courriel": ["", "lea@exemple.ca"],
    "contact_telephone": ["", "418 555-0123"],
    "consentement_public": ["", "oui", "non"],
}
FORMULAS = [
    "=cmd|' /C calc'!A0",
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    '=HYPERLINK("http://exemple.invalid","x")',
    "\t=1+1",
    "\r=1+1",
]
NUMBERS = [
    "1e309",
    "-1e309",
    "1E3",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "-0",
    "+0",
    "0x1F",
    "1_000",
    "9" * 400,
    "1,5E+03",
    "١٢٣",
    "１２",
    "1 234 567,89",
    "1.2.3",
    ",5",
    "5,",
]
COORDINATES = [
    "91",
    "-91",
    "181",
    "-181",
    "48,4210",
    "-71,2300",
    "0",
    "-0",
    "NaN",
    "1e309",
    "48°25'N",
]
STRUCTURE = [
    '"',
    '""',
    '"a"b',
    "a\nb",
    "a\r\nb",
    "a\rb",
    ";",
    ",",
    "\t",
    "|",
    "\x00",
    "\x1b[31m",
    "\x85",
    "\u2028",
    "\u202egpj.exe",
    "\ufeff",
    "\ud800",
    "  ",
    "é" * 3,
    "Ｅｎｔ",
    "ﷺ" * 20,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "=" * 3,
    "---",
]
HUGE = st.sampled_from([150, 201, 301, 1001, 5000, 140_000]).map(lambda n: "x" * n)
HOSTILE_CELL = st.one_of(
    st.sampled_from(FORMULAS + NUMBERS + COORDINATES + STRUCTURE),
    HUGE,
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=20),
)


def _encode(text: str, encoding: str) -> bytes:
    """Lone surrogates written as such (invalid UTF-8 or UTF-16); what cp1252 lacks as "?"."""
    return text.encode(encoding, errors="replace" if encoding == "cp1252" else "surrogatepass")


_VALID_CELL = {name: st.sampled_from(values) for name, values in VALID.items()}
_OVERRIDES = st.lists(st.tuples(st.sampled_from(HEADER), HOSTILE_CELL), min_size=1, max_size=3)
_INTACT = st.sampled_from([True, False, False])


@st.composite
def rows(draw: Any, max_rows: int = 4) -> list[dict[str, str]]:
    """Rows of plausible cells; in two rows out of three, a few replaced by hostile ones."""
    out = []
    for _ in range(draw(st.integers(1, max_rows))):
        row = {name: draw(cell) for name, cell in _VALID_CELL.items()}
        if not draw(_INTACT):
            row.update(draw(_OVERRIDES))
        out.append(row)
    return out


@st.composite
def headers(draw: Any) -> list[tuple[str, str | None]]:
    """``(label, column)`` pairs: all columns, some dropped, doubled or renamed."""
    header: list[tuple[str, str | None]] = [(name, name) for name in HEADER]
    if draw(st.sampled_from([True, True, False])):
        return header
    for op, index in draw(
        st.lists(
            st.tuples(st.sampled_from(["drop", "dup", "rename", "junk"]), st.integers(0, 40)),
            min_size=1,
            max_size=3,
        )
    ):
        if not header:
            break
        i = index % len(header)
        label, column = header[i]
        if op == "drop":
            header.pop(i)
        elif op == "dup":
            header.insert(i, (label, column))
        elif op == "rename":
            spec = COLUMNS_BY_NAME.get(column or "")
            names = [
                *(spec.aliases if spec else ()),
                label.upper(),
                label[:-1],
                "",
                f"\ufeff{label}",
                f"{label}\x00",
            ]
            header[i] = (draw(st.sampled_from(names) | HOSTILE_CELL), column)
        else:
            header.insert(i, (draw(HOSTILE_CELL), None))
    return header


@st.composite
def csv_files(draw: Any) -> bytes:
    """A CSV as Excel, a script or an attacker could write it, then maybe damaged."""
    header = draw(headers())
    data = draw(rows())
    delimiter = draw(st.sampled_from([";", ";", ";", ",", ",", "\t", "\t", "|"]))
    row_delimiter = draw(st.sampled_from([delimiter] * 4 + [";", ","]))  # wrong delimiter
    terminator = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=terminator, quoting=quoting).writerow(
        [label for label, _ in header]
    )
    writer = csv.writer(out, delimiter=row_delimiter, lineterminator=terminator, quoting=quoting)
    for row in data:
        writer.writerow([row.get(column or "", "junk") for _, column in header])
    encoding = draw(
        st.sampled_from(
            ["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be"]
        )
    )
    content = _encode(out.getvalue(), encoding)
    return draw(damaged(content))


@st.composite
def damaged(draw: Any, content: bytes) -> bytes:
    """``content`` truncated, with bytes inserted or flipped: a broken upload or disk."""
    if draw(st.sampled_from([True, True, False])):
        return content
    for op, where, byte in draw(
        st.lists(
            st.tuples(
                st.sampled_from(["cut", "insert", "flip"]),
                st.floats(0, 1),
                st.sampled_from([0x00, 0x81, 0xFF, 0xC3, 0x22, 0x0A, 0x3B, 0xD8]),
            ),
            min_size=1,
            max_size=2,
        )
    ):
        at = int(where * len(content))
        if op == "cut":
            content = content[:at]
        elif op == "insert":
            content = content[:at] + bytes([byte]) + content[at:]
        elif content:
            at = min(at, len(content) - 1)
            content = content[:at] + bytes([content[at] ^ byte or 1]) + content[at + 1 :]
    return content


_NUMERIC = {"secteur_scian", "latitude", "longitude", "quantite"}


def _cell(value: str, kind: str) -> Any:
    """A cell as a typed workbook value: a number, a formula, a date, a boolean, or text."""
    if kind == "number":
        try:
            return float(value.replace(",", ".").replace(" ", ""))
        except ValueError:
            return value
    if kind == "formula":
        return "=" + value.lstrip("=") if value else "=1/0"
    if kind == "date":
        return datetime(2024, 3, 1, 12, 30)
    if kind == "bool":
        return value in ("oui", "1")
    return value


def _escaped(value: Any) -> Any:
    """Control characters as Excel's own escape (``_x0008_``): openpyxl refuses them raw."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


XML_BOMBS = {
    "deep": "<worksheet>" + "<a>" * 50_000 + "</a>" * 50_000 + "</worksheet>",
    "laughs": (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lollollollollollollol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 9)
        )
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol8;</t></is></c></row>'
        "</sheetData></worksheet>"
    ),
    "external": (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>'
        "</sheetData></worksheet>"
    ),
    "bigint": (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1">'
        + "".join(
            f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
            for col, name in zip(
                "ABCD", ["entreprise", "municipalite", "type", "matiere"], strict=True
            )
        )
        + '</row><row r="2"><c r="A2" t="n"><v>'
        + "9" * 5000
        + "</v></c></row>"
        "</sheetData></worksheet>"
    ),
    "nan": (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>quantite</t></is></c></row>'
        '<row r="2"><c r="A2"><v>nan</v></c><c r="B2"><v>1e309</v></c><c r="C2" t="b">'
        '<v>2</v></c><c r="D2" t="d"><v>not a date</v></c><c r="E2" t="e"><v>#REF!</v></c>'
        '</row><row r="1048576"><c r="XFD1048576" t="s"><v>99999</v></c></row>'
        "</sheetData></worksheet>"
    ),
    "garbage": "<worksheet><sheetData><row r='x'><c r='??'><v>1</v></c></row>",
    "empty": "",
}


@st.composite
def xlsx_files(draw: Any) -> bytes:
    """A workbook with typed cells and formulas, then perhaps missing parts or hostile XML."""
    from openpyxl import Workbook

    header = draw(headers())
    data = draw(rows(max_rows=3))
    book = Workbook()
    sheet = book.active
    layout = draw(st.sampled_from(["first"] * 6 + ["second", "chart_only", "empty"]))
    if layout == "second":
        sheet = book.create_sheet("Membres")
    if layout == "chart_only":
        book.remove(book.active)
        book.create_chartsheet()
    elif layout != "empty":
        sheet.append([_escaped(label) for label, _ in header])
        typing = draw(st.sampled_from(["text", "natural", "mixed"]))
        for row in data:
            if typing == "mixed":
                kinds = draw(
                    st.lists(
                        st.sampled_from(["text", "number", "formula", "date", "bool"]),
                        min_size=len(header),
                        max_size=len(header),
                    )
                )
            else:
                kinds = [
                    "number" if typing == "natural" and column in _NUMERIC else "text"
                    for _, column in header
                ]
            values = [
                _cell(row.get(column or "", ""), kind)
                for (_, column), kind in zip(header, kinds, strict=True)
            ]
            sheet.append([_escaped(v) for v in values])
    out = io.BytesIO()
    book.save(out)
    content = out.getvalue()
    change = draw(st.sampled_from(["none"] * 5 + ["drop", "sheet_xml", "damage"]))
    if change in ("drop", "sheet_xml"):
        source = zipfile.ZipFile(io.BytesIO(content))
        names = source.namelist()
        dropped = draw(st.sampled_from(names)) if change == "drop" else None
        bomb = draw(st.sampled_from(sorted(XML_BOMBS)))
        target = io.BytesIO()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as rebuilt:
            for name in names:
                if name == dropped:
                    continue
                part = source.read(name)
                if change == "sheet_xml" and name == "xl/worksheets/sheet1.xml":
                    part = XML_BOMBS[bomb].encode()
                rebuilt.writestr(name, part)
        content = target.getvalue()
    elif change == "damage":
        content = draw(damaged(content))
    return content


# --- the checks ---------------------------------------------------------------------------------


def snapshot(services: Any) -> dict[str, tuple[int, str]]:
    """Every table of the database: its row count and a checksum of its rows, in any order."""
    engine = services.repo.engine
    out = {}
    with engine.connect() as conn:
        for name in sorted(sa.inspect(engine).get_table_names()):
            # Raw driver rows: what is stored, and fast enough to take twice per example.
            lines = sorted(repr(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{name}"'))
            digest = hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass"))
            out[name] = (len(lines), digest.hexdigest())
    return out


def _plain(value: str | None, max_len: int, *, key: bool = False) -> bool:
    if value is None:
        return True
    return (
        not _CONTROL.search(value)
        and len(value) <= max_len
        and (not key or 0 < len(fold(value)) <= 300)
    )


def assert_stored_data_is_clean(services: Any) -> None:
    """What an import wrote fits the schema, whatever the file held."""
    for m in services.repo.members():
        assert _plain(m.name, 200, key=True), m
        assert _plain(m.contact_name, 200) and _plain(m.contact_email, 200), m
        assert _plain(m.contact_phone, 50), m
        assert m.naics_code is None or re.fullmatch(r"\d{2,6}", m.naics_code), m
    for s in services.repo.sites():
        assert _plain(s.name, 300, key=True) and _plain(s.address, 300), s
        if s.lat is not None:
            assert -90 <= s.lat <= 90 and -180 <= s.lon <= 180, s
    for f in services.repo.flows():
        assert _plain(f.description.replace("\n", " "), 1000), f
        assert f.quantity is None or (math.isfinite(f.quantity) and f.quantity >= 0), f
        assert f.quantity is None or math.copysign(1, f.quantity) > 0, f  # no -0


def _event(what: str) -> None:
    """Count an outcome in ``--hypothesis-show-statistics`` (when called from a fuzz test)."""
    if currently_in_test_context():
        event(what)


def import_or_refuse(services: Any, path: Path, content: bytes) -> ImportRejected | None:
    """Import ``content``: valid data, or a refusal that names where and changes nothing."""
    path.write_bytes(content)
    before = snapshot(services)
    try:
        services.import_file(path)
    except ImportRejected as exc:
        assert snapshot(services) == before, "a refused import changed the database"
        assert exc.issues and exc.status == 422
        _event("refusé : " + re.sub(r"[\d\s]+", " ", exc.issues[0].message)[:40])
        for issue in exc.issues:
            assert issue.message and issue.expected, issue
            if issue.column is not None:
                assert issue.row is not None, issue  # a cell is named by row and column
            assert issue.value is None or len(issue.value) <= 81, issue  # quoted, not dumped
            assert not _CONTROL.search(str(issue)), issue
        return exc
    _event("importé")
    assert_stored_data_is_clean(services)
    return None


GOOD = "\r\n".join(
    [
        ";".join(HEADER),
        "Scierie du Lac (essai);321113;;1200 rue des Pins;St-Félicien;G8K 2A3;;;offre;bois.sciure;"
        "Sciure sèche;1 234,5;t/an;hebdomadaire;non;non;Léa Tremblay;lea@exemple.ca;418 "
        "555-0123;oui",
    ]
).encode("utf-8-sig")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Services over an SQLite file whose registry already holds a member, so a partial write
    would show. One per module: a refused import leaves it as it was (each test checks)."""
    folder = tmp_path_factory.mktemp("hostile")
    services = Services(make_settings(folder, "sqlite:///" + str(folder / "hostile.sqlite")))
    services.init_database()
    (folder / "seed.csv").write_bytes(GOOD)
    services.import_file(folder / "seed.csv")
    assert services.repo.counts()["flows"] == 1
    yield services
    services.close()


@pytest.mark.slow
@fuzz(100)
@given(content=st.binary(max_size=3000))
def test_random_bytes_are_refused_cleanly(seeded, tmp_path, content):
    for name in ("octets.csv", "octets.xlsx"):
        import_or_refuse(seeded, tmp_path / name, content)


@pytest.mark.slow
@fuzz(200)
@given(content=csv_files())
def test_hostile_csv_imports_valid_data_or_is_refused_cleanly(seeded, tmp_path, content):
    import_or_refuse(seeded, tmp_path / "membres.csv", content)


@pytest.mark.slow
@fuzz(100)
@given(content=xlsx_files())
def test_hostile_xlsx_imports_valid_data_or_is_refused_cleanly(seeded, tmp_path, content):
    import_or_refuse(seeded, tmp_path / "membres.xlsx", content)


# --- through the web upload ------------------------------------------------------------------


@pytest.mark.slow
@fuzz(30)
@given(
    content=st.one_of(csv_files(), xlsx_files(), st.binary(max_size=500)),
    filename=st.sampled_from(
        [
            "membres.csv",
            "membres.xlsx",
            "Membres.XLSX",
            "..\\..\\secret_key.csv",
            "../../instance/x.csv",
            "x" * 300 + ".csv",
            "é=cmd|calc.csv",
            "membres.csv.exe",
        ]
    ),
)
def test_hostile_upload_answers_4xx_or_a_preview_and_writes_nothing(app, client, content, filename):
    svc = app.extensions["mapservice"]
    kept = Path(app.instance_path) / "imports"
    before, uploads = snapshot(svc), set(kept.iterdir()) if kept.is_dir() else set()
    response = client.post(
        "/registre/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    _event(f"HTTP {response.status_code}")
    assert response.status_code in (200, 413, 422), (response.status_code, page[:2000])
    if response.status_code == 422 and 'id="problemes"' in page:
        assert "rien n&#39;a été importé" in page or "rien n'a été importé" in page
        assert re.search(r'<td class="num">(\d+|—)</td>', page)
    elif response.status_code != 200:
        assert 'class="field-error"' in page
    assert snapshot(svc) == before  # a preview is a dry run, a refusal writes nothing
    if response.status_code != 200:  # and keeps no copy of the file
        assert (set(kept.iterdir()) if kept.is_dir() else set()) == uploads


# --- one plain test per bug found -------------------------------------------------------------


def _csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\n".join(lines).encode(encoding)


ROW_HEADER = "entreprise;municipalite;type;matiere;description;contact_courriel"


def _refused(services: Any, tmp_path: Path, content: bytes, name: str = "f.csv") -> ImportRejected:
    exc = import_or_refuse(services, tmp_path / name, content)
    assert exc is not None, "the file was imported"
    return exc


@pytest.mark.parametrize(
    ("cell", "column", "fragment"),
    [
        ("Acme\x00Inc", "entreprise", "U+0000"),  # PostgreSQL refuses NUL in text
        ("Acme\x1b[31m", "entreprise", "U+001B"),  # terminal escape
        ("Sciure\x85sèche", "description", "U+0085"),  # C1 control: a mis-decoded file
        ("a" * 201, "entreprise", "au plus 200"),  # members.name is 300 wide, forms 200
        ("lea@" + "x" * 200 + ".ca", "contact_courriel", "au plus 200"),  # String(200)
        ("x" * 1001, "description", "au plus 1000"),
        ("℡" * 120, "entreprise", "décomposés"),  # folds to 360 characters of key
        ("===", "entreprise", "Ni lettre latine"),  # "===" and "---" were one member
        ("lea(at)exemple", "contact_courriel", "courriel mal formée"),
    ],
)
def test_a_cell_that_does_not_fit_is_refused_naming_row_and_column(
    seeded, tmp_path, cell, column, fragment
):
    values = {
        "entreprise": "Acme",
        "municipalite": "Alma",
        "type": "offre",
        "matiere": "bois.sciure",
        "description": "",
        "contact_courriel": "",
    }
    values[column] = cell
    row = ";".join(values[c] for c in ROW_HEADER.split(";"))
    exc = _refused(seeded, tmp_path, _csv(ROW_HEADER, "Autre;Alma;offre;bois.sciure;;", row))
    (issue,) = exc.issues
    assert (issue.row, issue.column) == (3, column)
    assert fragment in issue.message + issue.expected, issue
    assert "\x00" not in (issue.value or "") and len(issue.value or "") <= 81


def test_a_nul_byte_past_the_first_64_kb_is_refused_on_its_row(seeded, tmp_path, monkeypatch):
    filler = [f"Acme {i};Alma;offre;bois.sciure;;" for i in range(3000)]
    content = _csv(ROW_HEADER, *filler, "Ac\x00me;Alma;offre;bois.sciure;;")
    assert content.index(b"\x00") > 64 * 1024
    monkeypatch.setitem(seeded.settings, "IMPORT_MAX_ROWS", 5000)
    (issue,) = _refused(seeded, tmp_path, content).issues
    assert (issue.row, issue.column, issue.value) == (3002, "entreprise", "Ac\\x00me")


def test_names_without_letter_or_digit_are_not_one_member(seeded, tmp_path):
    exc = _refused(
        seeded,
        tmp_path,
        _csv(ROW_HEADER, "---;Alma;offre;bois.sciure;;", "***;Alma;besoin;bois.sciure;;"),
    )
    assert [(i.row, i.column) for i in exc.issues] == [(2, "entreprise"), (3, "entreprise")]


def test_descriptions_alike_in_their_stored_key_are_one_flow(seeded, tmp_path):
    """The database keys a flow by 500 folded characters of its description: two descriptions
    differing only after that were imported as two flows, the second overwriting the first."""
    head = "Sciure " + "très fine " * 60
    exc = _refused(
        seeded,
        tmp_path,
        _csv(
            ROW_HEADER,
            f"Acme;Alma;offre;bois.sciure;{head}A;",
            f"Acme;Alma;offre;bois.sciure;{head}B;",
        ),
    )
    (issue,) = exc.issues
    assert issue.row == 3 and "double de la ligne 2" in issue.message


@pytest.mark.parametrize(
    ("lines", "row", "fragment"),
    [
        (['entreprise;"municipalite', "Acme;Alma"], 1, "jamais refermé"),  # raised csv.Error
        (
            [ROW_HEADER, 'Acme;"Alma;offre;bois.sciure;;', "Autre;Alma;offre;bois.sciure;;"],
            2,
            "jamais refermé",
        ),  # swallowed the rest of the file into one cell
        ([ROW_HEADER, 'Acme;"Alma"x;offre;bois.sciure;;'], 2, "après le guillemet fermant"),
        (
            [ROW_HEADER, 'Acme;"' + "x" * 140_000 + '";offre;bois.sciure;;'],
            2,
            "plus de 131 072 caractères",
        ),  # was csv's English message
    ],
)
def test_broken_quoting_is_refused_in_french_at_its_row(seeded, tmp_path, lines, row, fragment):
    (issue,) = _refused(seeded, tmp_path, _csv(*lines)).issues
    assert issue.row == row and fragment in issue.message, issue


@pytest.mark.parametrize(
    ("content", "row", "fragment"),
    [
        # Windows-1252 has no 0x81: was "Encodage illisible" with no line.
        (
            _csv(ROW_HEADER, "Acme;Alma;offre;bois.sciure;;") + b"\n\x81;Alma;offre;bois.sciure;;",
            3,
            "ni UTF-8 ni Windows-1252",
        ),
        # A UTF-8 BOM, then Latin-1: was read as Windows-1252, BOM included in the first header.
        (
            b"\xef\xbb\xbf"
            + _csv(ROW_HEADER, "Caf\xe9;Alma;offre;bois.sciure;;", encoding="latin-1"),
            2,
            "s'annonce en UTF-8",
        ),
        # UTF-16 cut in the middle of a code unit.
        (_csv(ROW_HEADER, "Acme;Alma;offre;bois.sciure;;", encoding="utf-16")[:-1], 2, "UTF-16"),
    ],
)
def test_an_encoding_that_breaks_midway_is_refused_at_its_line(
    seeded, tmp_path, content, row, fragment
):
    (issue,) = _refused(seeded, tmp_path, content).issues
    assert issue.row == row and fragment in issue.message, issue


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(seeded, tmp_path, encoding):
    """Was refused as "octets nuls"."""
    path = tmp_path / "u16.csv"
    path.write_bytes(
        _csv(ROW_HEADER, f"Seize {encoding};Alma;offre;bois.sciure;Sciure;", encoding=encoding)
    )
    assert seeded.import_file(path).inserted["flows"] == 1
    assert f"Seize {encoding}" in {m.name for m in seeded.repo.members()}


def test_a_header_of_a_hundred_thousand_columns_is_refused_at_once(seeded, tmp_path, monkeypatch):
    """Each unknown column was fuzzy-matched against every known name: 18 s of CPU. Now the
    width is refused before any column is compared (counted, not timed)."""
    import difflib

    compared: list[str] = []
    close_matches = difflib.get_close_matches

    def counted(word: str, *args: Any, **kwargs: Any) -> list[str]:
        compared.append(word)
        return close_matches(word, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counted)
    content = ";".join(f"c{i}" for i in range(100_000)).encode()
    (issue,) = _refused(seeded, tmp_path, content).issues
    assert issue.row == 1 and "100000 colonnes" in issue.message
    assert compared == []
    _refused(seeded, tmp_path, b"entreprise;municipalite;type;matiere;notte\n")
    assert compared == ["notte"]  # a narrow header still gets its suggestions


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1e309", "notation scientifique"),  # was "l'unité va dans la colonne « unite »"
        ("1,5E+03", "notation scientifique"),
        ("9" * 400, "Trop long"),
    ],
)
def test_numbers_that_are_not_plain_decimals_are_refused_clearly(seeded, tmp_path, text, fragment):
    header = "entreprise;municipalite;type;matiere;quantite;unite"
    (issue,) = _refused(
        seeded, tmp_path, _csv(header, f"Acme;Alma;offre;bois.sciure;{text};t/an")
    ).issues
    assert (issue.row, issue.column) == (2, "quantite") and fragment in issue.message


def test_minus_zero_is_stored_as_zero(seeded, tmp_path):
    path = tmp_path / "zero.csv"
    path.write_bytes(
        _csv(
            "entreprise;municipalite;type;matiere;quantite;unite",
            "Zéro;Alma;offre;bois.sciure;-0;t/an",
        )
    )
    seeded.import_file(path)
    (flow,) = [f for f in seeded.repo.flows() if f.quantity == 0]
    assert math.copysign(1, flow.quantity) == 1


def _zip(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _workbook_parts(sheet_xml: str) -> dict[str, bytes | str]:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    parts: dict[str, bytes | str] = {n: source.read(n) for n in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = sheet_xml
    return parts


def _chart_only() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    book.create_chartsheet()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "row", "fragment"),
    [
        (
            _zip(
                {
                    "[Content_Types].xml": "<Types/>",
                    "xl/worksheets/sheet1.xml": "<" + "a" * 20_000_000,
                }
            ),
            None,
            "anormalement comprimé",
        ),  # a zip bomb: was parsed (ParseError here, OOM at scale)
        (_zip({"bonjour.txt": "salut"}), None, "pas un classeur Excel"),  # was "(KeyError)"
        (_zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}), None, ".ods"),
        (_chart_only(), None, "illisible"),  # was AttributeError
        (_zip(_workbook_parts(XML_BOMBS["bigint"])), 2, "illisible à la ligne 2"),  # was ValueError
        (_zip(_workbook_parts(XML_BOMBS["laughs"])), None, "illisible"),  # was ParseError
        (_zip(_workbook_parts(XML_BOMBS["garbage"])), None, "illisible"),
    ],
)
def test_a_workbook_that_is_no_workbook_is_refused(seeded, tmp_path, content, row, fragment):
    (issue,) = _refused(seeded, tmp_path, content, "classeur.xlsx").issues
    assert issue.row == row and fragment in issue.message, issue


def _sheet_xml(rows: list[tuple[int, list[tuple[str, str]]]], *, dimension: str = "") -> str:
    """A worksheet part: ``(row number, [(cell reference, text)])``, and a declared size."""
    cells = "".join(
        f'<row r="{number}">'
        + "".join(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>' for ref, text in row)
        + "</row>"
        for number, row in rows
    )
    size = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{size}<sheetData>{cells}</sheetData></worksheet>"
    )


_XLSX_HEADER = [
    (f"{col}1", name)
    for col, name in zip("ABCD", ["entreprise", "municipalite", "type", "matiere"], strict=True)
]


def test_a_workbook_declaring_fewer_rows_than_it_has_is_read_whole(seeded, tmp_path):
    """openpyxl trusts <dimension>: a file claiming A1:D2 lost every row after the first."""
    data = [
        (
            n,
            [
                (f"A{n}", f"Dimension {n}"),
                (f"B{n}", "Alma"),
                (f"C{n}", "offre"),
                (f"D{n}", "bois.sciure"),
            ],
        )
        for n in range(2, 6)
    ]
    path = tmp_path / "dimension.xlsx"
    path.write_bytes(
        _zip(_workbook_parts(_sheet_xml([(1, _XLSX_HEADER), *data], dimension="A1:D2")))
    )
    assert seeded.import_file(path).inserted["members"] == 4


def test_cells_far_right_do_not_make_every_row_sixteen_thousand_wide(seeded, tmp_path):
    """A declared A1:XFD1048576, or one cell in column XFD per row, padded each row to 16,384
    values: 500 KB of workbook took 20 s. Now the columns past the header are never built, so
    reading rows whose one cell is in column XFD allocates no more than when it is in column E.
    Measured in allocated bytes (tracemalloc), which the machine's load does not change: one
    padded row alone is a 128 KiB tuple."""
    import tracemalloc

    from mapservice.importing.reader import open_sheet

    def workbook(column: str) -> Path:
        data = [(n, [(f"{column}{n}", "x")]) for n in range(2, 2_002)]
        path = tmp_path / f"large-{column}.xlsx"
        path.write_bytes(
            _zip(
                _workbook_parts(
                    _sheet_xml([(1, _XLSX_HEADER), *data], dimension=f"A1:{column}2001")
                )
            )
        )
        return path

    def peak_bytes(path: Path) -> int:
        sheet = open_sheet(path, max_bytes=10**8)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            assert sum(1 for _ in sheet.rows) == 2_000
            return tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()

    near, far = peak_bytes(workbook("E")), peak_bytes(workbook("XFD"))
    assert far < near + 64 * 1024, (near, far)  # was 390 KiB more
    (issue,) = _refused(seeded, tmp_path, workbook("XFD").read_bytes(), "large.xlsx").issues
    assert "aucune ligne de données" in issue.message


@pytest.mark.parametrize(
    ("rows", "row", "fragment"),
    [
        ([(1, [*_XLSX_HEADER, ("XFD1", "note")])], 1, "En-tête trop large"),
        ([(1, _XLSX_HEADER), (1_048_577, [("A1048577", "Acme")])], 1_048_577, "dernière ligne"),
        ([(3, _XLSX_HEADER)], 1, "ligne 1 de la première feuille est vide"),
        ([], None, "La première feuille est vide"),
    ],
)
def test_a_sheet_beyond_excel_limits_is_refused(seeded, tmp_path, rows, row, fragment):
    content = _zip(_workbook_parts(_sheet_xml(rows)))
    (issue,) = _refused(seeded, tmp_path, content, "limites.xlsx").issues
    assert issue.row == row and fragment in issue.message, issue


def test_a_workbook_formula_is_read_as_its_value_never_as_a_formula(seeded, tmp_path):
    """Excel stores each formula's last value: that is what is imported. A formula with no
    stored value (written by a script) is an empty cell, never its text."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["entreprise", "municipalite", "type", "matiere", "description"])
    book.active.append(["Formules inc.", "Alma", "offre", "bois.sciure", "=cmd|' /C calc'!A0"])
    path = tmp_path / "formules.xlsx"
    book.save(path)
    before = {f.id for f in seeded.repo.flows()}
    seeded.import_file(path)
    (flow,) = [f for f in seeded.repo.flows() if f.id not in before]
    assert not flow.description.startswith("=")


# --- GeoJSON --------------------------------------------------------------------------------------
#
# No GeoJSON a user supplies is read anywhere: parks (``reference.read_parks``), roads
# (``routing.road_lines.read_road_lines``) and the offline basemap come from ``DATA_DIR``, which the
# operator controls. The road reader is the one that promises a typed error
# (:class:`RoadNetworkError` naming the file, the feature and the property), so it is held to
# that here. The bugs it found in ``mapservice/routing/graph.py`` (below) are fixed; these tests
# keep them fixed.

ROAD_READER_BUGS = (
    "routing/graph.py read_road_lines: a geometry without 'coordinates' raises KeyError; "
    "nesting deeper than ~1000 raises RecursionError and an integer of 4,300+ digits ValueError "
    "(json.loads, only OSError/UnicodeDecodeError/JSONDecodeError are caught); "
    "speed_kmh Infinity is accepted"
)

_FINITE = st.floats(-200, 200, allow_nan=False)
_NUMBERS = st.one_of(
    _FINITE,
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e309]),
    st.integers(-(10**6), 10**6),
    st.just(10**400),
    st.booleans(),
)
_POSITION: st.SearchStrategy[Any] = st.one_of(
    st.tuples(st.floats(-71.5, -70.5), st.floats(48.0, 49.0)).map(list),
    st.lists(_NUMBERS, max_size=4),
    st.sampled_from([None, "a", {}, [[]], [-71, None]]),
)
_COORDS = st.one_of(
    st.lists(_POSITION, max_size=6),
    st.lists(st.lists(_POSITION, max_size=4), max_size=3),  # rings, parts
    st.sampled_from([None, "abc", 5, [], [[]], [-71.0, 48.4]]),
    st.integers(2, 20_000).map(lambda n: [[-71 + i * 1e-5, 48.4] for i in range(n)]),
    st.just([[-71.0, 48.4], [-71.1, 48.5], [-71.0, 48.5], [-71.1, 48.4]]),  # self-crossing
)
_GEOMETRY = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "LineString",
                    "MultiLineString",
                    "Polygon",
                    "Point",
                    "GeometryCollection",
                    "linestring",
                    "",
                ]
            )
        },
        optional={
            "coordinates": _COORDS,
            "crs": st.just({"type": "name", "properties": {"name": "EPSG:32619"}}),
            "geometries": st.just([]),
        },
    ),
    st.sampled_from([None, [], "LineString", 0]),
)
_PROPERTIES: st.SearchStrategy[Any] = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(
                ["route", "autoroute", "arterial", "bridge", "sentier", None, 1]
            ),
            "speed_kmh": _NUMBERS | st.sampled_from(["90", None]),
            "bridge": st.sampled_from([False, True, "non", None]),
            "id": st.text(max_size=5) | st.integers(),
            "name": st.sampled_from(["", "x" * 5_000_000, "Route\x00170"]),
        },
    ),
    st.sampled_from([None, [], "props"]),
)
_FEATURE = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["Feature", "feature", "FeatureCollection"])},
        optional={"properties": _PROPERTIES, "geometry": _GEOMETRY},
    ),
    st.sampled_from([None, [], "Feature", 3]),
)
_DOCUMENT = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("FeatureCollection"), "features": st.lists(_FEATURE, max_size=4)},
        optional={
            "crs": st.just({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32619"}}),
            "bbox": st.lists(_NUMBERS, max_size=4),
        },
    ),
    _FEATURE,
    st.sampled_from([None, [], "FeatureCollection", {"type": "FeatureCollection"}]),
)
_TEXT = st.one_of(
    _DOCUMENT.map(lambda doc: json.dumps(doc, allow_nan=True).encode()),
    st.integers(900, 200_000).map(
        lambda n: b'{"type":"FeatureCollection","features":[' + b"[" * n + b"]" * n + b"]}"
    ),
    st.just(
        b'{"type":"FeatureCollection","features":[{"properties":{"speed_kmh":'
        + b"9" * 5000
        + b"}}]}"
    ),
    st.just(b'"' + b"x" * 5_000_000 + b'"'),
    st.binary(max_size=200),
    st.just(b"\xef\xbb\xbf{}"),
    st.just(b'{"type":"FeatureCollection","features":[]'),
)


@settings(
    _FUZZ, max_examples=150, phases=[Phase.explicit, Phase.generate], report_multiple_bugs=False
)
@given(content=_TEXT)
def test_hostile_road_geojson_is_read_or_refused_naming_the_feature(tmp_path, content):
    from mapservice.errors import RoadNetworkError
    from mapservice.routing.graph import RoadGraph
    from mapservice.routing.road_lines import read_road_lines

    path = tmp_path / "routes.geojson"
    path.write_bytes(content)
    try:
        lines = read_road_lines(path)
    except RoadNetworkError as exc:
        assert str(path) in exc.message
        return
    for line in lines:
        assert len(line.coords) >= 2
        assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in line.coords)
        assert line.props["kind"] in ("autoroute", "route", "arterial", "bridge")
        assert 0 < line.props["speed_kmh"] < math.inf, line.props
    try:
        RoadGraph(lines, source=str(path))
    except RoadNetworkError as exc:
        assert "aucun tronçon" in exc.message


def _known_bug(content: bytes, bug: type[BaseException]) -> Any:
    """An input that raised ``bug`` before the fix (see :data:`ROAD_READER_BUGS`)."""
    return pytest.param(content, id=bug.__name__)


@pytest.mark.parametrize(
    "content",
    [
        _known_bug(
            b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
            b'{"kind":"route","speed_kmh":50},"geometry":{"type":"LineString"}}]}',
            KeyError,
        ),
        _known_bug(
            b'{"type":"FeatureCollection","features":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            RecursionError,
        ),
        _known_bug(
            b'{"type":"FeatureCollection","features":[{"properties":{"speed_kmh":'
            + b"9" * 5000
            + b"}}]}",
            ValueError,
        ),
        _known_bug(
            b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
            b'{"kind":"route","speed_kmh":Infinity},"geometry":{"type":"LineString",'
            b'"coordinates":[[-71,48.4],[-71.1,48.4]]}}]}',
            pytest.fail.Exception,
        ),
    ],
)
def test_a_malformed_road_file_is_refused_naming_it(tmp_path, content):
    from mapservice.errors import RoadNetworkError
    from mapservice.routing.road_lines import read_road_lines

    path = tmp_path / "routes.geojson"
    path.write_bytes(content)
    with pytest.raises(RoadNetworkError, match="routes.geojson"):
        read_road_lines(path)
