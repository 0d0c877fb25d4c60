"""Imports never refuse a row for its material text; the queue classifies it once for all."""

from __future__ import annotations

import html
import io
import random

import pytest

from mapservice.domain.typography import french
from mapservice.registry import classification
from tests.support.import_files import GOOD, HEADER, write_csv

MESSY = [
    ("rabotures et bran de scie de sapin", "bois.sciure"),
    ("énergie thermique", "energie.chaleur_basse_t"),
    ("copeaux", "bois.copeaux"),
    ("CRD", "construction.crd_melanges"),
]


def _row(company: str, kind: str, material: str, description: str = "") -> list[str]:
    row = dict.fromkeys(HEADER, "")
    row.update(
        entreprise=company,
        municipalite="Alma",
        code_postal="G8B 5V2",
        type=kind,
        matiere=material,
        description=description,
    )
    return [row[c] for c in HEADER]


def test_messy_wordings_land_in_their_category_or_in_the_queue(services, tmp_path):
    rows = [_row(f"Usine {i} (démo)", "offre", text) for i, (text, _) in enumerate(MESSY)]
    rows.append(_row("Fonderie (démo)", "offre", "alu à refondre", "Lingots"))
    rows.append(_row("Fonderie (démo)", "besoin", "gizmo flarb"))
    result = services.import_file(write_csv(tmp_path / "messy.csv", rows))
    assert result.inserted["flows"] == 6 and result.to_classify == 2
    flows = {f.material_text or f.description: f for f in services.repo.flows()}
    for _text, code in MESSY:
        assert not flows[code_label(services, code)].to_classify
    waiting = flows["alu à refondre"]
    assert waiting.to_classify and waiting.description == "Lingots"
    assert waiting.suggestions[0] == "metaux.aluminium" and len(waiting.suggestions) == 3
    assert flows["gizmo flarb"].to_classify and flows["gizmo flarb"].category_code == "autres"


def code_label(services, code: str) -> str:
    return services.taxonomy.get(code).label_fr


def test_flows_to_classify_stay_out_of_matching(services, tmp_path):
    rows = [
        _row("Scierie (démo)", "offre", "bois.sciure"),
        _row("Serre (démo)", "besoin", "gizmo sciure flarb"),
    ]
    services.import_file(write_csv(tmp_path / "m.csv", rows))
    from mapservice.matching.jobs import matcher

    m = matcher(services)
    waiting = [f for f in services.repo.flows() if f.to_classify]
    assert waiting and all(
        f.id not in {g.id for fs in m.flows_by_site.values() for g in fs} for f in waiting
    )


def test_classifying_a_wording_classifies_every_flow_and_the_next_import(services, tmp_path):
    rows = [
        _row("Fonderie A (démo)", "offre", "alu à refondre"),
        _row("Fonderie B (démo)", "offre", "Alu à refondre", "Lingots"),
    ]
    first = services.import_file(write_csv(tmp_path / "a.csv", rows))
    assert first.to_classify == 2
    [group] = classification.queue(services)
    assert len(group.flow_ids) == 2 and group.suggestions[0] == "metaux.aluminium"
    done = classification.classify_wording(
        services, key=group.key, code="metaux.aluminium", flow_ids=list(group.flow_ids), actor="t"
    )
    assert (done.n_flows, done.n_twins) == (2, 0)
    assert classification.queue(services) == []
    assert {f.category_code for f in services.repo.flows()} == {"metaux.aluminium"}
    again = services.import_file(
        write_csv(tmp_path / "b.csv", [_row("Fonderie C (démo)", "offre", "ALU à refondre")])
    )
    assert again.to_classify == 0
    assert classification.queue(services) == []


def test_a_flow_deleted_meanwhile_refuses_the_action(services, tmp_path):
    rows = [
        _row("Fonderie A (démo)", "offre", "alu à refondre"),
        _row("Fonderie B (démo)", "offre", "alu à refondre"),
    ]
    services.import_file(write_csv(tmp_path / "a.csv", rows))
    [group] = classification.queue(services)
    services.repo.delete_flow(group.flow_ids[0], actor="t")
    from mapservice.errors import NotFound

    with pytest.raises(NotFound, match="supprimé entre-temps"):
        classification.classify_wording(
            services,
            key=group.key,
            code="metaux.aluminium",
            flow_ids=list(group.flow_ids),
            actor="t",
        )
    assert [f.to_classify for f in services.repo.flows()] == [True]


def test_five_thousand_rows_with_five_hundred_unknown_texts_go_through(tmp_path):
    from mapservice.services import Services
    from tests.support.settings import make_settings

    svc = Services(make_settings(tmp_path, "sqlite:///" + str(tmp_path / "big.sqlite")))
    svc.init_database()
    rng = random.Random(15)
    known = ["bois.sciure", "copeaux", "énergie thermique", "CRD", "Bran de scie", "écorces"]
    rows = []
    for i in range(5000):
        unknown = i % 10 == 0
        text = f"zorglub {rng.randrange(10**6)} quixotique" if unknown else rng.choice(known)
        rows.append(
            _row(f"Entreprise {i // 5} (démo)", rng.choice(["offre", "besoin"]), text, f"lot {i}")
        )
    result = svc.import_file(write_csv(tmp_path / "big.csv", rows))
    assert result.inserted["flows"] == 5000
    assert result.to_classify == 500
    assert sum(f.to_classify for f in svc.repo.flows()) == 500
    svc.close()


def test_the_queue_page_classifies_in_one_click_and_refuses_a_stale_form(app, client, tmp_path):
    rows = [
        _row("Fonderie A (démo)", "offre", "alu à refondre"),
        _row("Fonderie B (démo)", "besoin", "alu à refondre"),
    ]
    with app.app_context():
        svc = app.extensions["mapservice"]
        svc.import_file(write_csv(tmp_path / "a.csv", rows))
    page = html.unescape(client.get("/classement").get_data(as_text=True))
    assert "« alu à refondre »" not in page and "alu à refondre" in page
    assert 'data-category="metaux.aluminium"' in page
    with app.app_context():
        [group] = classification.queue(app.extensions["mapservice"])
        app.extensions["mapservice"].repo.delete_flow(group.flow_ids[1], actor="t")
    form = {"key": group.key, "flow_ids": ",".join(map(str, group.flow_ids))}
    stale = client.post("/classement", data={**form, "category": "metaux.aluminium"})
    assert stale.status_code == 404
    assert "supprimé entre-temps" in html.unescape(stale.get_data(as_text=True))
    fresh = dict(form, flow_ids=str(group.flow_ids[0]))
    done = client.post("/classement", data={**fresh, "category": "metaux.aluminium"})
    assert done.status_code == 303
    after = html.unescape(client.get(done.headers["Location"]).get_data(as_text=True))
    assert "1 offre ou besoin classé" in after and 'id="vide"' in after


def test_the_import_preview_shows_category_confidence_and_placement(client):
    rows = [GOOD[0], _row("Fonderie (démo)", "offre", "alu à refondre")]
    out = io.StringIO()
    out.write(";".join(HEADER) + "\n")
    for r in rows:
        out.write(";".join(r) + "\n")
    resp = client.post(
        "/registre/import",
        data={"file": (io.BytesIO(out.getvalue().encode()), "apercu.csv")},
        content_type="multipart/form-data",
    )
    page = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 200, page[:500]
    assert 'data-category="bois.sciure"' in page and 'data-confidence="1.0"' in page
    assert "à classer" in page and 'data-precision="postcode"' in page
    assert french("1 offre ou besoin sera « à classer »") in page


@pytest.mark.parametrize("width", [1366, 390])
def test_the_queue_reads_on_a_desktop_and_a_phone(served, demo_db, chromium, tmp_path, width):
    from mapservice.services import Services
    from tests.support.browser import signed_in_page
    from tests.support.settings import make_settings

    svc = Services(make_settings(tmp_path, demo_db))
    rows = [
        _row("Fonderie A (démo)", "offre", "alu à refondre"),
        _row("Fonderie B (démo)", "besoin", "alu à refondre"),
        _row("Atelier C (démo)", "offre", "rebuts de béton et bois"),
    ]
    assert svc.import_file(write_csv(tmp_path / "q.csv", rows)).to_classify == 3
    svc.close()
    page = signed_in_page(chromium, served, viewport={"width": width, "height": 900})
    page.goto(served + "/classement")
    assert page.locator(".queue-item").count() == 2
    page.screenshot(path=str(tmp_path / f"classement-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator('.queue-item button[data-category="metaux.aluminium"]').first.click()
    page.wait_for_selector("#resultat")
    assert page.locator(".queue-item").count() == 1
    page.close()


def test_the_map_and_the_site_page_flag_a_flow_to_classify(app, client, tmp_path):
    from tests.support.pages import map_data

    rows = [_row("Fonderie A (démo)", "offre", "alu à refondre", "Lingots")]
    with app.app_context():
        svc = app.extensions["mapservice"]
        svc.import_file(write_csv(tmp_path / "a.csv", rows))
        [site] = [s for s in svc.repo.sites() if s.member_name == "Fonderie A (démo)"]
    page = html.unescape(client.get(f"/sites/{site.id}").get_data(as_text=True))
    assert 'class="tag to-classify" href="/classement"' in page and "alu à refondre" in page
    data = map_data(client.get("/").get_data(as_text=True))
    sites = [f for f in data["sites"]["features"] if f["properties"]["n"] == "Fonderie A (démo)"]
    assert sites and sites[0]["properties"]["o"] == [["alu à refondre", "Lingots", "", 1]]


def test_the_command_line_summary_counts_the_flows_to_classify(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from mapservice.cli.main import main

    monkeypatch.setenv("MAPSERVICE_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv("MAPSERVICE_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    assert runner.invoke(main, ["init"], catch_exceptions=False).exit_code == 0
    rows = [GOOD[0], _row("Fonderie (démo)", "offre", "alu à refondre")]
    result = runner.invoke(main, ["import", str(write_csv(tmp_path / "a.csv", rows))])
    assert result.exit_code == 0, result.output
    assert "à classer     1" in result.output and "/classement" in result.output


def test_choosing_a_category_on_the_flow_form_takes_it_out_of_the_queue(services, tmp_path):
    rows = [_row("Fonderie (démo)", "offre", "alu à refondre", "Lingots")]
    services.import_file(write_csv(tmp_path / "a.csv", rows))
    [flow] = services.repo.flows()
    services.repo.update_flow(flow.id, {"description": "Lingots d'alu"}, actor="t")
    assert services.repo.get_flow(flow.id).to_classify  # no category chosen yet
    services.repo.update_flow(flow.id, {"category_code": "metaux.aluminium"}, actor="t")
    after = services.repo.get_flow(flow.id)
    assert not after.to_classify and after.suggestions == () and after.material_text is None


def test_two_unknown_materials_with_one_description_are_two_flows(services, tmp_path):
    rows = [
        _row("Fonderie (démo)", "offre", "alu à refondre", "Résidus de production"),
        _row("Fonderie (démo)", "offre", "gizmo flarb", "Résidus de production"),
    ]
    path = write_csv(tmp_path / "a.csv", rows)
    assert services.import_file(path).inserted["flows"] == 2
    assert not services.import_file(path).changed  # the same file again changes nothing
    group = next(g for g in classification.queue(services) if g.text == "alu à refondre")
    classification.classify_wording(
        services, key=group.key, code="metaux.aluminium", flow_ids=list(group.flow_ids), actor="t"
    )
    assert not services.import_file(path).changed  # now classified by the correction
    assert len(services.repo.flows()) == 2
