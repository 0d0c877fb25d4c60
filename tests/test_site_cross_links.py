"""A site's map page and its registry record link to each other, for a reader who may open both."""

from __future__ import annotations

import re


def _a_site_id(app) -> int:
    svc = app.extensions["mapservice"]
    return next(s.id for s in svc.repo.sites() if s.lat is not None)


def test_the_map_page_and_the_registry_record_link_to_each_other(app, client):
    site_id = _a_site_id(app)
    page = client.get(f"/sites/{site_id}").get_data(as_text=True)
    link = re.search(r'<a id="fiche-registre" href="([^"]+)">Fiche au registre</a>', page)
    assert link and link.group(1) == f"/registre/sites/{site_id}"
    record = client.get(link.group(1))
    assert record.status_code == 200
    back = re.search(
        r'<a id="page-carte" href="([^"]+)">Page du site</a>', record.get_data(as_text=True)
    )
    assert back and back.group(1) == f"/sites/{site_id}"
    assert client.get(back.group(1)).status_code == 200


def test_a_new_site_form_has_no_map_page_to_link_to(app, client):
    svc = app.extensions["mapservice"]
    member_id = next(s.member_id for s in svc.repo.sites())
    html = client.get(f"/registre/membres/{member_id}/sites/nouveau").get_data(as_text=True)
    assert 'id="page-carte"' not in html


def test_readers_who_may_open_neither_page_get_no_link(app, client_as):
    site_id = _a_site_id(app)
    for username in ("gestion", "presentateur"):
        reader = client_as(username)
        for path in (f"/sites/{site_id}", f"/registre/sites/{site_id}"):
            r = reader.get(path)
            assert r.status_code == 403, (username, path)
            assert "fiche-registre" not in r.get_data(as_text=True)
