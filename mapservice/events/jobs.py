"""Event use cases that write: create an event, pick its participants, propose and save its
table plan, move a person between tables, record the meetings that took place.

Every write is one transaction (the repository's); what a form sends is checked here and
refused with what was expected and what came.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from mapservice.errors import InvalidInput, check_plain_text, ntr, tr
from mapservice.events import pairs, planning, selection
from mapservice.events.model import Event, NewMeeting, Seat
from mapservice.matching.jobs import BATCH_MAX, checked_step

if TYPE_CHECKING:
    from mapservice.services import Services

#: Bounds of a table plan's shape.
MAX_TABLES = 100
MAX_SEATS = 50


def _text(form: Mapping[str, str], name: str, max_chars: int) -> str:
    value = check_plain_text((form.get(name) or "").strip(), name)
    if len(value) > max_chars:
        raise InvalidInput(
            tr(
                "{field} trop long : {got} caractères (attendu : au plus {max}).",
                field=name,
                got=len(value),
                max=max_chars,
            ),
            field=name,
        )
    return value


def create_event(services: Services, form: Mapping[str, str], *, author: str) -> int:
    """Create an event from ``title`` (required), ``date`` (AAAA-MM-JJ) and ``place``."""
    title = _text(form, "title", 200)
    if not title:
        raise InvalidInput(tr("Donnez un titre à l'événement."), field="title")
    raw_date = (form.get("date") or "").strip()
    try:
        event_date = date.fromisoformat(raw_date)
    except ValueError:
        raise InvalidInput(
            tr("Date invalide : {got!r} (attendu : AAAA-MM-JJ).", got=raw_date[:40]), field="date"
        ) from None
    return services.repo.add_event(title, event_date, _text(form, "place", 300), author=author)


def events(services: Services) -> list[Event]:
    return services.repo.events()


def get_event(services: Services, event_id: int) -> Event:
    return services.repo.get_event(event_id)


def _ids(values: Iterable[str], field: str) -> list[int]:
    out = []
    for value in values:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            raise InvalidInput(
                tr("{field} invalide : {got!r} (attendu : un numéro).", field=field, got=value),
                field=field,
            ) from None
    return out


def add_participants(
    services: Services, event_id: int, member_ids: Iterable[str], *, author: str
) -> int:
    """Add the members ticked in a search; return how many were new."""
    ids = _ids(member_ids, "members")
    if not ids:
        raise InvalidInput(tr("Cochez au moins un membre à ajouter."), field="members")
    return services.repo.add_participants(event_id, ids, author=author)


def import_names(
    services: Services, event_id: int, text: str, *, author: str
) -> tuple[int, selection.NameMatches]:
    """Add the members a pasted list names (one a line); return how many were new and what
    the list found, did not find, or found ambiguous."""
    services.repo.get_event(event_id)
    found = selection.match_names(text, services.repo.members())
    added = (
        services.repo.add_participants(event_id, found.found, author=author) if found.found else 0
    )
    return added, found


def remove_participant(services: Services, event_id: int, member_id: int) -> None:
    services.repo.remove_participant(event_id, member_id)


def _count(raw: str | None, field: str, most: int) -> int:
    try:
        value = int((raw or "").strip())
    except ValueError:
        value = 0
    if not 1 <= value <= most:
        raise InvalidInput(
            tr(
                "{field} invalide : {got!r} (attendu : un nombre entier de 1 à {max}).",
                field=field,
                got=(raw or "")[:40],
                max=most,
            ),
            field=field,
        )
    return value


def propose_plan(
    services: Services,
    event_id: int,
    tables_text: str | None,
    seats_text: str | None,
    *,
    author: str,
    seed: int = 0,
) -> planning.ProposedPlan:
    """Compute a plan of ``tables`` tables of ``seats`` seats for the participants and save
    it in place of the last one."""
    tables = _count(tables_text, "tables", MAX_TABLES)
    seats = _count(seats_text, "seats", MAX_SEATS)
    services.repo.get_event(event_id)
    members = services.repo.event_participants(event_id)
    if not members:
        raise InvalidInput(
            tr(
                "Cet événement n'a aucun participant : ajoutez-en avant de proposer un plan "
                "(attendu : au moins un participant ; reçu : aucun)."
            ),
            field="participants",
        )
    if len(members) > tables * seats:
        raise InvalidInput(
            tr(
                "Plan impossible : {n} participants pour {tables} tables de {seats} places "
                "({capacity} places). Ajoutez des tables ou des places.",
                n=len(members),
                tables=tables,
                seats=seats,
                capacity=tables * seats,
            ),
            field="tables",
        )
    found = pairs.between(services, members)
    plan = planning.propose(members, found.by_pair, tables=tables, seats=seats, seed=seed)
    placed = [
        Seat(member_id, number, order)
        for number, table in enumerate(plan.tables, start=1)
        for order, member_id in enumerate(table, start=1)
    ]
    services.repo.save_plan(event_id, placed, tables=tables, per_table=seats, author=author)
    return plan


def move_participant(
    services: Services,
    event_id: int,
    member_id: int,
    table_text: str | None,
    swap_text: str | None = None,
) -> int | None:
    """Seat a participant at the end of another table of the saved plan, or, with
    ``swap_text`` (another participant's member id), exchange their two seats. Return the
    table moved to (None for an exchange)."""
    if (swap_text or "").strip():
        other = _ids([(swap_text or "").strip()], "swap")[0]
        if other == member_id:
            raise InvalidInput(
                tr("Choisissez deux personnes différentes pour un échange."), field="swap"
            )
        services.repo.swap_seats(event_id, member_id, other)
        return None
    table = _count(table_text, "table", MAX_TABLES)
    services.repo.move_seat(event_id, member_id, table)
    return table


def meeting_note(event: Event) -> str:
    """The history note of a synergy moved by a meeting at ``event`` (data, in French)."""
    return f"Rencontre à l'événement « {event.title} » du {event.event_date.isoformat()}"


def record_meetings(
    services: Services, event_id: int, synergy_ids: Iterable[str], *, author: str
) -> int:
    """Record that the meetings about ``synergy_ids`` took place and move those synergies to
    « contacted », the event named in their history: all of them, or none.

    The same checks as the board's move (:func:`mapservice.matching.jobs.checked_step`);
    refused whole when a synergy is not between two participants of the event, is gone, or
    may not move to « contacted »."""
    ids = sorted(set(_ids(synergy_ids, "synergies")))
    if not ids or len(ids) > BATCH_MAX:
        raise InvalidInput(
            tr(
                "Sélection invalide : {n} rencontres (attendu : de 1 à {max}).",
                n=len(ids),
                max=BATCH_MAX,
            ),
            field="synergies",
        )
    event = services.repo.get_event(event_id)
    _, author, note = checked_step("contacted", author, meeting_note(event))
    found = pairs.between(services, services.repo.event_participants(event_id))
    known = {s.id: s for s in found.synergies()}
    stray = [i for i in ids if i not in known]
    if stray:
        raise InvalidInput(
            ntr(
                "Aucune rencontre n'a été enregistrée : {n} synergie ne relie plus deux "
                "participants de l'événement (n° {ids}).",
                "Aucune rencontre n'a été enregistrée : {n} synergies ne relient plus deux "
                "participants de l'événement (n° {ids}).",
                len(stray),
                ids=", ".join(map(str, stray)),
            ),
            field="synergies",
        )
    meetings = [NewMeeting(i, *found.ends(known[i])) for i in ids]
    return services.repo.record_meetings(event_id, meetings, author=author, note=note)


def sheet_inputs(services: Services, event_id: int) -> tuple[Event, list[int], dict[int, int]]:
    """What an event's sheets are printed from: the event, its participants (in table and
    seat order when a plan is saved, then those without a seat) and each one's table."""
    event = services.repo.get_event(event_id)
    members = services.repo.event_participants(event_id)
    seats = sorted(
        services.repo.event_seats(event_id), key=lambda s: (s.table_number, s.seat_order)
    )
    table_of = {s.member_id: s.table_number for s in seats if s.member_id in members}
    seated = [s.member_id for s in seats if s.member_id in table_of]
    return event, seated + [m for m in members if m not in table_of], table_of
