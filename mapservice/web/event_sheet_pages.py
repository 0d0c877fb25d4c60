"""The print-ready page of an event's sheets, for the events pages to serve.

No route of its own: the events pages (which own the events, their participants and their
table plan) call :func:`sheets_page` from their handler and return its HTML. It reads as the
asker may (:func:`mapservice.web.guard.read_scope`), in the page's language, with each named
company's QR code pointing at its registry page (an absolute address). The browser prints it,
or saves it as one PDF: one page a company (``static/css/event_sheets.css``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from flask import render_template, url_for

from mapservice.views import event_sheets
from mapservice.web import services
from mapservice.web.guard import read_scope
from mapservice.web.i18n import language

#: A member id no member has, replaced by ``{id}`` in the address of a member's page.
_SLOT_ID = 987654321


def member_page_url() -> str:
    """The absolute address of a member's registry page, ``{id}`` where its id goes."""
    url = url_for("registry_pages.member", member_id=_SLOT_ID, _external=True)
    return url.replace(str(_SLOT_ID), event_sheets.ID_SLOT)


def sheets_page(
    *,
    title: str,
    day: date | None,
    place: str,
    member_ids: Sequence[int],
    table_of: Mapping[int, int] | None = None,
) -> str:
    """The HTML of every participant's sheet (see :func:`mapservice.views.event_sheets.
    event_sheets`; its :class:`~mapservice.errors.InvalidInput` passes through)."""
    sheets = event_sheets.event_sheets(
        services(),
        title=title,
        day=day,
        place=place,
        member_ids=member_ids,
        table_of=table_of,
        scope=read_scope(),
        lang=language(),
        page_url=member_page_url(),
    )
    return render_template("event_sheets.html", sheets=sheets, event=sheets[0].event)
