"""The classification queue: flows imported « à classer », one choice per wording."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from mapservice.domain.collation import collated
from mapservice.errors import MapserviceError
from mapservice.materials.taxonomy import Category
from mapservice.registry import classification
from mapservice.web import services
from mapservice.web.i18n import language
from mapservice.web.registry_pages import audit_actor

bp = Blueprint("classification_pages", __name__)


def _page(error: MapserviceError | None = None) -> tuple[str, int]:
    svc = services()
    lang = language()
    groups = classification.queue(svc)
    categories: list[tuple[str, str]] = []

    def walk(children: list[Category], depth: int) -> None:
        for cat in collated(children, key=lambda c: c.label(lang)):
            categories.append((cat.code, "\u2003" * depth + cat.label(lang)))
            walk(svc.taxonomy.children(cat.code), depth + 1)

    walk(svc.taxonomy.roots(), 0)
    page = render_template(
        "classification_queue.html",
        groups=groups,
        n_flows=sum(len(g.flow_ids) for g in groups),
        label=lambda code: svc.taxonomy.label(code, lang),
        categories=categories,
        error=error,
        done=request.args.get("classe"),
        n_done=request.args.get("n", type=int),
    )
    return page, error.status if error else 200


@bp.get("/classement")
def queue() -> tuple[str, int]:
    return _page()


@bp.post("/classement")
def classify() -> tuple[str, int] | Response:
    """Classify every flow of one wording; refused whole if one of them is gone."""
    form = request.form
    try:
        ids = [int(i) for i in form.get("flow_ids", "").split(",") if i.strip()]
    except ValueError:
        ids = []
    try:
        done = classification.classify_wording(
            services(),
            key=form.get("key", ""),
            code=form.get("category", ""),
            flow_ids=ids,
            actor=audit_actor(),
        )
    except MapserviceError as exc:
        return _page(exc)
    return redirect(
        url_for(".queue", classe=done.text, n=done.n_flows, _anchor="resultat"), code=303
    )
