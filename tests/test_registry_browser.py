"""The registry forms and the import in headless Chromium, against `mapservice serve`."""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import expect

from tests.support.browser import signed_in_page

GOOD = (
    "entreprise;site;adresse;municipalite;code_postal;type;matiere;description;quantite;unite\n"
    "Verrerie du Lac (essai);;55, rue Collard;Alma;G8B 1M6;offre;verre;Calcin trié;"
    "12,5;t/an\n"
)
BAD = (
    "entreprise;municipalite;type;matiere;quantite;unite\n"
    "Verrerie du Lac (essai);Alma;offre;verre;douze;t/an\n"
    ";Atlantide;cadeau;verre;;\n"
)


def _db(demo_db: str) -> sqlite3.Connection:
    return sqlite3.connect(demo_db.removeprefix("sqlite:///"))


def test_new_member_by_keyboard_with_an_error_then_fixed(chromium, served, demo_db, tmp_path):
    page = signed_in_page(chromium, served, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{served}/registre/")
    page.get_by_role("link", name="Ajouter un membre").click()
    page.wait_for_url("**/registre/membres/nouveau")

    page.get_by_label("Nom de l'entreprise").focus()
    page.keyboard.type("Atelier Boréal (essai)")
    page.keyboard.press("Tab")
    page.keyboard.type("32x")  # SCIAN code: digits only
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the consent checkbox comes next
    page.keyboard.press("Tab")
    page.keyboard.type("Léa Gagnon")
    page.keyboard.press("Tab")
    page.keyboard.type("lea@boreal.example")
    page.keyboard.press("Enter")

    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("1 champ à corriger")
    field = page.locator("#f-naics_code")
    message = page.locator("#f-naics_code-erreur")
    expect(message).to_contain_text("2 à 6 chiffres")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("32x")
    expect(page.locator("#f-name")).to_have_value("Atelier Boréal (essai)")
    expect(page.locator("#f-public_consent")).to_be_checked()
    box, under = message.bounding_box(), field.bounding_box()
    assert box and under and 0 <= under["y"] - (box["y"] + box["height"]) < 20  # right above
    page.screenshot(path=str(tmp_path / "membre-erreur.png"), full_page=True)

    summary.get_by_role("link").click()
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("321113")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/registre/membres/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("Membre ajouté")
    expect(page.get_by_role("heading", level=1)).to_have_text("Atelier Boréal (essai)")
    page.screenshot(path=str(tmp_path / "membre-enregistre.png"), full_page=True)

    page.get_by_role("link", name="Ajouter un site").click()
    page.get_by_label("Adresse civique").fill("1200, rue des Pins")
    page.get_by_label("Municipalité").select_option("saguenay-chicoutimi")
    page.get_by_label("Code postal").fill("g7h 5b1")
    page.screenshot(path=str(tmp_path / "site-nouveau.png"), full_page=True)
    page.get_by_role("button", name="Ajouter le site").click()
    expect(page.get_by_role("status")).to_contain_text("Site ajouté")
    expect(page.locator("#precision")).to_have_text("code postal")

    page.get_by_role("link", name="Ajouter une offre").click()
    expect(page.get_by_label("Offre : une matière")).to_be_checked()
    page.get_by_label("… ou description libre").fill("retailles d'alu")
    page.get_by_role("textbox", name="Description", exact=True).fill(
        "Retailles d'usinage, bacs de 1 m³"
    )
    page.get_by_label("Quantité", exact=True).fill("2,5")
    page.get_by_label("Unité").select_option("t_per_year")
    page.screenshot(path=str(tmp_path / "flux-nouveau.png"), full_page=True)
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "classé dans « Retailles et chutes d'aluminium »"
    )
    expect(page.locator("#flux tbody tr")).to_have_count(1)
    expect(page.locator("#flux tbody tr td.num")).to_have_text("2,5\u00a0t/an")
    page.screenshot(path=str(tmp_path / "site-avec-flux.png"), full_page=True)
    assert errors == []
    with _db(demo_db) as conn:
        row = conn.execute(
            "SELECT naics_code, public_consent, contact_email FROM members "
            "WHERE name = 'Atelier Boréal (essai)'"
        ).fetchone()
    assert row == ("321113", 1, "lea@boreal.example")
    page.close()


def test_import_upload_preview_and_confirm(chromium, served, demo_db, tmp_path):
    (tmp_path / "erreurs.csv").write_text(BAD, encoding="utf-8")
    (tmp_path / "verrerie.csv").write_text(GOOD, encoding="utf-8")
    with _db(demo_db) as conn:
        before = conn.execute("SELECT count(*) FROM flows").fetchone()[0]
    page = signed_in_page(chromium, served, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{served}/registre/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Importer"
    ).click()
    page.wait_for_url("**/registre/import")

    page.get_by_label("Fichier CSV ou XLSX").set_input_files(tmp_path / "erreurs.csv")
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("rien n'a été importé")
    expect(page.locator("#problemes tbody tr")).to_have_count(3)
    page.screenshot(path=str(tmp_path / "import-erreurs.png"), full_page=True)

    page.get_by_role("link", name="Téléverser un fichier corrigé").click()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(tmp_path / "verrerie.csv")
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("verrerie.csv")
    expect(page.locator('tr[data-table="flows"] [data-count="inserted"]')).to_have_text("1")
    page.screenshot(path=str(tmp_path / "import-apercu.png"), full_page=True)
    with _db(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM flows").fetchone()[0] == before

    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_url("**/registre/import")
    expect(page.locator("#resultat")).to_contain_text("verrerie.csv")
    page.screenshot(path=str(tmp_path / "import-fait.png"), full_page=True)
    assert errors == []
    with _db(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM flows").fetchone()[0] == before + 1
        assert (
            conn.execute(
                "SELECT count(*) FROM members WHERE name = 'Verrerie du Lac (essai)'"
            ).fetchone()[0]
            == 1
        )
    page.close()
