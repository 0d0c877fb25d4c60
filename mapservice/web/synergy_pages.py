"""Pages of the pipeline: the board of synergies by status, and the impact dashboard."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from mapservice.domain.collation import collated
from mapservice.domain.model import SynergyStatus
from mapservice.domain.moments import in_quebec
from mapservice.errors import InvalidInput, Message
from mapservice.matching import jobs as synergy_jobs
from mapservice.matching import tracking
from mapservice.views import charts, dashboard, impact_dashboard
from mapservice.views.board_filters import BoardFilter, parse_board_filter
from mapservice.views.map_filters import search_understood
from mapservice.web import services
from mapservice.web.auth import current_principal
from mapservice.web.board_form import board_link, form_choices
from mapservice.web.i18n import day as formatted_day
from mapservice.web.i18n import language, num, quoted, say, say_message

bp = Blueprint("synergy_pages", __name__)

STATUS_LABELS = {
    SynergyStatus.CANDIDATE: _l("Candidate"),
    SynergyStatus.CONTACTED: _l("Contactée"),
    SynergyStatus.IN_PROGRESS: _l("En cours"),
    SynergyStatus.REALISED: _l("Réalisée"),
    SynergyStatus.REJECTED: _l("Rejetée"),
}
#: What the button that moves a card to a status says.
MOVE_LABELS = {
    SynergyStatus.CANDIDATE: _l("Rouvrir"),
    SynergyStatus.CONTACTED: _l("Marquer contactée"),
    SynergyStatus.IN_PROGRESS: _l("Passer en cours"),
    SynergyStatus.REALISED: _l("Marquer réalisée"),
    SynergyStatus.REJECTED: _l("Rejeter"),
}
METRIC_LABELS = {
    "t_diverted": _l("Matières détournées"),
    "t_co2e_net": _l("Émissions évitées nettes"),
    "cad_net": _l("Bénéfice net"),
}
METRIC_UNITS = {"t_diverted": _l("t/an"), "t_co2e_net": _l("t CO2e/an"), "cad_net": _l("$/an")}
METRIC_DIGITS = {"t_diverted": 1, "t_co2e_net": 1, "cad_net": 0}


# --- the board --------------------------------------------------------------------------------


@bp.get("/synergies")
def board() -> tuple[str, int]:
    return _board_page()


def _board_args() -> MultiDict[str, str]:
    """The board's parameters: the query string, or on a refused POST the board it came from
    (its ``next``), without the confirmations of the last moves."""
    if request.method == "GET":
        args = MultiDict(request.args)
    else:
        target = _local_path(request.form.get("next")) or ""
        args = MultiDict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
    for key in CONFIRMATIONS:
        args.poplist(key)
    return args


def _board_page(
    *, error: str | None = None, status: int = 200, selected: frozenset[int] = frozenset()
) -> tuple[str, int]:
    svc = services()
    args = _board_args()
    choices = dashboard.board_choices(svc)
    errors: dict[str, str] = {}
    view, columns = BoardFilter(), []
    try:
        view = parse_board_filter(args, choices)
        columns = dashboard.board(
            svc,
            status=args.get("status"),
            page=args.get("page"),
            lang=language(),
            view=view,
            choices=choices,
        )
    except InvalidInput as exc:
        errors[exc.field or "q"] = exc.message
        status = 422
    moved = None
    if request.method == "GET" and (raw := request.args.get("deplacee", "")).isdigit():
        moved = tracking.find_synergy(svc, int(raw)) if len(raw) < 10 else None
    batch = None
    if request.method == "GET" and (raw := request.args.get("lot", "")).isdigit():
        to = request.args.get("vers", "")
        if to in {s.value for s in synergy_jobs.BATCH_MOVES} and len(raw) < 6:
            batch = (int(raw), SynergyStatus(to))
    here = board_link(args)
    return render_template(
        "synergy_board.html",
        columns=columns,
        total=sum(c.count for c in columns),
        # said once per page, not once per card
        labels={k: str(v) for k, v in STATUS_LABELS.items()},
        move_labels={k: str(v) for k, v in MOVE_LABELS.items()},
        moved=moved,
        batch=batch,
        error=error,
        errors=errors,
        filter=view,
        filtered=not view.is_empty(),
        understood=search_understood(view.q, svc.search_vocabulary, language()),
        choices=form_choices(choices, {p.id: p.name for p in svc.park_ids().values()}, language()),
        link=lambda **changes: board_link(args, **changes),
        **_said_once(),
        selected=selected,
        here=here,
    ), status


def _said_once() -> dict[str, Any]:
    """``said`` (a reason in the page's language) and ``on`` (a date), each worked out once
    per page: the same reasons and days come back on many cards."""
    reasons: dict[str, str] = {}
    days: dict[date, str] = {}

    def said(reason: Any) -> str:
        if reason not in reasons:
            reasons[reason] = say_message(reason) if isinstance(reason, Message) else say(reason)
        return reasons[reason]

    def on(at: datetime) -> str:
        local = in_quebec(at).date()
        if local not in days:
            days[local] = formatted_day(at)
        return days[local]

    return {"said": said, "on": on}


#: Query parameters that confirm the last move (one card, or a selection); never kept.
CONFIRMATIONS = ("deplacee", "lot", "vers")


@bp.post("/synergies/<int:synergy_id>/statut")
def move(synergy_id: int) -> Response | tuple[str, int]:
    form = request.form
    try:
        synergy_jobs.move(
            services(),
            synergy_id=synergy_id,
            output_flow_id=None,
            input_flow_id=None,
            status=form.get("status", ""),
            author=current_principal().username,
            note=form.get("note", ""),
        )
    except InvalidInput as exc:
        return _board_page(error=_refusal(synergy_id, exc), status=422)
    target = _local_path(form.get("next")) or url_for("synergy_pages.board")
    return redirect(
        _with_param(target, "deplacee", str(synergy_id)) + f"#synergie-{synergy_id}", code=303
    )


@bp.post("/synergies/selection")
def move_selected() -> Response | tuple[str, int]:
    """Mark contacted or reject the selected cards with one note: all of them, or none."""
    form = request.form
    raw_ids = form.getlist("synergies")
    ids = [int(i) for i in raw_ids if i.isdigit() and len(i) < 10]
    try:
        if len(ids) != len(raw_ids):
            raise InvalidInput(
                _("Sélection invalide : des numéros de synergie sont attendus."), field="synergies"
            )
        moved = synergy_jobs.move_many(
            services(),
            synergy_ids=ids,
            status=form.get("status", ""),
            author=current_principal().username,
            note=form.get("note", ""),
        )
    except InvalidInput as exc:
        return _board_page(error=_batch_refusal(exc), status=422, selected=frozenset(ids))
    target = _local_path(form.get("next")) or url_for("synergy_pages.board")
    target = _with_param(_with_param(target, "lot", str(moved)), "vers", form["status"])
    return redirect(target + "#selection", code=303)


def _batch_refusal(exc: InvalidInput) -> str:
    """Say which selected cards cannot move, and why, with the statuses in words."""
    refused = exc.extra.get("refused")
    raw = request.form.get("status", "")
    if not refused or raw not in {s.value for s in SynergyStatus}:
        return str(say(exc.message))
    why = [
        _("n° %(id)s (supprimée entre-temps)", id=r["id"])
        if r["status"] is None
        else _(
            "n° %(id)s (« %(status)s »)",
            id=r["id"],
            status=STATUS_LABELS[SynergyStatus(r["status"])],
        )
        for r in refused
    ]
    return _(
        "Aucune synergie de la sélection n'a été déplacée : %(n)s des %(total)s ne peuvent pas "
        "passer à « %(to)s » : %(which)s. Retirez-les de la sélection, puis recommencez.",
        n=len(refused),
        total=len(set(request.form.getlist("synergies"))),
        to=STATUS_LABELS[SynergyStatus(raw)],
        which=", ".join(why),
    )


def _refusal(synergy_id: int, exc: InvalidInput) -> str:
    """Say why a move was refused, with the statuses in words."""
    raw = request.form.get("status", "")
    if exc.field != "status" or raw not in {s.value for s in SynergyStatus}:
        return exc.message
    current = tracking.get_synergy(services(), synergy_id).status
    allowed = dashboard.allowed_moves(current)
    return _(
        "La synergie n° %(id)s est « %(current)s » : elle ne peut pas passer à "
        "« %(to)s ». Étapes possibles : %(allowed)s.",
        id=synergy_id,
        current=STATUS_LABELS[current],
        to=STATUS_LABELS[SynergyStatus(raw)],
        allowed=", ".join(quoted(STATUS_LABELS[s]) for s in allowed)
        or _("aucune (une synergie réalisée est définitive)"),
    )


def _local_path(raw: str | None) -> str | None:
    """``raw`` if it is a path on this site (never another host), else None."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return None
    if any(ord(c) < 32 for c in raw):
        return None
    parts = urlsplit(raw)
    return raw if not parts.scheme and not parts.netloc else None


def _with_param(url: str, key: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    query.append((key, value))
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


# --- impact -----------------------------------------------------------------------------------


@bp.get("/impact")
def impact() -> tuple[str, int]:
    svc = services()
    args = request.args
    filters = {k: args.get(k, "") for k in ("from", "to", "park", "metric")}
    parks = collated(((p.id, p.name) for p in svc.park_ids().values()), key=lambda p: p[1])
    same: dict[str, Any] = {k: v for k, v in filters.items() if v and k != "metric"}
    api_url = url_for("api_synergies.impact", **same)
    context: dict[str, Any] = {
        "filters": filters,
        "parks": parks,
        "metric_labels": METRIC_LABELS,
        "metric_units": METRIC_UNITS,
        "view": None,
        "error": None,
        "api_url": api_url,
    }
    try:
        view = impact_dashboard.impact(
            svc,
            start=args.get("from"),
            end=args.get("to"),
            park=args.get("park"),
            metric=args.get("metric"),
            lang=language(),
        )
    except InvalidInput as exc:
        context["error"] = exc
        return render_template("impact.html", **context), 422
    context.update(
        view=view, charts=_charts(view), park_name=dict(parks).get(view.report["park"] or "")
    )
    return render_template("impact.html", **context), 200


def _fmt(value: float, digits: int) -> str:
    return num(value, digits)


def _month_label(key: str | None, sep: str = " ") -> str:
    """``2026-04`` -> ``avr. 2026`` (``sep`` between month and year)."""
    if not key:
        return ""
    first = date(int(key[:4]), int(key[5:7]), 1)
    return f"{format_date(first, 'MMM')}{sep}{first.year}"


def _charts(view: impact_dashboard.Impact) -> dict[str, dict[str, Any]]:
    """The three charts of the page, each with its title and its text description."""
    metric = view.metric
    digits = METRIC_DIGITS[metric]
    what = f"{METRIC_LABELS[metric]} ({METRIC_UNITS[metric]})"
    out = {}
    for key, title, groups, layout in (
        (
            "month",
            _("%(what)s par mois de réalisation", what=what),
            view.by_month,
            charts.vertical_bars,
        ),
        (
            "park",
            _("%(what)s par parc de l'offre", what=what),
            view.by_park,
            charts.horizontal_bars,
        ),
        (
            "category",
            _("%(what)s par catégorie de matière", what=what),
            view.by_category,
            charts.horizontal_bars,
        ),
    ):
        labels = [
            _month_label(g.key) if key == "month" else g.label or _("Hors parc") for g in groups
        ]
        drawn = [_month_label(g.key, "\n") for g in groups] if key == "month" else labels
        chart = layout(
            list(zip(drawn, (g.value(metric) for g in groups), strict=True)),
            digits=digits,
            fmt=_fmt,
        )
        out[key] = {
            "chart": chart,
            "title": title,
            "labels": labels,
            "desc": _describe(chart, METRIC_UNITS[metric]),
        }
    return out


def _describe(chart: charts.BarChart, unit: Any) -> str:
    if chart.empty:
        return _("Aucune donnée.")
    high, low = chart.largest, chart.smallest
    assert high is not None and low is not None
    text = ngettext(
        "Diagramme à barres, %(n)s barre. Valeur la plus haute : %(label)s, %(value)s %(unit)s.",
        "Diagramme à barres, %(n)s barres. Valeur la plus haute : %(label)s, %(value)s %(unit)s.",
        len(chart.bars),
        n=len(chart.bars),
        label=high.label.replace("\n", " "),
        value=high.text,
        unit=unit,
    )
    if low is not high and low.value != high.value:
        text += " " + _(
            "Valeur la plus basse : %(label)s, %(value)s %(unit)s.",
            label=low.label.replace("\n", " "),
            value=low.text,
            unit=unit,
        )
    return text
