"""The audit log: who wrote what and when, before and after; history pages; restoring versions.

Writes go through the real registry pages as a signed-in staff member, on SQLite and on
PostGIS; the store-level cases (refusals, secrets, settings, views, positions) run on both too.
"""

from __future__ import annotations

import inspect
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mapservice import create_app
from mapservice.accounts import jobs as accounts
from mapservice.domain.model import Location, Member, Precision, PresenterView
from mapservice.errors import InvalidInput, NotFound
from mapservice.storage import registry_store
from mapservice.storage import schema as t
from mapservice.storage.sql import SqlRepository
from tests.support.accounts import PASSWORD, csrf_token_of, sign_in

MEMBER = {
    "name": "Fonderie Éloïse (essai)",
    "naics_code": "331511",
    "contact_name": "Léa Côté",
    "contact_email": "lea@fonderie.example",
    "contact_phone": "",
    "public_consent": "",
}
SITE = {
    "name": "",
    "address": "1200, rue des Pins",
    "municipality_id": "saguenay-chicoutimi",
    "postal_code": "g7h5b1",
}
FLOW = {
    "direction": "output",
    "category_code": "metaux.aluminium.retailles",
    "description": "Retailles d'usinage à l'été",
    "quantity": "2,5",
    "unit": "t_per_year",
    "frequency": "monthly",
}
IMPORT_HEADER = (
    "entreprise;secteur_scian;site;adresse;municipalite;code_postal;type;matiere;"
    "description;quantite;unite;frequence"
)
IMPORT_ROW = (
    "Brasserie du Fjord (essai);312120;;12, rue Racine Est;Chicoutimi;G7H 5B1;offre;"
    "drêche de brasserie;Drêche humide;{quantity};t/an;hebdomadaire"
)
#: The importer's audit hook (``apply_import(..., actor=...)``) is in place.
IMPORT_AUDITED = "actor" in inspect.signature(SqlRepository.apply_import).parameters
#: The account functions pass who acts on to the store.
ACCOUNTS_AUDITED = "actor" in inspect.signature(accounts.set_role).parameters


@pytest.fixture
def staff(services: Any, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    """A client signed in as staff (``personnel``) on the backend ``services`` runs on, and
    the app's own services."""
    accounts.add_user(services, username="personnel", password=PASSWORD, role="staff")
    app = create_app(
        {
            "DATABASE_URL": services.settings["DATABASE_URL"],
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
        }
    )
    yield sign_in(app.test_client(), "personnel"), app.extensions["mapservice"]
    app.extensions["mapservice"].close()


def _created(response: Any) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _entries(repo: Any) -> int:
    with repo.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(t.audit_log)).scalar())


def _plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """An entry's values without the creation time (checked apart)."""
    return None if values is None else {k: v for k, v in values.items() if k != "created_at"}


def _restore(client: Any, slug: str, record_id: int, audit_id: int) -> Any:
    return client.post(f"/registre/historique/{slug}/{record_id}/{audit_id}/restaurer")


def _member_site_flow(client: Any) -> tuple[int, int, int]:
    member_id = _created(client.post("/registre/membres/nouveau", data=MEMBER))
    site_id = _created(client.post(f"/registre/membres/{member_id}/sites/nouveau", data=SITE))
    response = client.post(f"/registre/sites/{site_id}/flux/nouveau", data=FLOW)
    assert response.status_code == 303
    (flow,) = client.application.extensions["mapservice"].repo.flows(site_ids=[site_id])
    return member_id, site_id, flow.id


# --- through the pages --------------------------------------------------------------------------


def test_page_writes_are_logged_with_who_and_the_exact_values(staff):
    client, svc = staff
    repo = svc.repo
    member_id, site_id, flow_id = _member_site_flow(client)

    (created,) = repo.history("members", member_id)
    assert (created.action, created.actor, created.old_values) == ("create", "personnel", None)
    assert _plain(created.new_values) == {
        "name": "Fonderie Éloïse (essai)",
        "naics_code": "331511",
        "contact_name": "Léa Côté",
        "contact_email": "lea@fonderie.example",
        "contact_phone": None,
        "public_consent": False,
    }
    assert created.new_values["created_at"].endswith("+00:00")

    changed = {**MEMBER, "contact_phone": "418 555-0123, poste 12", "public_consent": "on"}
    assert client.post(f"/registre/membres/{member_id}", data=changed).status_code == 303
    assert client.post(f"/registre/membres/{member_id}", data=changed).status_code == 303
    created, updated = repo.history("members", member_id)  # saving it unchanged logs nothing
    assert (updated.action, updated.actor) == ("update", "personnel")
    assert updated.old_values == created.new_values
    assert updated.changes() == [
        ("contact_phone", None, "418 555-0123, poste 12"),
        ("public_consent", False, True),
    ]

    (site,) = repo.history("sites", site_id)
    assert (site.action, site.actor) == ("create", "personnel")
    assert {
        k: site.new_values[k] for k in ("member_id", "name", "postal_code", "geocode_precision")
    } == {
        "member_id": member_id,
        "name": "1200, rue des Pins",
        "postal_code": "G7H 5B1",
        "geocode_precision": "postcode",
    }

    moved = client.post(
        f"/sites/{site_id}/position",
        data={"lat": "48,4069", "lon": "-71.2221", "by": "Léa au téléphone"},
    )
    assert moved.status_code == 303
    placed = repo.history("sites", site_id)[-1]
    changes = {name: (old, new) for name, old, new in placed.changes()}
    assert (placed.action, placed.actor) == ("update", "personnel")
    assert changes["geocoded_by"] == ("registre (formulaire)", "personnel")  # never a posted name
    assert changes["geocode_precision"] == ("postcode", "manual") and changes["lat"][1] == 48.4069

    edited = {
        **FLOW,
        "description": "Retailles d'usinage triées",
        "quantity": "1 200",
        "confidential": "on",
    }
    assert client.post(f"/registre/flux/{flow_id}", data=edited).status_code == 303
    assert client.post(f"/registre/flux/{flow_id}/supprimer").status_code == 303
    added, edit, deleted = repo.history("flows", flow_id)
    assert [e.action for e in (added, edit, deleted)] == ["create", "update", "delete"]
    assert {e.actor for e in (added, edit, deleted)} == {"personnel"}
    assert _plain(added.new_values) == {
        "site_id": site_id,
        "direction": "output",
        "category_code": "metaux.aluminium.retailles",
        "description": "Retailles d'usinage à l'été",
        "quantity": 2.5,
        "unit": "t_per_year",
        "frequency": "monthly",
        "hazardous": False,
        "confidential": False,
        "to_classify": False,
        "suggestions": None,
        "material_text": None,
    }
    assert edit.changes() == [
        ("description", "Retailles d'usinage à l'été", "Retailles d'usinage triées"),
        ("quantity", 2.5, 1200.0),
        ("confidential", False, True),
    ]
    assert deleted.old_values == edit.new_values and deleted.new_values is None

    page = client.get(f"/registre/historique/flux/{flow_id}").get_data(as_text=True)
    assert re.findall(r'data-action="(\w+)"', page) == ["delete", "update", "create"]
    assert ">suppression<" in page and ">création<" in page
    assert "Retailles d&#39;usinage à l&#39;été" in page and "personnel" in page
    assert page.count("Restaurer cette version") == 3
    forms = re.findall(
        r'<form method="post" action="/registre/historique/flux/[^"]+restaurer">'
        r'<input type="hidden" name="csrf_token" value="([^"]+)">',
        page,
    )
    assert len(forms) == 3 and forms[0] == csrf_token_of(page)
    site_page = client.get(f"/registre/sites/{site_id}").get_data(as_text=True)
    assert f'href="/registre/historique/flux/{flow_id}"' in site_page  # the deleted flow
    assert f'href="/registre/historique/sites/{site_id}"' in site_page


def test_restore_an_earlier_version_and_a_deleted_flow(staff):
    client, svc = staff
    repo = svc.repo
    member_id, site_id, flow_id = _member_site_flow(client)
    first = repo.get_member(member_id)
    client.post(
        f"/registre/membres/{member_id}",
        data={**MEMBER, "name": "Fonderie Éloïse inc.", "contact_phone": "418 555-0123"},
    )
    client.post(
        f"/registre/membres/{member_id}",
        data={**MEMBER, "name": "Fonderie Éloïse inc.", "contact_email": ""},
    )
    created, _second, third = repo.history("members", member_id)
    assert repo.get_member(member_id) != first

    response = _restore(client, "membres", member_id, created.id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/registre/historique/membres/{member_id}")
    assert (
        repo.get_member(member_id)
        == first
        == Member(
            id=member_id,
            name="Fonderie Éloïse (essai)",
            naics_code="331511",
            contact_name="Léa Côté",
            contact_email="lea@fonderie.example",
            contact_phone=None,
            public_consent=False,
        )
    )
    restored = repo.history("members", member_id)[-1]
    assert (restored.action, restored.actor) == ("restore", "personnel")
    assert (restored.old_values, restored.new_values) == (third.new_values, created.new_values)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Version de l&#39;entrée n° {created.id} restaurée." in page
    # The same version again: nothing to write, nothing logged.
    assert _restore(client, "membres", member_id, created.id).status_code == 303
    assert len(repo.history("members", member_id)) == 4

    before = repo.get_flow(flow_id)
    client.post(f"/registre/flux/{flow_id}/supprimer")
    with pytest.raises(NotFound):
        repo.get_flow(flow_id)
    page = client.get(f"/registre/historique/flux/{flow_id}").get_data(as_text=True)
    assert 'id="supprime"' in page
    deleted = repo.history("flows", flow_id)[-1]
    assert _restore(client, "flux", flow_id, deleted.id).status_code == 303
    assert repo.get_flow(flow_id) == before  # the same flow, with its id
    back = repo.history("flows", flow_id)[-1]
    assert (back.action, back.old_values, back.new_values) == ("restore", None, deleted.old_values)
    site_page = client.get(f"/registre/sites/{site_id}").get_data(as_text=True)
    assert f'data-flow="{flow_id}"' in site_page and 'id="flux-supprimes"' not in site_page


def test_a_refused_write_leaves_no_entry(staff, monkeypatch):
    client, svc = staff
    repo = svc.repo
    member_id, site_id, _flow_id = _member_site_flow(client)
    other = _created(client.post("/registre/membres/nouveau", data={"name": "Autre (essai)"}))
    renamed = _created(client.post("/registre/membres/nouveau", data={"name": "Gamma"}))
    client.post(f"/registre/membres/{renamed}", data={"name": "Delta"})
    client.post("/registre/membres/nouveau", data={"name": "Gamma"})
    count = _entries(repo)
    refused = [
        client.post("/registre/membres/nouveau", data={"name": "FONDERIE ELOISE (essai)"}),
        client.post(f"/registre/membres/{other}", data={"name": MEMBER["name"]}),
        client.post(f"/registre/membres/{other}", data={"name": "x", "contact_email": "non"}),
        client.post(f"/registre/sites/{site_id}/flux/nouveau", data=FLOW),
        _restore(client, "membres", other, repo.history("members", member_id)[0].id),
        _restore(client, "membres", renamed, repo.history("members", renamed)[0].id),
    ]
    assert [r.status_code for r in refused] == [422, 422, 422, 422, 404, 422]
    page = refused[-1].get_data(as_text=True)
    assert "Rien n'a été restauré." in page and "Un autre membre porte déjà ce nom" in page
    assert _entries(repo) == count and repo.get_member(renamed).name == "Delta"

    # A write that fails after its entry was written takes the entry down with it.
    def failing(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise RuntimeError("disque plein")

    real = registry_store.record_change
    monkeypatch.setattr(registry_store, "record_change", failing)
    with pytest.raises(RuntimeError):
        repo.update_member(other, {"name": "Renommé"}, actor="personnel")
    assert _entries(repo) == count and repo.get_member(other).name == "Autre (essai)"


def test_only_staff_see_a_history_or_restore_it(app, client, client_as, stranger):
    flow = app.extensions["mapservice"].repo.flows()[0]
    url = f"/registre/historique/flux/{flow.id}"
    response = client.get(url)
    assert response.status_code == 200 and "Historique des modifications" in response.get_data(
        as_text=True
    )
    for edit in (f"/registre/flux/{flow.id}", f"/registre/sites/{flow.site_id}"):
        assert 'href="/registre/historique/' in client.get(edit).get_data(as_text=True)
    for username in ("gestion", "presentateur"):
        other = client_as(username)
        assert other.get(url).status_code == 403
        assert other.post(f"{url}/1/restaurer").status_code == 403
    assert stranger.get(url).headers["Location"].startswith("/connexion")
    assert stranger.post(f"{url}/1/restaurer").headers["Location"].startswith("/connexion")
    forged = client_as("personnel")
    del forged.environ_base["HTTP_X_CSRFTOKEN"]
    assert forged.post(f"{url}/1/restaurer").status_code == 400
    assert client.get("/registre/historique/comptes/1").status_code == 404
    assert client.get("/registre/historique/flux/999999").status_code == 404


@pytest.mark.skipif(not IMPORT_AUDITED, reason="the importer's audit hook is not in sql.py yet")
def test_an_import_logs_each_row_it_writes_and_the_file(staff):
    client, svc = staff
    repo = svc.repo

    def imported(quantity: str) -> None:
        content = f"{IMPORT_HEADER}\n{IMPORT_ROW.format(quantity=quantity)}\n".encode()
        page = client.post(
            "/registre/import",
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(content), "membres été.csv")},
        )
        token = re.search(
            r'action="/registre/import/([0-9a-f]{32})"', page.get_data(as_text=True)
        ).group(1)
        assert client.post(f"/registre/import/{token}").status_code == 303

    count = _entries(repo)
    imported("2,5")
    (member,) = [m for m in repo.members() if m.name == "Brasserie du Fjord (essai)"]
    (site,) = repo.member_sites(member.id)
    (flow,) = repo.flows(site_ids=[site.id])
    assert _entries(repo) == count + 4  # a member, a site, a flow, and the file
    (entry,) = repo.history("members", member.id)
    assert (entry.action, entry.actor, entry.note) == (
        "create",
        "personnel",
        "import membres été.csv",
    )
    for table, record_id in (("members", member.id), ("sites", site.id), ("flows", flow.id)):
        created = repo.history(table, record_id)[0]  # exactly the row as stored:
        assert repo.restore(table, record_id, created.id, "personnel") is False

    imported("3")
    assert repo.history("flows", flow.id)[-1].changes() == [("quantity", 2.5, 3.0)]
    first, second = repo.history("imports", "membres été.csv")
    assert (second.action, second.actor, second.new_values) == (
        "import",
        "personnel",
        {
            "source": "membres été.csv",
            "inserted": {"members": 0, "sites": 0, "flows": 0},
            "updated": {"members": 0, "sites": 0, "flows": 1},
            "unchanged": {"members": 1, "sites": 1, "flows": 0},
        },
    )
    assert first.new_values["inserted"] == {"members": 1, "sites": 1, "flows": 1}


@pytest.mark.skipif(not ACCOUNTS_AUDITED, reason="accounts.py does not pass the actor yet")
def test_account_changes_on_the_admin_page_name_the_administrator(app, client_as):
    repo = app.extensions["mapservice"].repo
    admin = client_as("admin")
    user = repo.find_user("presentateur")
    response = admin.post(
        f"/admin/comptes/{user.id}",
        data={"role": "staff", "password": "un-nouveau-mot-de-passe-long"},
    )
    assert response.status_code in (302, 303)
    *_, role, password = repo.history("users", user.id)
    assert (role.actor, role.changes()) == ("admin", [("role", "presenter", "staff")])
    assert (password.actor, password.changes()) == ("admin", [("password_hash", "***", "***")])


# --- in the store -------------------------------------------------------------------------------


def test_restore_refuses_a_taken_name_a_missing_site_and_a_reused_id(services):
    repo = services.repo
    alpha = repo.add_member({"name": "Alpha"}, actor="léa")
    repo.update_member(alpha, {"name": "Bêta"}, actor="léa")
    repo.add_member({"name": "ALPHA"}, actor="léa")
    with pytest.raises(InvalidInput, match="Un autre membre porte déjà ce nom"):
        repo.restore("members", alpha, repo.history("members", alpha)[0].id, "léa")
    assert repo.get_member(alpha).name == "Bêta" and len(repo.history("members", alpha)) == 2

    site = repo.add_site({"member_id": alpha, "name": "Usine"}, actor="léa")
    values = {
        "site_id": site,
        "direction": "input",
        "category_code": "bois.sciure",
        "description": "Sciure",
    }
    flow = repo.add_flow(values, actor="léa")
    repo.delete_flow(flow, actor="léa")
    deleted = repo.history("flows", flow)[-1]
    reused = repo.add_flow({**values, "description": "Copeaux"}, actor="léa")
    if reused == flow:  # SQLite gives a freed last id again; PostgreSQL never does
        with pytest.raises(InvalidInput, match="désigne maintenant un autre"):
            repo.restore("flows", flow, deleted.id, "léa")
        assert repo.get_flow(flow).description == "Copeaux"
    else:
        assert repo.restore("flows", flow, deleted.id, "léa") is True
        assert repo.get_flow(flow).description == "Sciure"
        repo.delete_flow(flow, actor="léa")
    with repo.engine.begin() as conn:  # no page deletes a site; one may vanish another way
        conn.execute(t.flows.delete().where(t.flows.c.site_id == site))
        conn.execute(t.sites.delete().where(t.sites.c.id == site))
    gone = repo.history("flows", reused)[0]
    with pytest.raises(InvalidInput, match=f"Le site n° {site} .* restaurez-le d'abord"):
        repo.restore("flows", reused, gone.id, "léa")
    with pytest.raises(NotFound):
        repo.restore("flows", reused, deleted.id + 10_000, "léa")
    with pytest.raises(InvalidInput):
        repo.restore("users", 1, gone.id, "léa")


def test_accounts_settings_views_and_positions_are_logged_without_secrets(services):
    repo = services.repo
    user_id = accounts.add_user(services, username="lea", password=PASSWORD, role="staff")
    (created,) = repo.history("users", user_id)
    assert created.new_values["password_hash"] == "***"
    assert created.new_values["role"] == "staff" and created.actor == "système"
    repo.update_user(user_id, role="admin", actor="admin")
    repo.update_user(user_id, failed_logins=3, locked_until=None)  # sign-in bookkeeping
    accounts.reset_password(services, "lea", "un-autre-mot-de-passe")
    _c, role, password = repo.history("users", user_id)
    assert (role.actor, role.changes()) == ("admin", [("role", "staff", "admin")])
    assert password.changes() == [("password_hash", "***", "***")]
    hashes = {u.password_hash for u in repo.users()} | {created.new_values["password_hash"]}
    with repo.engine.connect() as conn:
        logged = " ".join(
            filter(
                None,
                (
                    v
                    for row in conn.execute(
                        sa.select(t.audit_log.c.old_values, t.audit_log.c.new_values)
                    )
                    for v in row
                ),
            )
        )
    assert not [h for h in hashes if h != "***" and h in logged]
    assert "scrypt" not in logged and "pbkdf2" not in logged

    repo.set_setting("public_map", "1", by="admin")
    repo.set_setting("public_map", "0", by="léa")
    first, second = repo.history("app_settings", "public_map")
    assert (first.action, first.new_values, second.actor, second.changes()) == (
        "create",
        {"value": "1"},
        "léa",
        [("value", "1", "0")],
    )

    view = PresenterView(id=None, position=0, title="Vue du Saguenay", lat=48.4, lon=-71.1, zoom=11)
    a = repo.add_presenter_view(view, actor="léa")
    b = repo.add_presenter_view(view, actor="léa")
    repo.update_presenter_view(a, {"title": "Vue d'Alma"}, actor="léa")
    repo.move_presenter_view(b, -1, actor="léa")
    repo.delete_presenter_view(a, actor="léa")
    assert [e.action for e in repo.history("presenter_views", a)] == [
        "create",
        "update",
        "update",
        "delete",
    ]
    assert repo.history("presenter_views", a)[2].changes() == [("position", 1, 2)]

    member = repo.add_member({"name": "Placé à la main"}, actor="léa")
    site = repo.add_site({"member_id": member, "name": "Usine"}, actor="léa")
    repo.set_site_location(
        site,
        Location(
            lon=-71.07,
            lat=48.43,
            precision=Precision.MANUAL,
            source="correction-manuelle",
            score=1.0,
        ),
        park_id=None,
        by="Léa au téléphone",
        actor="personnel",
    )
    moved = repo.history("sites", site)[-1]
    assert moved.actor == "personnel"
    assert dict((name, new) for name, _old, new in moved.changes())["lat"] == 48.43


def test_personal_tokens_made_and_revoked_are_logged_without_their_secret(app, client_as):
    from mapservice.accounts import jobs as accounts

    svc = app.extensions["mapservice"]
    secret = accounts.make_token(svc, "gestion", "QGIS du parc", actor="admin")
    (token,) = [
        t for t in svc.repo.tokens(svc.repo.find_user("gestion").id) if t.name == "QGIS du parc"
    ]
    manager = client_as("gestion")
    assert manager.post(f"/compte/jetons/{token.id}/revoquer").status_code == 302
    made, revoked = svc.repo.history("api_tokens", token.id)
    assert (made.action, made.actor) == ("create", "admin")
    assert made.new_values["name"] == "QGIS du parc" and made.new_values["prefix"] == secret[:10]
    assert (revoked.action, revoked.actor) == ("update", "gestion")
    assert revoked.changes()[0][0] == "revoked_at"
    for entry in (made, revoked):
        text = repr(entry.old_values) + repr(entry.new_values)
        assert secret not in text and accounts._digest(secret) not in text


def _pipeline(repo: Any) -> dict[int, tuple[Any, ...]]:
    """Every stored synergy, every column but the clock of its last write, and its history."""
    s, e = t.synergies, t.synergy_events
    with repo.engine.connect() as conn:
        history: dict[int, list[tuple[Any, ...]]] = {}
        for ev in conn.execute(sa.select(e).order_by(e.c.at, e.c.id)):
            history.setdefault(ev.synergy_id, []).append(
                (ev.from_status, ev.to_status, ev.at, ev.author, ev.note)
            )
        return {
            row.id: (
                *(row._mapping[c.name] for c in s.columns if c.name != "updated_at"),
                history.get(row.id, []),
            )
            for row in conn.execute(sa.select(s))
        }


def test_a_restored_flow_brings_back_its_tracked_synergies_with_their_history(services):
    """Deleting a flow took every synergy it was in along, contacted and realised ones too,
    and restoring the flow brought none back: the pipeline's history was lost."""
    from mapservice.domain.model import SynergyStatus as S

    repo = services.repo
    member = repo.add_member({"name": "Gamma"}, actor="léa")
    mill = repo.add_site({"member_id": member, "name": "Scierie"}, actor="léa")
    plant = repo.add_site({"member_id": member, "name": "Chaufferie"}, actor="léa")
    offer = repo.add_flow(
        {
            "site_id": mill,
            "direction": "output",
            "category_code": "bois.sciure",
            "description": "Sciure",
        },
        actor="léa",
    )
    needs = [
        repo.add_flow(
            {
                "site_id": plant,
                "direction": "input",
                "category_code": "bois.sciure",
                "description": text,
            },
            actor="léa",
        )
        for text in ("Sciure sèche", "Copeaux", "Écorces")
    ]
    repo.save_candidates(
        [
            {
                "output_flow_id": offer,
                "input_flow_id": need,
                "kind": "substitution",
                "score": 0.9 - i / 10,
                "reasons_json": "[]",
            }
            for i, need in enumerate(needs)
        ]
    )
    tracked, candidate, rejected = (repo.synergies(flow_ids=[need])[0].id for need in needs)
    repo.move_synergy(tracked, S.CONTACTED, author="Léa", note="premier appel")
    repo.move_synergy(tracked, S.IN_PROGRESS, author="Marc", note="essai de 5 t")
    repo.move_synergy(rejected, S.REJECTED, author="Léa", note="trop humide")
    before = _pipeline(repo)

    repo.delete_flow(offer, actor="léa")
    assert repo.synergies() == []
    assert repo.restore("flows", offer, repo.history("flows", offer)[-1].id, "léa") is True
    after = _pipeline(repo)
    assert after == {i: before[i] for i in (tracked, rejected)}  # the candidate: matching's
    assert "avec 2 synergies suivies" in (repo.history("flows", offer)[-1].note or "")

    # both ends gone: the synergy comes back with the second of its flows
    repo.delete_flow(needs[0], actor="léa")
    repo.delete_flow(offer, actor="léa")
    assert repo.restore("flows", offer, repo.history("flows", offer)[-1].id, "léa") is True
    assert set(_pipeline(repo)) == {rejected}
    assert repo.restore("flows", needs[0], repo.history("flows", needs[0])[-1].id, "léa") is True
    assert _pipeline(repo) == after
