"""The members nobody has reached (/mobilisation): the engagement computed on hand-made
registries, read from a real database, and the page and its downloads on the demo."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mapservice import create_app
from mapservice.accounts import jobs as accounts
from mapservice.domain.engagement import Action, MemberFacts, RegistryActivity
from mapservice.domain.model import SynergyStatus
from mapservice.domain.moments import QUEBEC
from mapservice.registry.engagement import (
    engagement,
    engagement_score,
    last_quarters,
    quarter_shares,
    quarter_start,
    top_count,
    top_share,
)
from mapservice.services import Services
from mapservice.views import mobilisation as table
from tests.support.accounts import PASSWORD, sign_in
from tests.support.settings import make_settings

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=QUEBEC)


def _members(n: int) -> list[MemberFacts]:
    return [MemberFacts(member_id=i, name=f"Membre {i:02d}") for i in range(1, n + 1)]


def _moves(member_id: int, count: int, day: str = "2026-11-02") -> list[Action]:
    return [Action(member_id, _at(day), "pipeline_move")] * count


# --- the share of the most active fifth ----------------------------------------------------------


@pytest.mark.parametrize(
    ("activity", "members", "share"),
    [
        ([5, 5], 10, 1.0),  # 2 of 10 do everything
        ([3] * 10, 10, 0.2),  # equal activity
        ([7], 10, 1.0),  # one does everything: the fifth holds them
        ([4, 3, 2, 1], 10, 0.7),  # the two most active: 4 + 3 of 10
        ([1] * 5, 5, 0.2),  # 5 members: the fifth is one
        ([], 10, None),  # nothing at all: no share
        ([0, 0], 10, None),
    ],
)
def test_top_share(activity, members, share):
    assert top_share(activity, members) == pytest.approx(share) if share else share is None


@pytest.mark.parametrize(("members", "top"), [(0, 0), (1, 1), (5, 1), (10, 2), (11, 3), (247, 50)])
def test_the_fifth_is_rounded_up(members, top):
    assert top_count(members) == top


def test_ten_members_two_of_whom_do_everything():
    members = _members(10)
    actions = _moves(3, 6) + _moves(7, 4)
    view = engagement(RegistryActivity(members, actions), now=NOW)
    assert view.share == 1.0 and view.top_count == 2 and view.total_activity == 10
    assert view.quarters[-1].share == 1.0 and view.quarters[-1].active_members == 2
    assert all(q.share is None for q in view.quarters[:-1])


def test_ten_members_with_equal_activity():
    actions = [a for i in range(1, 11) for a in _moves(i, 3)]
    view = engagement(RegistryActivity(_members(10), actions), now=NOW)
    assert view.share == pytest.approx(0.2)
    assert view.quarters[-1].share == pytest.approx(0.2)


def test_events_attended_count_in_the_activity_and_the_column():
    view = engagement(
        RegistryActivity(_members(10), _moves(1, 2)), events_attended={2: 3, 99: 5}, now=NOW
    )
    rows = {r.member_id: r for r in view.rows}
    assert rows[2].events == 3 and rows[2].activity == 3 and rows[2].reached
    assert view.total_activity == 5  # 99 is no member: left out
    assert view.share == 1.0
    # undated, they are not in the trend
    assert view.quarters[-1].actions == 2


def test_dated_events_give_the_counts_the_trend_and_the_last_activity():
    dated = [Action(4, _at("2026-10-15"), "event"), Action(4, _at("2026-11-20"), "event")]
    view = engagement(RegistryActivity(_members(10), []), event_actions=dated, now=NOW)
    row = next(r for r in view.rows if r.member_id == 4)
    assert (row.events, row.activity, row.last_activity) == (2, 2, _at("2026-11-20"))
    assert view.quarters[-1].actions == 2


# --- quarters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "start"),
    [
        ("2026-01-01T00:00:00", "2026-01-01"),
        ("2026-03-31T23:59:59.999999", "2026-01-01"),
        ("2026-04-01T00:00:00", "2026-04-01"),
        ("2026-09-30T23:59:59", "2026-07-01"),
        ("2026-12-31T23:59:59", "2026-10-01"),
    ],
)
def test_quarter_start(moment, start):
    assert quarter_start(_at(moment)) == _at(start)


def test_quarters_are_the_regions():
    # 1 April 01:00 UTC is 31 March 21:00 in Québec (UTC−4): the first quarter's
    moment = datetime.fromisoformat("2026-04-01T01:00:00+00:00")
    assert quarter_start(moment) == _at("2026-01-01")
    assert quarter_start(moment.replace(tzinfo=None)) == _at("2026-01-01")  # as SQLite gives it


def test_the_last_eight_quarters_end_with_the_current_one():
    spans = last_quarters(NOW)
    assert len(spans) == 8
    assert spans[0] == (_at("2025-01-01"), _at("2025-04-01"))
    assert spans[-1] == (_at("2026-10-01"), _at("2027-01-01"))
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_an_action_on_a_quarter_boundary_counts_in_the_quarter_it_opens():
    actions = [
        Action(1, _at("2026-09-30T23:59:59.999999"), "pipeline_move"),
        Action(2, _at("2026-10-01T00:00:00"), "pipeline_move"),
        Action(3, _at("2024-12-31T23:59:59"), "pipeline_move"),  # before the 8 quarters
        Action(4, _at("2027-01-01T00:00:00"), "pipeline_move"),  # after now's quarter
    ]
    shares = quarter_shares(actions, 10, NOW)
    by_label = {(q.year, q.quarter): q for q in shares}
    assert by_label[2026, 3].actions == 1 and by_label[2026, 4].actions == 1
    assert sum(q.actions for q in shares) == 2


# --- the score and the order ---------------------------------------------------------------------


def test_score():
    synergies = {"candidate": 40, "contacted": 1, "in_progress": 1, "realised": 2, "rejected": 5}
    # 1 × (2 + 1) + 2 × 1 + 2 × 1 + 3 × 2 + 3 × 1
    assert engagement_score(2, 1, synergies, 1) == 16
    assert engagement_score(0, 0, {"candidate": 99, "rejected": 3}, 0) == 0


def test_quiet_members_first_then_names_as_a_french_reader_sorts_them():
    names = ["Zinc ltée", "école du Lac", "Érablière B", "Ebénisterie A", "Acier", "Fonderie"]
    members = [MemberFacts(member_id=i, name=n) for i, n in enumerate(names, 1)]
    members[0] = MemberFacts(member_id=1, name="Zinc ltée", offers=0, needs=0)
    members[5] = MemberFacts(member_id=6, name="Fonderie", offers=3, synergies={"realised": 1})
    members[4] = MemberFacts(member_id=5, name="Acier", offers=1)
    view = engagement(RegistryActivity(members, []), now=NOW)
    assert [r.name for r in view.rows] == [
        "Ebénisterie A",
        "école du Lac",
        "Érablière B",
        "Zinc ltée",
        "Acier",
        "Fonderie",
    ]
    assert [r.score for r in view.rows] == [0, 0, 0, 0, 1, 6]
    assert view.unreached == 5


# --- read from a real database -------------------------------------------------------------------


def test_the_store_reads_flows_synergies_moves_and_the_audit_log(services):
    repo = services.repo
    alpha = repo.add_member({"name": "Alpha"}, actor="léa")
    beta = repo.add_member({"name": "Bêta"}, actor="léa")
    quiet = repo.add_member({"name": "Calme"}, actor="léa")
    sa_ = repo.add_site({"member_id": alpha, "name": "Usine A"}, actor="léa")
    sb = repo.add_site({"member_id": beta, "name": "Usine B"}, actor="léa")
    offer = repo.add_flow(
        {
            "site_id": sa_,
            "direction": "output",
            "category_code": "bois.sciure",
            "description": "Sciure",
        },
        actor="léa",
    )
    need = repo.add_flow(
        {
            "site_id": sb,
            "direction": "input",
            "category_code": "bois.sciure",
            "description": "Sciure",
        },
        actor="léa",
    )
    extra = repo.add_flow(
        {
            "site_id": sb,
            "direction": "output",
            "category_code": "bois.sciure",
            "description": "Écorce",
        },
        actor="léa",
    )
    repo.update_flow(need, {"description": "Sciure sèche"}, actor="léa")
    repo.delete_flow(extra, actor="léa")
    repo.save_candidates(
        [
            {
                "output_flow_id": offer,
                "input_flow_id": need,
                "kind": "substitution",
                "score": 0.8,
                "reasons_json": "[]",
            }
        ]
    )
    (synergy,) = repo.synergies()
    moved = _at("2026-05-04T10:00:00")
    repo.move_synergy(synergy.id, SynergyStatus.CONTACTED, author="léa", at=moved)
    repo.move_synergy(
        synergy.id, SynergyStatus.IN_PROGRESS, author="léa", at=moved + timedelta(days=9)
    )

    facts = repo.engagement_facts()
    by_id = {m.member_id: m for m in facts.members}
    assert (by_id[alpha].offers, by_id[alpha].needs) == (1, 0)
    assert (by_id[beta].offers, by_id[beta].needs) == (0, 1)
    assert by_id[alpha].synergies == {"in_progress": 1} == by_id[beta].synergies
    assert by_id[quiet].synergies == {} and by_id[quiet].touched_at is not None
    kinds = {
        who: sorted(a.kind for a in facts.actions if a.member_id == who) for who in (alpha, beta)
    }
    assert kinds[alpha] == ["flow_declared", "pipeline_move", "pipeline_move"]
    # its flows now, the deleted one's creation; the update and the deletion; both steps
    assert kinds[beta] == ["flow_declared"] * 2 + ["flow_updated"] * 2 + ["pipeline_move"] * 2
    assert not [a for a in facts.actions if a.member_id == quiet]

    view = engagement(facts, now=NOW)
    assert [r.name for r in view.rows] == ["Calme", "Alpha", "Bêta"]
    rows = {r.member_id: r for r in view.rows}
    assert rows[alpha].score == 1 + 2 and rows[beta].activity == 6
    assert rows[alpha].last_activity is not None and rows[alpha].last_activity >= moved


# --- the page and its downloads on the demo ------------------------------------------------------


def _cells(html: str) -> list[list[str]]:
    body = html.split('id="membres"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr data-member=\"(\d+)\"[^>]*>(.*?)</tr>", body, re.S)
    return [
        [member_id]
        + [
            html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).replace("\xa0", " ").strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for member_id, row in rows
    ]


def _number(text: str) -> float:
    """A number as the page or the CSV writes it (group separators, unit, decimal comma)."""
    return float(text.replace("\u202f", "").replace(" ", "").replace("%", "").replace(",", "."))


def test_the_page_and_its_downloads_show_the_same_rows(live_demo_app):
    client = sign_in(live_demo_app.test_client(), "personnel")
    page = client.get("/mobilisation")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/mobilisation"' in html  # in the menu
    share = re.search(r'id="part-des-plus-actifs">([^<]+)<', html)
    assert share is not None and share.group(1).strip() != "—"
    shown = _cells(html)
    assert len(shown) == 247

    download = client.get("/mobilisation.csv")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    assert "attachment" in download.headers["Content-Disposition"]
    text = download.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == [header for _, header in table.COLUMNS]
    assert len(rows) == 1 + len(shown)
    for csv_row, page_row in zip(rows[1:], shown, strict=True):
        member_id, name, *figures, last, score = page_row
        assert csv_row[0] == member_id and csv_row[1] == name
        assert [_number(f) for f in figures] == [_number(c) for c in csv_row[2:12]]
        assert _number(score) == _number(csv_row[13])
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", csv_row[12])
    assert any("," in row[11] for row in rows[1:])  # the decimal comma

    workbook = client.get("/mobilisation.xlsx")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.get_data()))
    sheet = list(book["membres"].iter_rows(values_only=True))
    assert list(sheet[0]) == rows[0]
    for xlsx_row, csv_row in zip(sheet[1:], rows[1:], strict=True):
        assert str(xlsx_row[0]) == csv_row[0] and xlsx_row[1] == csv_row[1]
        assert [str(v) for v in xlsx_row[2:11]] == csv_row[2:11]
        assert xlsx_row[11] == _number(csv_row[11])
        assert xlsx_row[12].strftime("%Y-%m-%d %H:%M:%S") == csv_row[12]
    quarters = list(book["trimestres"].iter_rows(values_only=True))
    assert len(quarters) == 1 + 8 and quarters[-1][0].startswith("T")
    # a quarter opens at midnight in Québec, written in UTC as the header says
    assert all(row[1].hour in (4, 5) and row[1].day == 1 for row in quarters[1:])


def test_the_page_in_english(live_demo_app):
    client = sign_in(live_demo_app.test_client(), "personnel")
    html = client.get("/mobilisation?lang=en").get_data(as_text=True)
    assert "Member mobilisation" in html and "most active" in html


def test_an_unknown_format_is_not_found(live_demo_app):
    client = sign_in(live_demo_app.test_client(), "personnel")
    assert client.get("/mobilisation.pdf").status_code == 404


@pytest.mark.parametrize("path", ["/mobilisation", "/mobilisation.csv", "/mobilisation.xlsx"])
def test_strangers_are_sent_to_sign_in(live_demo_app, path):
    response = live_demo_app.test_client().get(path)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


@pytest.mark.parametrize("role", ["presenter", "park_manager"])
def test_other_roles_are_refused(tmp_path: Path, live_demo_sqlite: Path, role: str):
    target = tmp_path / "live_demo.sqlite"
    shutil.copy(live_demo_sqlite, target)
    svc = Services(make_settings(tmp_path, "sqlite:///" + str(target)))
    parks = [svc.repo.parks()[0].id] if role == "park_manager" else []
    accounts.add_user(svc, username="autre", password=PASSWORD, role=role, parks=parks)
    svc.close()
    app = create_app(
        {
            "DATABASE_URL": "sqlite:///" + str(target),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
        }
    )
    client = sign_in(app.test_client(), "autre")
    for path in ("/mobilisation", "/mobilisation.csv", "/mobilisation.xlsx"):
        assert client.get(path).status_code == 403, path
    assert 'href="/mobilisation"' not in client.get("/compte").get_data(as_text=True)


def test_events_attended_come_from_the_events_held(live_demo_app):
    """A member counts an event once its day has come: the participants of an event held
    today count 1, those of a coming event nothing yet; the page and its download agree."""
    from datetime import timedelta

    from mapservice.domain.moments import QUEBEC, in_quebec
    from mapservice.web import services

    today = in_quebec(datetime.now(QUEBEC)).date()
    with live_demo_app.app_context():
        repo = services().repo
        held = repo.add_event("Maillage d'automne", today, "Alma", author="personnel")
        coming = repo.add_event("Maillage du printemps", today + timedelta(days=60), "Roberval",
                                author="personnel")  # fmt: skip
        members = [m.id for m in repo.members()[:4]]
        repo.add_participants(held, members[:2], author="personnel")
        repo.add_participants(coming, members[1:4], author="personnel")
    client = sign_in(live_demo_app.test_client(), "personnel")
    text = client.get("/mobilisation.csv").get_data().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    column = [key for key, _ in table.COLUMNS].index("events")
    attended = {int(r[0]): int(r[column]) for r in rows[1:]}
    assert [attended[m] for m in members] == [1, 1, 0, 0]
    assert sum(attended.values()) == 2
