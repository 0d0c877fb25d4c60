"""The registry pages through the Flask test client, over a private copy of the demo database."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest

from mapservice.domain.typography import french
from mapservice.errors import ImportRejected
from mapservice.geocoding.jobs import move_site

HOSTILE = "<script>alert(1)</script>"
GOOD_ROWS = [
    [
        "entreprise",
        "secteur_scian",
        "site",
        "adresse",
        "municipalite",
        "code_postal",
        "type",
        "matiere",
        "description",
        "quantite",
        "unite",
        "frequence",
    ],
    [
        "Brasserie du Fjord (essai)",
        "312120",
        "",
        "12, rue Racine Est",
        "Chicoutimi",
        "G7H 5B1",
        "offre",
        "drêche de brasserie",
        "Drêche humide",
        "2,5",
        "t/an",
        "hebdomadaire",
    ],
    [
        "Brasserie du Fjord (essai)",
        "312120",
        "",
        "12, rue Racine Est",
        "Chicoutimi",
        "G7H 5B1",
        "besoin",
        "palettes",
        "Palettes pour expédition",
        "",
        "",
        "",
    ],
]
BAD_ROWS = [
    GOOD_ROWS[0],
    [
        "Brasserie du Fjord (essai)",
        "31x",
        "",
        "",
        "Chicoutimi",
        "G7H 5B1",
        "offre",
        "drêche de brasserie",
        "",
        "2,5",
        "t/an",
        "",
    ],
    ["", "", "", "", "Chicoutimi", "", "cadeau", "matière inconnue xyz", "", "-3", "t/an", ""],
    ["Autre (essai)", "", "", "", "Atlantide", "", "offre", "bois.sciure", "", "", "", ""],
]


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(";".join(row) for row in rows).encode("utf-8")


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def svc(app):
    return app.extensions["mapservice"]


def _text(response) -> str:
    return response.get_data(as_text=True)


def _field_error(page: str, field: str) -> str:
    """The message shown under ``field``; also checks the input points at it."""
    match = re.search(rf'<p class="field-error" id="f-{field}-erreur">(.*?)</p>', page, re.S)
    assert match, f"no error next to {field}"
    control = re.search(rf'<(?:input|select|textarea)[^>]*id="f-{field}"[^>]*>', page)
    assert control, f"no control f-{field}"
    assert 'aria-invalid="true"' in control.group(0)
    assert f"f-{field}-erreur" in re.search(r'aria-describedby="([^"]*)"', control.group(0)).group(
        1
    )
    assert f'href="#f-{field}"' in page  # linked from the summary at the top
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def _value(page: str, field: str) -> str:
    control = re.search(rf'<input[^>]*id="f-{field}"[^>]*>', page).group(0)
    return html.unescape(re.search(r'value="([^"]*)"', control).group(1))


# --- members ----------------------------------------------------------------------------------


def test_the_member_list_counts_and_searches(client, svc):
    page = _text(client.get("/registre/"))
    members = svc.repo.members()
    assert page.count("data-member=") == len(members)
    first = members[0]
    counts = svc.repo.member_counts()[first.id]
    row = re.search(rf'<tr data-member="{first.id}">.*?</tr>', page, re.S).group(0)
    assert html.escape(first.name, quote=True) in row or first.name in row
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)] == list(counts)
    found = _text(client.get("/registre/?q=FERME"))
    assert 0 < found.count("data-member=") < len(members)
    assert all(
        "ferme" in m.lower() for m in re.findall(r'<th scope="row"><a [^>]*>([^<]*)<', found)
    )
    hostile = _text(client.get("/registre/", query_string={"q": HOSTILE}))
    assert HOSTILE not in hostile and html.escape(HOSTILE, quote=False) in hostile


def test_add_a_member_then_a_site_then_flows_edit_and_delete(client, svc):
    before = svc.repo.counts()
    response = client.post(
        "/registre/membres/nouveau",
        data={
            "name": "Usinage Péribonka (essai)",
            "naics_code": "332710",
            "contact_email": "info@peribonka.example",
            "public_consent": "on",
        },
    )
    assert response.status_code == 303
    member_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = _text(client.get(response.headers["Location"]))
    assert 'role="status">Membre ajouté' in page
    member = svc.repo.get_member(member_id)
    assert (member.naics_code, member.public_consent) == ("332710", True)

    response = client.post(
        f"/registre/membres/{member_id}/sites/nouveau",
        data={
            "name": "",
            "address": "1200, rue des Pins",
            "municipality_id": "saguenay-chicoutimi",
            "postal_code": "g7h5b1",
        },
    )
    assert response.status_code == 303
    site_id = int(response.headers["Location"].rsplit("/", 1)[1])
    site = svc.repo.get_site(site_id)
    assert (site.name, site.postal_code, site.geocode_precision.value) == (
        "1200, rue des Pins",
        "G7H 5B1",
        "postcode",
    )  # named by its address, as on import
    assert (round(site.lat, 3), round(site.lon, 3)) == (48.373, -71.069)
    assert site.geocoded_by == "registre (formulaire)"
    page = _text(client.get(f"/registre/membres/{member_id}"))
    assert f'data-site="{site_id}"' in page

    response = client.post(
        f"/registre/sites/{site_id}/flux/nouveau",
        data={
            "direction": "output",
            "category_text": "retailles d'alu",
            "description": "Retailles d'usinage",
            "quantity": "2,5",
            "unit": "t_per_year",
            "frequency": "monthly",
            "hazardous": "on",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/registre/sites/{site_id}")
    page = _text(client.get(response.headers["Location"]))
    assert french("classé dans « Retailles et chutes d&#39;aluminium »") in page
    (flow,) = svc.repo.flows(site_ids=[site_id])
    assert (flow.category_code, flow.quantity, flow.unit.value, flow.hazardous) == (
        "metaux.aluminium.retailles",
        2.5,
        "t_per_year",
        True,
    )
    assert f'data-flow="{flow.id}"' in page and "2,5\u00a0t/an" in page

    form = _text(client.get(f"/registre/flux/{flow.id}"))
    assert _value(form, "quantity") == "2,5"
    assert re.search(r'<option value="metaux.aluminium.retailles" selected>', form)
    response = client.post(
        f"/registre/flux/{flow.id}",
        data={
            "direction": "output",
            "category_code": "metaux.aluminium.retailles",
            "description": "Retailles d'usinage triées",
            "quantity": "1 200",
            "unit": "t_per_year",
            "confidential": "on",
        },
    )
    assert response.status_code == 303
    flow = svc.repo.get_flow(flow.id)
    assert (flow.quantity, flow.confidential, flow.hazardous, flow.frequency) == (
        1200.0,
        True,
        False,
        None,
    )

    response = client.post(f"/registre/flux/{flow.id}/supprimer")
    assert response.status_code == 303
    page = _text(client.get(response.headers["Location"]))
    assert "supprimé" in page and f'data-flow="{flow.id}"' not in page
    after = svc.repo.counts()
    assert (after["members"], after["sites"], after["flows"]) == (
        before["members"] + 1,
        before["sites"] + 1,
        before["flows"],
    )


def test_editing_a_member_keeps_what_was_not_touched(client, svc):
    member = svc.repo.members()[0]
    response = client.post(
        f"/registre/membres/{member.id}",
        data={
            "name": member.name,
            "naics_code": member.naics_code,
            "contact_name": "Nouvelle personne",
            "contact_email": member.contact_email,
            "contact_phone": member.contact_phone,
        },
    )
    assert response.status_code == 303
    changed = svc.repo.get_member(member.id)
    assert changed.contact_name == "Nouvelle personne" and changed.public_consent is False


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("name", "", "obligatoire"),
        ("name", "x" * 201, "Au plus 200 caractères"),
        ("naics_code", "3211a", "2 à 6 chiffres"),
        ("naics_code", "1", "2 à 6 chiffres"),
        ("contact_email", "julie@", "Adresse invalide"),
        ("contact_email", "julie tremblay@x.ca", "Adresse invalide"),
        ("contact_phone", "555", "Numéro invalide"),
    ],
)
def test_each_member_error_is_shown_next_to_its_field(client, svc, field, typed, message):
    before = svc.repo.counts()["members"]
    data = {"name": "Entreprise valide", field: typed}
    response = client.post("/registre/membres/nouveau", data=data)
    assert response.status_code == 422
    page = _text(response)
    assert message in _field_error(page, field)
    assert _value(page, field) == typed
    assert 'role="alert"' in page
    assert svc.repo.counts()["members"] == before


def test_every_member_error_comes_at_once_and_input_is_kept(client):
    data = {
        "name": "",
        "naics_code": "abc",
        "contact_email": "non",
        "contact_phone": "1",
        "contact_name": HOSTILE,
    }
    page = _text(client.post("/registre/membres/nouveau", data=data))
    for field in ("name", "naics_code", "contact_email", "contact_phone"):
        _field_error(page, field)
    assert _value(page, "contact_name") == HOSTILE and HOSTILE not in page
    assert "4 champs à corriger" in page


def test_a_member_name_already_taken_is_refused_on_its_field(client, svc):
    taken = svc.repo.members()[1]
    response = client.post("/registre/membres/nouveau", data={"name": taken.name.upper()})
    assert response.status_code == 422
    assert "déjà ce nom" in _field_error(_text(response), "name")
    other = svc.repo.members()[0]
    response = client.post(f"/registre/membres/{other.id}", data={"name": taken.name})
    assert response.status_code == 422 and svc.repo.get_member(other.id).name == other.name


def test_a_hostile_name_is_escaped_everywhere(client, svc):
    response = client.post("/registre/membres/nouveau", data={"name": HOSTILE})
    member_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = client.post(
        f"/registre/membres/{member_id}/sites/nouveau",
        data={"name": HOSTILE, "municipality_id": "alma"},
    )
    site_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = client.post(
        f"/registre/sites/{site_id}/flux/nouveau",
        data={"direction": "input", "category_code": "bois.sciure", "description": HOSTILE},
    )
    flow_id = svc.repo.flows(site_ids=[site_id])[0].id
    for url in (
        "/registre/",
        f"/registre/membres/{member_id}",
        f"/registre/sites/{site_id}",
        f"/registre/flux/{flow_id}",
    ):
        page = _text(client.get(url))
        assert HOSTILE not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
    page = _text(client.post(f"/registre/flux/{flow_id}/supprimer", follow_redirects=True))
    assert HOSTILE not in page and "&lt;script&gt;" in page


# --- sites ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"municipality_id": ""}, "municipality_id", "Choisissez la municipalité"),
        ({"municipality_id": "atlantide"}, "municipality_id", "Municipalité inconnue"),
        ({"postal_code": "G7H 5B"}, "postal_code", "Code postal mal formé"),
        ({"postal_code": "H2X 1Y4"}, "postal_code", "pas du Saguenay"),
        ({"lat": "48,42"}, "lon", "vont ensemble"),
        ({"lat": "48 nord", "lon": "-71"}, "lat", "Latitude invalide"),
        ({"lat": "45,5", "lon": "-73,56"}, "lat", "hors du Saguenay"),
        ({"lat": "-71,07", "lon": "48,42"}, "lat", "inversées"),
        ({"address": "a" * 301}, "address", "Au plus 300 caractères"),
    ],
)
def test_each_site_error_is_shown_next_to_its_field(client, svc, data, field, message):
    member = svc.repo.members()[0]
    before = svc.repo.counts()["sites"]
    form = {"name": "Entrepôt", "municipality_id": "alma", **data}
    response = client.post(f"/registre/membres/{member.id}/sites/nouveau", data=form)
    assert response.status_code == 422
    page = _text(response)
    assert message in _field_error(page, field)
    for name, typed in form.items():
        if name != "municipality_id":
            assert _value(page, name) == typed
    assert svc.repo.counts()["sites"] == before


def test_a_site_placed_by_hand_stays_put_when_only_its_name_changes(client, svc, app):
    site = next(s for s in svc.repo.sites() if s.geocode_precision.value == "municipality")
    move_site(svc, site.id, -71.0500, 48.4300, "Julie")
    placed = svc.repo.get_site(site.id)
    form = _text(client.get(f"/registre/sites/{site.id}"))
    values = {name: _value(form, name) for name in ("name", "address", "postal_code", "lat", "lon")}
    values["municipality_id"] = placed.municipality_id or ""
    assert values["lat"] == "48.430000"
    response = client.post(f"/registre/sites/{site.id}", data={**values, "name": "Renommé"})
    assert response.status_code == 303
    after = svc.repo.get_site(site.id)
    assert after.name == "Renommé"
    assert (after.lat, after.lon, after.geocode_source, after.geocoded_by) == (
        placed.lat,
        placed.lon,
        "correction-manuelle",
        "Julie",
    )

    # A new postal code places it again, and the live index follows.
    assert site.id in svc.site_index
    response = client.post(
        f"/registre/sites/{site.id}",
        data={
            **values,
            "lat": "",
            "lon": "",
            "postal_code": "G7H 5B1",
            "municipality_id": "saguenay-chicoutimi",
        },
    )
    assert response.status_code == 303
    after = svc.repo.get_site(site.id)
    assert (after.geocode_precision.value, round(after.lat, 3)) == ("postcode", 48.373)
    assert svc.site_index.point(site.id) == (after.lon, after.lat)


def test_coordinates_in_a_park_put_the_site_in_that_park(client, svc):
    member = svc.repo.members()[0]
    response = client.post(
        f"/registre/membres/{member.id}/sites/nouveau",
        data={
            "name": "Atelier au parc",
            "municipality_id": "saint-felicien",
            "lat": "48,64",
            "lon": "-72,425",
        },
    )
    site = svc.repo.get_site(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (site.park_id, site.geocode_precision.value) == ("saint-felicien-nouveau", "manual")
    page = _text(client.get(f"/registre/sites/{site.id}"))
    assert "Nouveau parc industriel de Saint-Félicien" in page


def test_a_site_name_already_used_by_the_member_is_refused(client, svc):
    site = svc.repo.sites()[0]
    response = client.post(
        f"/registre/membres/{site.member_id}/sites/nouveau",
        data={"name": site.name.upper(), "municipality_id": "alma"},
    )
    assert response.status_code == 422
    assert "déjà un site de ce nom" in _field_error(_text(response), "name")


# --- flows ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"direction": ""}, "direction", "offre"),
        ({"category_code": ""}, "category_code", "Choisissez une matière"),
        ({"category_code": "bois.inexistant"}, "category_code", "Matière inconnue"),
        (
            {"category_code": "", "category_text": "truc bizarre inconnu"},
            "category_text",
            "non reconnue",
        ),
        ({"description": "  "}, "description", "Décrivez"),
        ({"quantity": "12 t"}, "quantity", "Quantité invalide"),
        ({"quantity": "-2,5"}, "quantity", "négative"),
        ({"unit": ""}, "unit", "demande son unité"),
        ({"unit": "kg"}, "unit", "Unité inconnue"),
        ({"frequency": "parfois"}, "frequency", "Fréquence inconnue"),
    ],
)
def test_each_flow_error_is_shown_next_to_its_field(client, svc, data, field, message):
    site = svc.repo.sites()[0]
    before = svc.repo.counts()["flows"]
    form = {
        "direction": "output",
        "category_code": "bois.sciure",
        "description": "Sciure",
        "quantity": "3",
        "unit": "t_per_year",
        **data,
    }
    response = client.post(f"/registre/sites/{site.id}/flux/nouveau", data=form)
    assert response.status_code == 422
    page = _text(response)
    if field == "direction":  # radios: the message sits in their fieldset
        assert message in re.search(r'id="f-direction-erreur">(.*?)</p>', page, re.S).group(1)
        assert re.search(r'<input type="radio" id="f-direction"[^>]*aria-invalid="true"', page)
    else:
        assert message in _field_error(page, field)
    if field in ("quantity", "category_text"):
        assert _value(page, field) == form[field]
    assert svc.repo.counts()["flows"] == before


def test_a_flow_error_keeps_every_choice_made(client, svc):
    site = svc.repo.sites()[0]
    page = _text(
        client.post(
            f"/registre/sites/{site.id}/flux/nouveau",
            data={
                "direction": "input",
                "category_code": "bois.copeaux",
                "description": "",
                "quantity": "2,5",
                "unit": "m3_per_year",
                "frequency": "seasonal",
                "confidential": "on",
            },
        )
    )
    assert re.search(r'id="f-direction-input" name="direction" value="input" checked', page)
    assert '<option value="bois.copeaux" selected>' in page
    assert '<option value="m3_per_year" selected>' in page
    assert '<option value="seasonal" selected>' in page
    assert re.search(r'id="f-confidential" name="confidential" value="on" checked', page)
    assert not re.search(r'id="f-hazardous" name="hazardous" value="on" checked', page)


def test_a_hazardous_category_makes_a_hazardous_flow_and_lines_are_kept(client, svc):
    site = svc.repo.sites()[0]
    response = client.post(
        f"/registre/sites/{site.id}/flux/nouveau",
        data={
            "direction": "output",
            "category_code": "chimiques.huiles_usees",
            "description": "  Huiles   usées\r\nbarils de 205 L  ",
            "quantity": "0,4",
            "unit": "m3_per_year",
        },
    )
    assert response.status_code == 303
    flow = next(
        f for f in svc.repo.flows(site_ids=[site.id]) if f.category_code == "chimiques.huiles_usees"
    )
    assert (flow.hazardous, flow.description, flow.quantity) == (
        True,
        "Huiles usées\nbarils de 205 L",
        0.4,
    )


def test_a_duplicate_flow_is_refused_on_its_description(client, svc):
    flow = svc.repo.flows()[0]
    response = client.post(
        f"/registre/sites/{flow.site_id}/flux/nouveau",
        data={
            "direction": flow.direction.value,
            "category_code": flow.category_code,
            "description": flow.description.upper(),
        },
    )
    assert response.status_code == 422
    assert "déjà ce flux" in _field_error(_text(response), "description")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/registre/membres/99999"),
        ("post", "/registre/membres/99999"),
        ("get", "/registre/membres/99999/sites/nouveau"),
        ("post", "/registre/membres/99999/sites/nouveau"),
        ("get", "/registre/sites/99999"),
        ("post", "/registre/sites/99999"),
        ("get", "/registre/sites/99999/flux/nouveau"),
        ("post", "/registre/sites/99999/flux/nouveau"),
        ("get", "/registre/flux/99999"),
        ("post", "/registre/flux/99999"),
        ("post", "/registre/flux/99999/supprimer"),
        ("post", "/registre/import/0123456789abcdef0123456789abcdef"),
        ("post", "/registre/import/..%2F..%2Fsecret_key"),
    ],
)
def test_unknown_ids_are_404(client, method, url):
    assert getattr(client, method)(url, data={"name": "x"}).status_code == 404


# --- import -----------------------------------------------------------------------------------


def _upload(client, content: bytes, filename: str):
    return client.post(
        "/registre/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _imports(app) -> list[str]:
    folder = Path(app.instance_path) / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize(
    ("filename", "content"), [("membres.csv", _csv(GOOD_ROWS)), ("Membres.XLSX", _xlsx(GOOD_ROWS))]
)
def test_an_import_is_previewed_then_confirmed(client, svc, app, filename, content):
    before = svc.repo.counts()
    response = _upload(client, content, filename)
    assert response.status_code == 200
    page = _text(response)
    assert svc.repo.counts() == before  # the dry run wrote nothing
    assert filename in page
    members = re.search(r'<tr data-table="members">.*?</tr>', page, re.S).group(0)
    assert '<td class="num" data-count="inserted">1</td>' in members
    assert '<td class="num" data-count="inserted">2</td>' in re.search(
        r'<tr data-table="flows">.*?</tr>', page, re.S
    ).group(0)
    token = re.search(r'action="/registre/import/([0-9a-f]{32})"', page).group(1)
    assert "Confirmer l&#39;import" in page or "Confirmer l'import" in page
    assert len(_imports(app)) == 2  # the file and what it was called

    response = client.post(f"/registre/import/{token}")
    assert response.status_code == 303
    after = svc.repo.counts()
    assert (after["members"], after["sites"], after["flows"]) == (
        before["members"] + 1,
        before["sites"] + 1,
        before["flows"] + 2,
    )
    assert _imports(app) == []
    page = _text(client.get(response.headers["Location"]))
    assert 'id="resultat"' in page and filename in page
    assert client.post(f"/registre/import/{token}").status_code == 404  # not twice
    # The same file again changes nothing, and says so.
    page = _text(_upload(client, content, filename))
    assert "rien à importer" in page and 'id="confirmer"' not in page
    assert _imports(app) == []


@pytest.mark.parametrize(
    ("filename", "content"), [("erreurs.csv", _csv(BAD_ROWS)), ("erreurs.xlsx", _xlsx(BAD_ROWS))]
)
def test_an_import_with_errors_lists_every_one_and_writes_nothing(
    client, svc, app, tmp_path, filename, content
):
    (tmp_path / filename).write_bytes(content)
    with pytest.raises(ImportRejected) as rejected:
        svc.import_file(tmp_path / filename, dry_run=True)
    before = svc.repo.counts()
    response = _upload(client, content, filename)
    assert response.status_code == 422
    page = _text(response)
    body = re.search(r'<table class="list issues" id="problemes">.*?</table>', page, re.S)
    rows = re.findall(
        r"<tr>\s*<td class=\"num\">(\d+|—)</td>\s*<td>(.*?)</td>", body.group(0), re.S
    )
    columns = {(row, re.sub(r"<[^>]+>", "", col)) for row, col in rows}
    assert {
        ("2", "secteur_scian"),
        ("3", "entreprise"),
        ("3", "type"),
        ("3", "quantite"),
        ("4", "municipalite"),
    } <= columns
    assert len(rows) == len(columns) == len(rejected.value.issues)
    numbers = [int(row) for row, _col in rows]
    assert numbers == sorted(numbers)  # in file order, the geocoder's findings included
    assert "rien n&#39;a été importé" in page.lower() or "rien n'a été importé" in page.lower()
    assert svc.repo.counts() == before
    assert _imports(app) == []


@pytest.mark.parametrize(
    ("filename", "content", "status", "message"),
    [
        ("membres.txt", b"entreprise;type\n", 422, "Format non pris en charge"),
        ("membres.xls", b"\xd0\xcf\x11\xe0", 422, "Format non pris en charge"),
        ("", b"", 422, "Choisissez un fichier"),
        ("vide.csv", b"", 422, "est vide"),
    ],
)
def test_a_wrong_upload_is_refused_with_a_clear_message(
    client, svc, app, filename, content, status, message
):
    before = svc.repo.counts()
    response = _upload(client, content, filename)
    assert response.status_code == status
    assert message in _field_error(_text(response), "file")
    assert svc.repo.counts() == before and _imports(app) == []


def test_no_file_at_all_and_a_file_too_big(client, app):
    response = client.post("/registre/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choisissez un fichier" in _field_error(_text(response), "file")
    app.config["IMPORT_MAX_BYTES"] = 100
    response = _upload(client, _csv(GOOD_ROWS), "gros.csv")
    assert response.status_code == 413
    assert "trop volumineux" in _field_error(_text(response), "file")
    assert _imports(app) == []


def test_the_import_page_explains_the_columns_and_its_template_imports(client, svc):
    page = _text(client.get("/registre/import"))
    for name in ("entreprise", "municipalite", "type", "matiere", "quantite", "unite"):
        assert f"<code>{name}</code>" in page
    assert 'accept=".csv,.xlsx' in page and 'enctype="multipart/form-data"' in page
    response = client.get("/registre/import/modele.csv")
    assert response.mimetype == "text/csv"
    before = svc.repo.counts()
    preview = _upload(client, response.data, "modele-import.csv")
    assert preview.status_code == 200 and svc.repo.counts() == before


def test_an_upload_is_claimed_once_and_old_ones_are_swept(app, tmp_path):
    import os

    from mapservice.errors import NotFound
    from mapservice.web import uploads

    with app.test_request_context():
        first = uploads.save(tmp_path, io.BytesIO(b"a;b\n"), r"C:\Users\lea\x.CSV", max_bytes=99)
        assert (first.source, first.path.name) == ("x.CSV", f"{first.token}.csv")
        claimed = uploads.claim(tmp_path, first.token)
        with pytest.raises(NotFound):
            uploads.claim(tmp_path, first.token)  # a second confirmation finds nothing
        uploads.discard(claimed)
        assert list(uploads.folder(tmp_path).iterdir()) == []
        stale = uploads.save(tmp_path, io.BytesIO(b"a;b\n"), "vieux.csv", max_bytes=99)
        for path in uploads.folder(tmp_path).iterdir():
            os.utime(path, (0, 0))
        fresh = uploads.save(
            tmp_path, io.BytesIO(_xlsx([["a", "b"]])), "neuf.xlsx", max_bytes=99_999
        )  # a real workbook: the content is checked
        names = sorted(p.name for p in uploads.folder(tmp_path).iterdir())
        assert names == sorted([f"{fresh.token}.xlsx", f"{fresh.token}.json"])
        assert not stale.path.exists()


def test_form_errors_come_in_the_page_language_and_french_elsewhere(client):
    """The core's messages go through the edge's translator, per request."""
    from mapservice.errors import FormErrors
    from mapservice.registry.jobs import member_values

    english = _text(client.post("/registre/membres/nouveau?lang=en", data={"name": ""}))
    assert "The company name is required." in _field_error(english, "name")
    french = _text(client.post("/registre/membres/nouveau?lang=fr", data={"name": ""}))
    assert "obligatoire" in _field_error(french, "name")
    # Outside a request (the CLI, a notebook) on the same thread: the French source.
    with pytest.raises(FormErrors) as caught:
        member_values({"name": "x" * 201})
    assert caught.value.fields["name"] == "Au plus 200 caractères (201 reçus)."
