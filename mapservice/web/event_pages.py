"""Maillage events (staff): the list and its form, and each event's page — participants,
table plan, meetings that took place, and what came of it — and its presentation. Every
form is one use case of :mod:`mapservice.events.jobs`; a refused one comes back on the page
with its message (422) and nothing saved."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from mapservice.domain.model import PresenterView
from mapservice.domain.sectors import BY_CODE
from mapservice.errors import InvalidInput, MapserviceError
from mapservice.events import jobs
from mapservice.events.page import event_page
from mapservice.events.presentation import EventDeck, event_deck
from mapservice.events.selection import NameMatches
from mapservice.views.folium_maps import REGION_CENTRE, REGION_ZOOM
from mapservice.web import services
from mapservice.web.event_sheet_pages import sheets_page
from mapservice.web.i18n import language, num
from mapservice.web.mapping import status_labels
from mapservice.web.presenter_pages import deck_download, render_deck
from mapservice.web.registry_pages import audit_actor

bp = Blueprint("event_pages", __name__)

Page = tuple[str, int]


def _list_page(error: MapserviceError | None = None, form: Any = None) -> Page:
    page = render_template(
        "events.html", events=jobs.events(services()), error=error, form=form or {}
    )
    return page, error.status if error else 200


@bp.get("/evenements")
def events() -> Page:
    return _list_page()


@bp.post("/evenements")
def create_event() -> Page | Response:
    try:
        event_id = jobs.create_event(services(), request.form, author=audit_actor())
    except MapserviceError as exc:
        return _list_page(exc, request.form)
    flash(_("Événement créé. Ajoutez-lui ses participants."), "success")
    return redirect(url_for(".event", event_id=event_id), code=303)


def _event_page(
    event_id: int, error: MapserviceError | None = None, report: NameMatches | None = None
) -> Page:
    svc = services()
    args = request.args
    q, park, sector = (args.get(k, "")[:200] for k in ("q", "park", "sector"))
    lang = language()
    view = event_page(svc, event_id, q=q, park_id=park, sector=sector)
    page = render_template(
        "event.html",
        page=view,
        q=q,
        park=park,
        sector=sector,
        sectors=[(code, group.label(lang)) for code, group in BY_CODE.items()],
        sector_label=lambda code: BY_CODE[code].label(lang),
        category=lambda code: svc.taxonomy.label(code, lang),
        status_names=status_labels(),
        error=error,
        report=report,
    )
    return page, error.status if error else 200


def _back(event_id: int, message: str, anchor: str) -> Response:
    flash(message, "success")
    return redirect(url_for(".event", event_id=event_id, _anchor=anchor), code=303)


@bp.get("/evenements/<int:event_id>")
def event(event_id: int) -> Page:
    return _event_page(event_id)


@bp.get("/evenements/<int:event_id>/fiches")
def sheets(event_id: int) -> str:
    """Every participant's sheet, one printed page each (the browser saves them as a PDF)."""
    found, members, table_of = jobs.sheet_inputs(services(), event_id)
    return sheets_page(
        title=found.title,
        day=found.event_date,
        place=found.place,
        member_ids=members,
        table_of=table_of,
    )


@bp.post("/evenements/<int:event_id>/participants")
def add_participants(event_id: int) -> Page | Response:
    try:
        n = jobs.add_participants(
            services(), event_id, request.form.getlist("member"), author=audit_actor()
        )
    except MapserviceError as exc:
        return _event_page(event_id, exc)
    return _back(
        event_id,
        ngettext("%(num)s participant ajouté.", "%(num)s participants ajoutés.", n),
        "participants",
    )


@bp.post("/evenements/<int:event_id>/participants/liste")
def import_names(event_id: int) -> Page | Response:
    try:
        n, report = jobs.import_names(
            services(), event_id, request.form.get("names", ""), author=audit_actor()
        )
    except MapserviceError as exc:
        return _event_page(event_id, exc)
    if report.not_found or report.ambiguous:
        flash(ngettext("%(num)s participant ajouté.", "%(num)s participants ajoutés.", n))
        return _event_page(event_id, report=report)
    return _back(
        event_id,
        ngettext("%(num)s participant ajouté.", "%(num)s participants ajoutés.", n),
        "participants",
    )


@bp.post("/evenements/<int:event_id>/participants/<int:member_id>/retirer")
def remove_participant(event_id: int, member_id: int) -> Page | Response:
    try:
        jobs.remove_participant(services(), event_id, member_id)
    except MapserviceError as exc:
        return _event_page(event_id, exc)
    return _back(event_id, _("Participant retiré."), "participants")


@bp.post("/evenements/<int:event_id>/plan")
def propose_plan(event_id: int) -> Page | Response:
    form = request.form
    try:
        jobs.propose_plan(
            services(), event_id, form.get("tables"), form.get("seats"), author=audit_actor()
        )
    except MapserviceError as exc:
        return _event_page(event_id, exc)
    return _back(event_id, _("Plan de tables proposé et enregistré."), "plan")


@bp.post("/evenements/<int:event_id>/plan/deplacer")
def move_participant(event_id: int) -> Page | Response:
    form = request.form
    try:
        member_id = int(form.get("member", ""))
    except ValueError:
        member_id = 0
    try:
        table = jobs.move_participant(
            services(), event_id, member_id, form.get("table"), form.get("swap")
        )
    except MapserviceError as exc:
        return _event_page(event_id, exc)
    if table is None:
        return _back(event_id, _("Places échangées."), "plan")
    return _back(event_id, _("Déplacé à la table %(table)s.", table=table), "plan")


@bp.post("/evenements/<int:event_id>/rencontres")
def record_meetings(event_id: int) -> Page | Response:
    try:
        n = jobs.record_meetings(
            services(), event_id, request.form.getlist("synergy"), author=audit_actor()
        )
    except MapserviceError as exc:
        return _event_page(event_id, exc)
    return _back(
        event_id,
        ngettext(
            "%(num)s rencontre enregistrée : sa synergie est maintenant « contactée ».",
            "%(num)s rencontres enregistrées : leurs synergies sont maintenant « contactées ».",
            n,
        ),
        "rencontres",
    )


# --- the event's presentation --------------------------------------------------------------


def _people(n: int) -> str:
    return ngettext("%(num)s participant", "%(num)s participants", n)


def _deck_views(deck: EventDeck) -> list[PresenterView]:
    """The whole event first, then one view per table, each picking its people."""

    def view(position: int, title: str, members: tuple[int, ...]) -> PresenterView:
        return PresenterView(
            id=None,
            position=position,
            title=title,
            lat=REGION_CENTRE[0],
            lon=REGION_CENTRE[1],
            zoom=REGION_ZOOM,
            layers="parks,sites,lines",
            anonymised=True,
            members=members,
        )

    views = [view(0, f"{deck.event.title} · {_people(len(deck.member_ids))}", deck.member_ids)]
    for table in deck.tables:
        parts = [
            _("Table %(n)s", n=table.number),
            _people(len(table.member_ids)),
            _("valeur %(v)s", v=num(table.value, 2)),
        ]
        if table.meetings:
            parts.append(
                ngettext("%(num)s rencontre à avoir", "%(num)s rencontres à avoir", table.meetings)
            )
        views.append(view(table.number, " · ".join(parts), table.member_ids))
    return views


def _presentation(event_id: int, *, standalone: bool) -> str:
    deck = event_deck(services(), event_id)
    return render_deck(
        _deck_views(deck),
        1,
        standalone=standalone,
        exit_url=url_for(".event", event_id=event_id, _anchor="plan"),
        download_url=url_for(".download_presentation", event_id=event_id),
    )


@bp.get("/evenements/<int:event_id>/presentation")
def presentation(event_id: int) -> Page | str:
    """The event's presentation: all its participants, then each table of its plan."""
    try:
        return _presentation(event_id, standalone=False)
    except InvalidInput as exc:
        return _event_page(event_id, exc)


@bp.get("/evenements/<int:event_id>/presentation/telecharger")
def download_presentation(event_id: int) -> Page | Response:
    """The event's presentation as one HTML file that runs without a server or a network."""
    try:
        page = _presentation(event_id, standalone=True)
    except InvalidInput as exc:
        return _event_page(event_id, exc)
    return deck_download(page, f"presentation-evenement-{event_id}.html")
