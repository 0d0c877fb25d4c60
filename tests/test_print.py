"""The pages people print (a site, the board, the impact dashboard, an event's sheets) print
their content only: no navigation, forms, buttons, filters nor map controls, black on white.

Each page is printed by headless Chromium (``page.pdf()``, print media) and its text read back
with ``pdftotext`` (poppler-utils); the PDFs and, with ``pdftoppm``, a picture of their first
pages are left in the test's folder to look at."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import signed_in_page
from tests.support.every_page import prepare
from tests.support.pdf import pdf_pages

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="no pdftotext (apt-get install poppler-utils)"
)

#: What only the screen has: never on paper.
SCREEN_ONLY = "header.app, .skip, nav, form, button, input, select, textarea, .leaflet-control"


@pytest.fixture
def printed(tmp_path: Path, live_demo_sqlite: Path) -> Iterator[tuple[dict[str, str], str]]:
    """The pages to print (name → path) and the URL of a server over their database: the demo
    with its two years of pipeline history, so that the board and the impact have cards."""
    from bench.serving import serve

    demo_db = "sqlite:///" + str(tmp_path / "live_demo.sqlite")
    shutil.copy(live_demo_sqlite, tmp_path / "live_demo.sqlite")
    cases = prepare(demo_db, tmp_path)
    paths = {c.endpoint: c.path for c in cases if c.username == "personnel"}
    pages = {
        "site": paths["site_pages.site"],
        "board": paths["synergy_pages.board"],
        "impact": paths["synergy_pages.impact"],
        "sheets": paths["event_pages.sheets"],
    }
    with serve(demo_db, tmp_path, ["--no-warm"], start_timeout_s=30, stop_timeout_s=10) as server:
        yield pages, server.base


def _text(pdf_path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(out.stdout.split())


def _picture(pdf_path: Path) -> None:
    """The first two pages as PNG, next to the PDF, to look at."""
    if shutil.which("pdftoppm"):
        prefix = str(pdf_path.with_suffix(""))
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf_path), prefix],
            check=True,
        )


def _screen_words(page: Any) -> tuple[list[str], list[str]]:
    """The navigation's labels, and the text of every button and submit input, on screen."""
    nav = [t.strip() for t in page.locator("header.app nav a").all_inner_texts() if t.strip()]
    buttons = page.locator("button, input[type=submit]").evaluate_all(
        "els => els.map(e => (e.innerText || e.value || '').trim()).filter(Boolean)"
    )
    return nav, buttons


def test_printed_pages_carry_no_navigation_forms_nor_buttons(chromium, printed, tmp_path):
    pages, base = printed
    page = signed_in_page(chromium, base, viewport={"width": 1366, "height": 768})
    for name, path in pages.items():
        page.goto(base + path)
        page.wait_for_load_state("load")
        nav, buttons = _screen_words(page)
        assert nav and "Se déconnecter" in buttons, name
        content = " ".join(
            page.evaluate(
                """() => { const c = document.querySelector('main').cloneNode(true);
                   c.querySelectorAll('form, button, select, input, textarea, nav, script')
                    .forEach(e => e.remove());
                   return c.textContent; }"""
            ).split()
        )
        page.emulate_media(media="print")
        shown = page.locator(SCREEN_ONLY).evaluate_all(
            "els => els.filter(e => e.getClientRects().length > 0)"
            ".map(e => e.outerHTML.slice(0, 80))"
        )
        assert shown == [], (name, shown[:5])
        colours = page.evaluate(
            """() => [getComputedStyle(document.body).color,
                      getComputedStyle(document.body).backgroundColor,
                      getComputedStyle(document.querySelector('main')).color]"""
        )
        assert colours[0] == colours[2] == "rgb(0, 0, 0)", (name, colours)
        assert colours[1] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), (name, colours)

        pdf = page.pdf(format="Letter")
        page.emulate_media(media="screen")
        pdf_path = tmp_path / f"{name}.pdf"
        pdf_path.write_bytes(pdf)
        _picture(pdf_path)
        text = _text(pdf_path)
        assert len(text) > 200, name
        for gone in ("Aller au contenu", "Se déconnecter", "Les rebuts de l'un", "English"):
            assert gone not in text, (name, gone)
        assert " ".join(nav) not in text, name  # the navigation bar, as a row of links
        for label in set(buttons):
            # a button's words may also be the page's own (a heading, a status): only words
            # that the page shows nowhere but on a button must be gone from the paper
            if label not in content:
                assert label not in text, (name, label)
        if name == "sheets":
            assert pdf_pages(pdf, pdf_path) == page.locator(".sheet").count()
    page.close()
