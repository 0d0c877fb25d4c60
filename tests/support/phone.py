"""What a phone-sized page is measured for: its width, its table cells and its map.

:func:`measure` runs in the page (Playwright) and returns plain numbers and names, so that the
test can say which page, which cell and which word went wrong.
"""

from __future__ import annotations

from typing import Any

#: A word in a cell is measured with a Range over its characters: a word the cell broke across
#: lines has rectangles on more than one line. Words end at spaces and at the places a browser
#: may break anyway (hyphens, dashes, slashes).
MEASURE = r"""() => {
  const visible = el => {
    if (!el.getClientRects().length) return false;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") return false;
    const box = el.getBoundingClientRect();
    return box.width > 2 && box.height > 2;
  };
  const broken = [];
  for (const cell of document.querySelectorAll("td, th")) {
    if (!visible(cell) || cell.closest(".leaflet-container")) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (!node.parentElement || !visible(node.parentElement)) continue;
      const words = /[^\s\-‐‑–—\/]+/g;
      let m;
      while ((m = words.exec(node.data))) {
        if (m[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set();
        for (const r of range.getClientRects()) {
          if (r.width > 0) lines.add(Math.round(r.top + r.height / 2));
        }
        const tops = [...lines].sort((a, b) => a - b);
        let count = tops.length ? 1 : 0;
        for (let i = 1; i < tops.length; i++) if (tops[i] - tops[i - 1] > 4) count += 1;
        if (count > 1) {
          broken.push(m[0] + " (" + Math.round(cell.getBoundingClientRect().width) + " px)");
          break;
        }
      }
      if (broken.length > 40) break;
    }
  }
  const map = [...document.querySelectorAll(".folium-map")].find(visible);
  const box = map ? map.getBoundingClientRect() : null;
  return {
    scrollWidth: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight,
    broken: [...new Set(broken)].slice(0, 8),
    mapHeight: box ? Math.round(box.height) : 0,
    mapVisibleAtTop: box ? Math.round(Math.min(box.bottom, innerHeight) - Math.max(box.top, 0)) : 0,
    viewportHeight: innerHeight,
  };
}"""


def measure(page: Any) -> dict[str, Any]:
    """The page's width, the words its table cells broke, and its map's height (px)."""
    return dict(page.evaluate(MEASURE))


def problems(found: dict[str, Any], *, width_px: int, is_map: bool) -> list[str]:
    """What is wrong with a page measured by :func:`measure` on a ``width_px`` screen."""
    out = []
    if found["scrollWidth"] > width_px:
        out.append(f"scrolls sideways: {found['scrollWidth']} px wide")
    if found["broken"]:
        out.append(f"cells narrower than a word: {', '.join(found['broken'])}")
    if is_map and found["mapHeight"] < 0.6 * found["viewportHeight"]:
        out.append(f"map {found['mapHeight']} px high of {found['viewportHeight']}")
    return out
