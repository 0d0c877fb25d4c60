"""The members nobody has reached (``/mobilisation``): every member's engagement, quietest
first, the share of activity the most active fifth carries and its trend; CSV and XLSX.

Staff only (names and figures of every member): :data:`mapservice.web.guard.RULES`. The
computation is :mod:`mapservice.registry.engagement`, the table and the files
:mod:`mapservice.views.mobilisation`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from mapservice.errors import NotFound, tr
from mapservice.events.attendance import attendance
from mapservice.registry import engagement
from mapservice.views import charts
from mapservice.views import mobilisation as table
from mapservice.web import services
from mapservice.web.i18n import num
from mapservice.web.mapping import status_labels

bp = Blueprint("mobilisation_pages", __name__)

#: The download formats, by the address's extension.
FORMATS = ("csv", "xlsx")


def _view() -> engagement.Mobilisation:
    counts, actions = attendance(services())
    return engagement.mobilisation(services(), events_attended=counts, event_actions=actions)


def quarter_name(q: engagement.QuarterShare, sep: str = " ") -> str:
    return _("T%(quarter)s%(sep)s%(year)s", quarter=q.quarter, sep=sep, year=q.year)


def pct(share: float | None, digits: int = 0) -> str:
    """A share (0 to 1) as a percentage in the page's language (``38 %``, ``38%``); ``—``."""
    if share is None:
        return "—"
    return _("%(number)s %%", number=num(100 * share, digits)).replace(" ", "\u00a0")


def _trend_chart(view: engagement.Mobilisation) -> dict[str, Any]:
    title = _(
        "Part de l'activité portée par les 20 %% les plus actifs, par trimestre (%(unit)s)",
        unit="%",
    )
    chart = charts.vertical_bars(
        [(quarter_name(q, "\n"), 100 * (q.share or 0.0)) for q in view.quarters],
        height=260,
        digits=0,
        fmt=num,
    )
    desc = _(" ; ").join(
        _(
            "%(quarter)s : %(share)s",
            quarter=quarter_name(q),
            share=_("aucune action") if q.share is None else pct(q.share),
        )
        for q in view.quarters
    )
    return {"chart": chart, "title": title, "desc": desc}


@bp.get("/mobilisation")
def page() -> str:
    """Every member's engagement, quietest first, with the association's measure."""
    view = _view()
    return render_template(
        "mobilisation.html",
        view=view,
        rows=[(r, r.activity / (view.total_activity or 1)) for r in view.rows],
        labels=status_labels(),
        trend=_trend_chart(view),
        quarter_name=quarter_name,
        pct=pct,
        weights=engagement.SCORE_WEIGHTS,
    )


@bp.get("/mobilisation.<fmt>")
def download(fmt: str) -> Response:
    """The page's table as a CSV for Excel (French headers, ``;``, decimal comma) or XLSX."""
    if fmt not in FORMATS:
        raise NotFound(
            tr("La mobilisation se télécharge en csv ou xlsx, pas {fmt!r}.", fmt=fmt[:20])
        )
    view = _view()
    if fmt == "csv":
        body: str | bytes = table.excel_csv(view)
        mimetype = table.CSV_TYPE
    else:
        body, mimetype = table.xlsx_bytes(view), table.XLSX_TYPE
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="mobilisation.{fmt}"'},
    )
