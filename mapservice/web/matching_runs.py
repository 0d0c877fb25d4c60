"""Rerun the whole-registry matching from the synergy board: start it, and follow it.

The run goes in the background (:mod:`mapservice.matching.runs`); the board shows its state
(``_matching_run.html``) and a small script asks ``/synergies/appariement/etat`` until it ends.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from mapservice.matching.runs import MatchingBusy, MatchingRuns, RunState, Stage
from mapservice.web import services
from mapservice.web.auth import current_principal
from mapservice.web.i18n import num, say
from mapservice.web.synergy_pages import _board_page

bp = Blueprint("matching_runs", __name__)
#: Where the app keeps the runs of this serving process (one :class:`MatchingRuns`).
EXTENSION = "matching_runs"


@bp.record_once
def _runs_of_the_app(state: BlueprintSetupState) -> None:
    state.app.extensions[EXTENSION] = MatchingRuns()


def runs() -> MatchingRuns:
    """The app's matching runs."""
    found: MatchingRuns = current_app.extensions[EXTENSION]
    return found


@bp.post("/synergies/appariement")
def start() -> Response | tuple[str, int]:
    try:
        runs().start(services(), started_by=current_principal().username)
    except MatchingBusy as exc:
        return _board_page(error=say(exc.message), status=409)
    return redirect(url_for("synergy_pages.board") + "#appariement", code=303)


@bp.get("/synergies/appariement/etat")
def state() -> Response:
    run = runs().state()
    return jsonify({**run.as_dict(), "text": describe(run)})


def describe(run: RunState) -> str:
    """The run's state in a sentence of the page's language."""
    if run.stage is Stage.IDLE:
        return _("Aucun appariement lancé depuis le démarrage du serveur.")
    if run.stage is Stage.WAITING:
        return _("Appariement en attente de démarrage…")
    if run.stage is Stage.MATCHING:
        return _("Appariement en cours : recherche des paires compatibles et calcul des distances…")
    if run.stage is Stage.SAVING:
        return _(
            "Appariement en cours : enregistrement de %(n)s synergies candidates…",
            n=num(run.candidates or 0, 0),
        )
    if run.stage is Stage.FAILED:
        return _("L'appariement a échoué : %(error)s", error=run.error)
    saved = run.saved or {}
    return _(
        "Appariement terminé : %(n)s synergies candidates (%(new)s nouvelles, %(known)s mises à "
        "jour ; les étapes déjà notées sont gardées).",
        n=num(run.candidates or 0, 0),
        new=num(saved.get("inserted", 0), 0),
        known=num(saved.get("updated", 0), 0),
    )


@bp.app_template_global("matching_run")
def matching_run() -> dict[str, Any]:
    """The current run for the board's template: its state and its sentence."""
    run = runs().state()
    return {"running": run.running, "stage": run.stage.value, "text": describe(run)}
