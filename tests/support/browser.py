"""Headless Debian Chromium driven by Playwright, and a page signed in through the form."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.support.accounts import PASSWORD

REQUIRE_BROWSER = os.environ.get("MAPSERVICE_REQUIRE_BROWSER") == "1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@contextmanager
def chromium_or_skip() -> Iterator[Any]:
    """A launched headless Chromium; skips (fails when a browser is required) without one."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    if reason is None and not os.path.exists(CHROMIUM):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium; `.ci/run` does)"
    if reason is not None:
        if REQUIRE_BROWSER:
            pytest.fail(reason + " — required here (MAPSERVICE_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


def signed_in_page(chromium: Any, base: str, username: str = "personnel", **options: Any) -> Any:
    """A new browser page signed in through the login form as ``username`` (staff by
    default); ``options`` go to ``new_page`` (viewport, …)."""
    page = chromium.new_page(**options)
    page.goto(base + "/connexion")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form.login button[type=submit]")
    assert "/connexion" not in page.url, page.content()[:500]
    return page
