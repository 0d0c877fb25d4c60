"""The list of materials and each material's own page count the same offers and needs."""

from __future__ import annotations

import re

from mapservice.domain.model import Direction


def _listed(html: str) -> dict[str, tuple[int, int]]:
    """code → (offers, needs) as the list of materials shows them."""
    found = {}
    for code, offers, needs in re.findall(
        r'href="/materiaux/([^"]+)">.*?</a>\s*</td>\s*<td class="num">([^<]*)</td>\s*'
        r'<td class="num">([^<]*)</td>',
        html,
        flags=re.S,
    ):
        found[code] = tuple(int(re.sub(r"\D", "", n)) for n in (offers, needs))
    return found


def test_every_material_page_counts_as_the_list_does(client):
    listed = _listed(client.get("/materiaux").get_data(as_text=True))
    assert len(listed) > 40 and listed["bois.sciure"][1] >= 1
    for code, (offers, needs) in listed.items():
        html = client.get(f"/materiaux/{code}").get_data(as_text=True)
        counts = re.search(r'id="counts" data-offers="(\d+)" data-needs="(\d+)"', html)
        assert counts, code
        assert (int(counts.group(1)), int(counts.group(2))) == (offers, needs), code


def test_needs_of_other_categories_a_material_meets_are_counted_apart(client, app):
    svc = app.extensions["mapservice"]
    html = client.get("/materiaux/bois.sciure").get_data(as_text=True)
    needs = [
        f
        for f in svc.repo.flows()
        if f.direction is Direction.INPUT and f.category_code == "bois.sciure"
    ]
    counts = re.search(r'id="counts" data-offers="\d+" data-needs="(\d+)"', html)
    assert counts and int(counts.group(1)) == len(needs)
    said = re.search(r'<p class="counted" id="counted">(.*?)</p>', html, flags=re.S).group(1)
    assert "comptés comme dans la liste des matières" in said
    met = re.search(r"Elle peut aussi combler (\d+) besoins d.autres catégories", said)
    assert met and int(met.group(1)) > 0 and 'href="/materiaux/usages.litiere_animale"' in said
