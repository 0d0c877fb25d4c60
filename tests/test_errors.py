"""Errors say their message in French by default and in the page's language at the web edge:
core errors carry a template, its parameters and a stable code (``mapservice.errors``)."""

from __future__ import annotations

import html
import io
import json
import pickle
import re
from pathlib import Path

import pytest

from mapservice.domain.typography import french
from mapservice.errors import (
    FormErrors,
    ImportIssue,
    ImportRejected,
    InvalidInput,
    Message,
    NotFound,
    message_data,
    message_from_data,
    ntr,
    say,
    tr,
)

# --- the message itself -----------------------------------------------------------------------


def _english(template: str) -> str:
    """A stand-in catalogue: a few templates, the rest untranslated."""
    return {
        "Flux inconnu : {flow_id}.": "Unknown flow: {flow_id}.",
        "Le point ({lat:.5f}) est loin de {where}.": "The point ({lat:.5f}) is far from {where}.",
        "le parc": "the park",
        "Cassé : {flow_id}.": "Broken: {missing}.",
    }.get(template, template)


def test_a_message_is_its_french_text_and_keeps_its_template_and_parameters():
    message = tr("Flux inconnu : {flow_id}.", flow_id=12)
    assert isinstance(message, str) and message == "Flux inconnu : 12."
    assert (message.template, message.params) == ("Flux inconnu : {flow_id}.", {"flow_id": 12})
    error = InvalidInput(message, field="flow")
    assert str(error) == error.message == "Flux inconnu : 12."
    assert error.to_dict() == {
        "error": "invalid_input",
        "code": "invalid_input",
        "message": "Flux inconnu : 12.",
        "field": "flow",
    }


def test_render_translates_nested_messages_and_writes_decimals_for_the_locale():
    message = tr("Le point ({lat:.5f}) est loin de {where}.", lat=48.5, where=tr("le parc"))
    assert message == "Le point (48.50000) est loin de le parc."  # French, as Python writes it
    assert message.render(_english) == "The point (48.50000) is far from the park."
    comma = message.render(_english, lambda value, spec: f"{value:{spec}}".replace(".", ","))
    assert comma == "The point (48,50000) is far from the park."
    # a translation whose placeholders do not match falls back to the French template
    assert tr("Cassé : {flow_id}.", flow_id=3).render(_english) == "Cassé : 3."


def test_say_walks_dicts_and_lists_and_leaves_the_rest_alone():
    found = say(
        {
            "message": tr("Flux inconnu : {flow_id}.", flow_id=1),
            "n": 2,
            "issues": [{"message": tr("le parc")}],
            "plain": "texte",
        },
        _english,
    )
    assert found == {
        "message": "Unknown flow: 1.",
        "n": 2,
        "issues": [{"message": "the park"}],
        "plain": "texte",
    }
    assert type(found["message"]) is str


def test_a_message_survives_pickling():
    message = tr("Flux inconnu : {flow_id}.", flow_id=7)
    again = pickle.loads(pickle.dumps(message))
    assert isinstance(again, Message) and again == message and again.params == {"flow_id": 7}


@pytest.mark.parametrize(("n", "french_text"), [(0, "0 erreur"), (1, "1 erreur"), (2, "2 erreurs")])
def test_a_plural_message_says_french_from_2_on_and_asks_ngettext_elsewhere(n, french_text):
    message = ntr("{n} erreur", "{n} erreurs", n)
    assert message == french_text
    english = {("{n} erreur", "{n} erreurs"): ("{n} error", "{n} errors")}
    said = message.render(str, None, lambda one, many, k: english[one, many][k != 1])
    assert said == f"{n} error" + ("" if n == 1 else "s")
    again = message_from_data(json.loads(json.dumps(message_data(message))))
    assert again == message and (again.plural, again.plural_n) == ("{n} erreurs", n)
    assert pickle.loads(pickle.dumps(message)).plural_n == n
    assert message.render(str) == french_text  # without ngettext: the French form


def test_plural_forms_and_import_issues_stay_french_for_the_cli():
    assert FormErrors({"a": "x"}).message == "Le formulaire contient 1 erreur."
    assert FormErrors({"a": "x", "b": "y"}).message == "Le formulaire contient 2 erreurs."
    issue = ImportIssue(3, "quantite", "-3", tr("un nombre"), tr("Quantité négative."))
    assert str(issue) == (
        "ligne 3, colonne « quantite »: Quantité négative. (attendu : un nombre ; reçu '-3')"
    )
    rejected = ImportRejected(issues=[issue], source="a.csv")
    assert rejected.message == "Importation refusée : 1 erreur dans a.csv"
    assert rejected.to_dict()["code"] == "import_rejected"
    assert ImportRejected(issues=[issue, issue]).message == (
        "Importation refusée : 2 erreurs dans le fichier"
    )


def test_the_core_raises_translatable_messages():
    from mapservice.importing.values import CellError, parse_number

    with pytest.raises(CellError) as cell:
        parse_number("1,5E+03")
    assert isinstance(cell.value.args[0], Message)
    assert str(cell.value).startswith("notation scientifique non acceptée")


# --- at the web edge -----------------------------------------------------------------------------


def _in(client, lang: str | None) -> None:
    if lang:
        client.set_cookie("lang", lang)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (None, "Aucun site n'a l'identifiant 999999."),
        ("fr", "Aucun site n'a l'identifiant 999999."),
        ("en", "No site has the id 999999."),
    ],
)
def test_a_missing_site_is_a_404_in_the_pages_language_with_a_stable_code(client, lang, said):
    _in(client, lang)
    page = client.get("/sites/999999", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert said in html.unescape(page.get_data(as_text=True))
    api = client.get("/api/v1/sites/999999/synergies")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    body = api.get_json()
    assert (body["error"], body["code"], body["message"], body["detail"]) == (
        "not_found",
        "not_found",
        said,
        said,
    )


def test_the_language_parameter_picks_the_language_of_an_error_page(client):
    page = client.get("/sites/999999?lang=en", headers={"Accept": "text/html"})
    assert "No site has the id 999999." in html.unescape(page.get_data(as_text=True))


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", french("Paramètre max_km invalide : 'loin' n'est pas un nombre.")),
        ("en", "Invalid max_km parameter: 'loin' is not a number."),
    ],
)
def test_an_api_parameter_error_is_said_in_the_asked_language(client, app, lang, said):
    site = next(s for s in app.extensions["mapservice"].repo.sites() if s.lon is not None)
    _in(client, lang)
    answer = client.get(f"/api/v1/sites/{site.id}/synergies?max_km=loin")
    assert answer.status_code == 422
    assert answer.get_json()["message"] == said
    assert (answer.get_json()["code"], answer.get_json()["field"]) == ("invalid_input", "max_km")


def _upload(client, content: bytes, filename: str):
    return client.post(
        "/registre/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


_BAD_CSV = (
    "entreprise;secteur_scian;municipalite;type;matiere;quantite;unite\n"
    "Brasserie (essai);;Chicoutimi;parfois;matière inconnue xyz;-3;t/an\n"
).encode()


@pytest.mark.parametrize(
    ("lang", "wanted", "unwanted"),
    [
        (
            "fr",
            [
                "Importation refusée : 2 erreurs dans erreurs.csv",
                "Quantité négative.",
                "« offre » ou « besoin » attendu",
            ],
            ["Import refused"],
        ),
        (
            "en",
            [
                "Import refused: 2 errors in erreurs.csv",
                "Negative quantity.",
                "“offre” or “besoin” (offer or need) expected",
                "a number (decimal comma or point)",
            ],
            ["Importation refusée", "Quantité négative"],
        ),
    ],
)
def test_a_rejected_import_preview_lists_its_problems_in_the_pages_language(
    client, lang, wanted, unwanted
):
    _in(client, lang)
    response = _upload(client, _BAD_CSV, "erreurs.csv")
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    for text in wanted:
        assert (french(text) if lang == "fr" else text) in page
    for text in unwanted:
        assert (french(text) if lang == "fr" else text) not in page


@pytest.mark.parametrize(
    ("lang", "said"),
    [("fr", "Le nom de l'entreprise est obligatoire."), ("en", "The company name is required.")],
)
def test_a_form_error_is_shown_in_the_pages_language(client, lang, said):
    _in(client, lang)
    response = client.post("/registre/membres/nouveau", data={"name": "", "naics_code": "1"})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    error = re.search(r'<p class="field-error" id="f-name-erreur">(.*?)</p>', page, re.S)
    assert error and said in error.group(1)
    naics = re.search(r'<p class="field-error" id="f-naics_code-erreur">(.*?)</p>', page, re.S)
    assert naics and ("2 à 6 chiffres" if lang == "fr" else "2 to 6 digits") in naics.group(1)


@pytest.mark.parametrize(
    ("lang", "said"),
    [("fr", "La base de données est indisponible"), ("en", "The database is unavailable")],
)
def test_a_503_says_the_database_is_away_in_the_pages_language(app, client, lang, said):
    path = Path(app.extensions["mapservice"].repo.engine.url.database or "")
    away = path.with_name("ailleurs.sqlite")
    _in(client, lang)
    path.rename(away)
    try:
        page = client.get("/", headers={"Accept": "text/html"})
        api = client.get("/api/v1/synergies")
    finally:
        away.rename(path)
    assert page.status_code == 503 and said in html.unescape(page.get_data(as_text=True))
    assert api.status_code == 503 and said in api.get_json()["message"]
    assert api.get_json()["code"] == "storage_unavailable"


def test_a_not_found_raised_in_the_core_keeps_its_code_in_every_language(client):
    codes = set()
    for lang in ("fr", "en"):
        _in(client, lang)
        codes.add(client.get("/api/v1/synergies/999999").get_json()["code"])
    assert codes == {NotFound.code}
