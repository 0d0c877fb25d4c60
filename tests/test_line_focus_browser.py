"""A material's map in Chromium: its candidate lines drawn faint, a site's own brought forward
(static/js/line-focus.js); screenshots at 1366 and 390 px wide for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.browser import signed_in_page

#: Where a person looks at the screenshots (``MAPSERVICE_SHOTS``), else the test's folder.
SHOTS = os.environ.get("MAPSERVICE_SHOTS")


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_a_material_map_fades_its_lines_and_shows_a_sites_own(
    chromium, served, tmp_path, width, height
):
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    page = signed_in_page(chromium, served, viewport={"width": width, "height": height})
    try:
        page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
        page.goto(served + "/materiaux/bois")
        page.wait_for_function("() => document.documentElement.dataset.linesFaint")
        n = int(page.evaluate("document.documentElement.dataset.linesFaint"))
        assert n >= 50
        opacities = page.evaluate(
            "(() => { const out = []; window.mapservice.layers.lines.eachLayer(function f(l) {"
            " if (l.eachLayer && !l.feature) { l.eachLayer(f); return; }"
            " out.push(l.options.opacity); }); return out; })()"
        )
        assert opacities and max(opacities) < 0.3
        page.locator(".mapbox").first.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"material-lines-faint-{width}.png"), full_page=False)
        # The site with the most lines: hovering it brings exactly its lines forward.
        focused = page.evaluate(
            "(() => { const h = window.mapservice; let best = null, most = 0;"
            " for (const m of h.markers) { m.fire('mouseover');"
            " const k = +document.documentElement.dataset.linesFocused; m.fire('mouseout');"
            " if (k > most) { most = k; best = m; } }"
            " best.fire('mouseover'); return most; })()"
        )
        assert 0 < focused < n
        strong = page.evaluate(
            "(() => { let k = 0; window.mapservice.layers.lines.eachLayer(function f(l) {"
            " if (l.eachLayer && !l.feature) { l.eachLayer(f); return; }"
            " if (l.options.opacity > 0.9) k += 1; }); return k; })()"
        )
        assert strong == focused
        page.screenshot(path=str(shots / f"material-lines-focused-{width}.png"), full_page=False)
    finally:
        page.context.close()
