"""The board (/synergies) and the impact dashboard (/impact) through the Flask test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from mapservice.domain.model import SynergyStatus
from mapservice.domain.typography import french
from mapservice.services import Services
from mapservice.views import dashboard
from tests.support.accounts import sign_in
from tests.support.pages import card_ids, column
from tests.support.seeded_registry import by_categories, expected_impact, realise

NUMBER = re.compile(r"-?[\d\u00a0\u202f ]+(?:,\d+)?")


@pytest.fixture
def svc(seeded_app) -> Services:
    return seeded_app.extensions["mapservice"]


@pytest.fixture
def web(seeded_app):
    """A browser-like client signed in as staff."""
    return sign_in(seeded_app.test_client(), "personnel")


def number(text: str) -> float:
    """``1 234,5 t/an`` -> 1234.5 (French formatting, any kind of space)."""
    match = NUMBER.search(text.replace("\u2212", "-"))
    assert match, text
    return float(re.sub(r"[\u00a0\u202f ]", "", match.group()).replace(",", "."))


def figure(html: str, element_id: str) -> float:
    match = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert match, element_id
    return number(match.group(1))


def table_rows(html: str, chart: str) -> dict[str, list[str]]:
    """Rows of a chart's data table: header cell -> the other cells' text."""
    start = html.index(f'id="chart-{chart}-data"')
    body = html[start : html.index("</table>", start)]
    out = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", body, flags=re.S):
        label, rest = row.split("</th>", 1)
        out[label] = re.findall(r"<td>(.*?)</td>", rest)
    return out


# --- the board --------------------------------------------------------------------------------


def test_board_lists_synergies_by_status(web, svc):
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    svc.repo.move_synergy(sawdust, SynergyStatus.CONTACTED, author="Julie", note="Appel")
    r = web.get("/synergies")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    heads = re.findall(r'<h2 id="h-(\w+)">([^<]+)<span class="count">(\d+)</span>', html)
    assert [(s, label.strip(), int(n)) for s, label, n in heads] == [
        ("candidate", "Candidate", 5),
        ("contacted", "Contactée", 1),
        ("in_progress", "En cours", 0),
        ("realised", "Réalisée", 0),
        ("rejected", "Rejetée", 0),
    ]
    assert card_ids(html, "contacted") == [sawdust] and sawdust not in card_ids(html, "candidate")
    card = column(html, "contacted")
    assert "Scierie Boréale (test)" in card and "Ferme Laitière (test)" in card
    assert "Sciure de bois" in card and "Parc industriel de Jonquière" in card
    assert "&lt;sèche&gt;" in card and "<sèche>" not in card  # user text is escaped
    assert "par la route" in card and "\u00a0km" in card and "t/an" in card
    assert re.search(r"Contactée le .* par Julie", card)
    # One button per allowed next status, in a form posting to the card's route.
    assert f'action="/synergies/{sawdust}/statut"' in card
    assert re.findall(r'name="status" value="(\w+)"', card) == ["in_progress", "rejected"]
    assert 'aria-current="page"' in html and 'href="/impact"' in html
    assert "Quantités confidentielles" in column(html, "candidate")  # the brewery's drêche


def test_moving_a_card_with_the_form(web, svc):
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    r = web.post(
        f"/synergies/{sawdust}/statut",
        data={
            "status": "contacted",
            "author": "  Julie Tremblay ",  # a posted name is ignored: no one signs for another
            "note": "Appel à la scierie",
            "next": "/synergies?status=candidate&page=1",
        },
    )
    assert r.status_code == 303
    assert r.headers["Location"] == (
        f"/synergies?status=candidate&page=1&deplacee={sawdust}#synergie-{sawdust}"
    )
    html = web.get(r.headers["Location"]).get_data(as_text=True)
    assert re.search(
        rf'role="status" id="moved">\s*Synergie n° {sawdust}\u00a0: maintenant '
        "«\u00a0Contactée\u00a0».",
        html,
    )
    assert sawdust in card_ids(html, "contacted")
    (event,) = svc.repo.synergy_events(sawdust)
    assert (event.from_status, event.to_status, event.author, event.note) == (
        SynergyStatus.CANDIDATE,
        SynergyStatus.CONTACTED,
        "personnel",  # the signed-in account
        "Appel à la scierie",
    )
    assert 'name="author"' not in html and "Votre nom" not in html
    assert "Chaque étape est notée à votre nom (personnel)." in html
    # The board a card is moved from is kept (its query string), minus the old confirmation.
    assert 'name="next" value="/synergies?status=candidate&amp;page=1"' in html


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "javascript:x", "/\\evil.example", ""]
)
def test_next_must_be_a_local_path(web, svc, target):
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    r = web.post(
        f"/synergies/{sawdust}/statut", data={"status": "contacted", "author": "A", "next": target}
    )
    assert r.status_code == 303
    assert r.headers["Location"] == f"/synergies?deplacee={sawdust}#synergie-{sawdust}"


def test_a_refused_move_says_why_and_changes_nothing(web, svc):
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    before = (svc.repo.get_synergy(sawdust), svc.repo.synergy_events())
    r = web.post(f"/synergies/{sawdust}/statut", data={"status": "realised", "author": "Julie"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    alert = re.search(r'role="alert" id="move-error">(.*?)</p>', html, flags=re.S).group(1)
    assert "rien n'a été modifié" in alert.replace("&#39;", "'")
    assert french(f"n° {sawdust} est « Candidate »") in alert and french("« Réalisée »") in alert
    assert french("Étapes possibles : « Contactée », « Rejetée »") in alert
    assert (svc.repo.get_synergy(sawdust), svc.repo.synergy_events()) == before
    assert sawdust in card_ids(html, "candidate")  # the board is shown again, unchanged

    realise(svc, sawdust, datetime(2026, 1, 15, 12, tzinfo=UTC))
    final = web.post(f"/synergies/{sawdust}/statut", data={"status": "rejected", "author": "Julie"})
    assert final.status_code == 422 and "définitive" in final.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"status": "gagnée"}, "Statut inconnu"),
        ({"status": "contacted", "note": "x" * 2001}, "Note trop longue"),
    ],
)
def test_a_move_needs_a_known_status_and_a_short_note(web, svc, data, says):
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    r = web.post(f"/synergies/{sawdust}/statut", data=data)
    assert r.status_code == 422 and says in r.get_data(as_text=True)
    assert svc.repo.get_synergy(sawdust).status is SynergyStatus.CANDIDATE


def test_unknown_synergy_is_404(web):
    r = web.post("/synergies/999999/statut", data={"status": "contacted"})
    assert r.status_code == 404


def test_no_name_is_needed_and_the_author_is_the_account_that_moves(seeded_app, svc):
    """No field to fill: the signed-in account is the author, whatever name is posted."""
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    manager = sign_in(seeded_app.test_client(), "personnel")
    r = manager.post(f"/synergies/{sawdust}/statut", data={"status": "contacted", "author": ""})
    assert r.status_code == 303
    r = manager.post(
        f"/synergies/{sawdust}/statut", data={"status": "in_progress", "author": "admin"}
    )
    assert r.status_code == 303
    assert [e.author for e in svc.repo.synergy_events(sawdust)] == ["personnel", "personnel"]
    html = manager.get("/synergies").get_data(as_text=True)
    start = html.index(f'id="synergie-{sawdust}"')
    assert "par personnel" in html[start : html.index("</article>", start)]


def test_columns_are_paged_with_see_more(web, monkeypatch):
    monkeypatch.setattr(dashboard, "PER_PAGE", 4)
    html = web.get("/synergies").get_data(as_text=True)
    first = column(html, "candidate")
    assert len(card_ids(html, "candidate")) == 4 and "1 à 4 sur 6" in first
    more = re.search(r'href="([^"]+)#colonne-candidate">Voir plus \(2 de plus\)', first)
    assert more, first[-600:]
    url = more.group(1).replace("&amp;", "&")
    assert url == "/synergies?status=candidate&page=2"
    second = web.get(url).get_data(as_text=True)
    assert len(card_ids(second, "candidate")) == 2 and "5 à 6 sur 6" in second
    assert "Précédentes" in column(second, "candidate")
    assert web.get("/synergies?page=zéro").status_code == 422


def test_empty_board_and_empty_impact_say_so(client):
    board = client.get("/synergies").get_data(as_text=True)
    assert "Aucune synergie n'est encore suivie" in board.replace("&#39;", "'")
    assert "mapservice match" in board
    r = client.get("/impact")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="impact-empty"' in html and "Aucune synergie réalisée" in html
    assert "<svg" not in html and 'id="totals"' not in html
    assert "Facteurs utilisés" in html and "SmartWay" in html  # the sources are given all the same
    # The transport factor is counted once, and each factor says how far it can be trusted.
    assert "comptées une fois" in html and "retour à vide ajouté" not in html
    assert "calculé de chiffres publiés" in html and "estimation" in html


# --- impact -----------------------------------------------------------------------------------


@pytest.fixture
def realised(svc):
    """Three realised synergies in January and April 2026 in three parks, two categories."""
    ids = [
        by_categories(svc, "bois.sciure", "usages.litiere_animale"),
        by_categories(svc, "bois.copeaux", "usages.combustible_biomasse"),
        by_categories(svc, "metaux.ferraille", "usages.matiere_refonte"),
    ]
    for synergy_id, at in zip(
        ids,
        (
            datetime(2026, 1, 15, 12, tzinfo=UTC),
            datetime(2026, 1, 20, 12, tzinfo=UTC),
            datetime(2026, 4, 3, 12, tzinfo=UTC),
        ),
        strict=True,
    ):
        realise(svc, synergy_id, at)
    return ids


def test_impact_totals_equal_the_sum_of_the_realised_rows(web, svc, realised):
    r = web.get("/impact")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    want = expected_impact(svc)
    assert figure(html, "total-count") == 3
    assert figure(html, "total-tonnes") == pytest.approx(want["totals"]["t"], abs=0.05)
    assert figure(html, "total-co2e") == pytest.approx(want["totals"]["co2e"], abs=0.05)
    assert figure(html, "total-money") == pytest.approx(want["totals"]["cad"], abs=0.5)
    # French format: a (narrow) no-break space between thousands, "t/an".
    assert re.search(r'id="total-tonnes">1[\u00a0\u202f]200<span class="unit">&nbsp;t/an<', html)


def test_impact_breakdowns_by_month_park_and_category(web, svc, realised):
    html = web.get("/impact").get_data(as_text=True)
    want = expected_impact(svc)
    months = table_rows(html, "month")
    assert len(months) == 4  # January to April, the empty months included
    assert [number(cells[1]) for cells in months.values()] == pytest.approx(
        [want["month"]["2026-01"], 0, 0, want["month"]["2026-04"]], abs=0.05
    )
    assert [int(cells[0]) for cells in months.values()] == [2, 0, 0, 1]
    parks = {p.id: p.name for p in svc.repo.parks()}
    by_park = {
        label.replace("&#39;", "'"): number(cells[1])
        for label, cells in table_rows(html, "park").items()
    }
    assert by_park == pytest.approx({parks[k]: v for k, v in want["park"].items()}, abs=0.05)
    by_category = {label: number(cells[1]) for label, cells in table_rows(html, "category").items()}
    assert by_category == pytest.approx(
        {
            "Bois et résidus forestiers": want["category"]["bois"],
            "Métaux": want["category"]["metaux"],
        },
        abs=0.05,
    )
    # Each chart is an accessible SVG with one bar per row of its table.
    for chart, n in (("month", 4), ("park", 3), ("category", 2)):
        at = html.index(f'id="chart-{chart}" role="img"')
        svg = html[html.rindex("<svg", 0, at) : html.index("</svg>", at)]
        assert 'role="img"' in svg
        assert f'aria-labelledby="chart-{chart}-title chart-{chart}-desc"' in svg
        assert f'<title id="chart-{chart}-title">' in svg
        assert f'<desc id="chart-{chart}-desc">' in svg
        assert svg.count("<rect") == n
    assert "parc du site qui offre la matière" in html


def test_impact_filters_and_metric(web, svc, realised):
    html = web.get("/impact", query_string={"from": "2026-03-01"}).get_data(as_text=True)
    assert figure(html, "total-count") == 1 and "depuis le 1 mars 2026" in html.replace(
        "\u00a0", " "
    ).replace("1er", "1")
    html = web.get("/impact", query_string={"park": "kenogami"}).get_data(as_text=True)
    assert figure(html, "total-count") == 1 and "Parc industriel de Kénogami" in html
    html = web.get("/impact", query_string={"metric": "cad_net"}).get_data(as_text=True)
    assert 'value="cad_net" selected' in html and "Bénéfice net ($/an) par parc" in html
    empty = web.get("/impact", query_string={"to": "2025-12-31"}).get_data(as_text=True)
    assert "Aucune synergie réalisée" in empty and "pour ces filtres" in empty


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"from": "hier"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"park": "nulle-part"}, "park"),
        ({"metric": "bonheur"}, "metric"),
    ],
)
def test_impact_filter_validation_names_the_parameter(web, args, field):
    r = web.get("/impact", query_string=args)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    alert = re.search(r'role="alert" id="filter-error">(.*?)</p>', html, flags=re.S).group(1)
    assert field in alert or "fin" in alert  # "La date de fin précède…" names ``to`` in words
    ids = {"from": "f-from", "to": "f-to", "park": "f-park", "metric": "f-metric"}
    assert re.search(rf'id="{ids[field]}"[^>]*aria-invalid="true"', html)
    assert "<svg" not in html


def test_negative_net_co2e_draws_below_zero(web, svc, realised):
    with svc.repo.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE synergies SET net_kg_co2e = -42000 WHERE id = :i"), {"i": realised[2]}
        )
    html = web.get("/impact", query_string={"metric": "t_co2e_net"}).get_data(as_text=True)
    assert 'class="bar negative"' in html and 'fill="#D55E00"' in html
    assert "valeurs négatives" in html
    months = table_rows(html, "month")
    assert number(list(months.values())[-1][2]) == pytest.approx(-42.0)


def test_english_pages_do_not_crash(web, realised):
    for url in ("/synergies?lang=en", "/impact?lang=en", "/impact?lang=en&metric=cad_net"):
        r = web.get(url)
        assert r.status_code == 200, url
        assert '<html lang="en-CA">' in r.get_data(as_text=True)
    r = web.get("/impact?lang=en&from=yesterday")
    assert r.status_code == 422


@pytest.mark.parametrize("name", ["synergy_board.html", "impact.html", "_charts.html"])
def test_every_visible_string_of_the_templates_goes_through_translation(name):
    text = (
        Path(__file__).resolve().parents[1] / "mapservice" / "web" / "templates" / name
    ).read_text(encoding="utf-8")
    for pattern in (
        r"<script.*?</script>",
        r"\{#.*?#\}",
        r"\{\{.*?\}\}",
        r"\{%.*?%\}",
        r"<[^>]*>",
        r"&\w+;",
    ):
        text = re.sub(pattern, " ", text, flags=re.S)
    words = set(re.findall(r"[A-Za-zÀ-ÿ]{2,}", text))
    # Left: a CSS class in the main_class block and the API path, neither of them prose.
    assert words <= {"page", "board", "api", "impact"}, words
