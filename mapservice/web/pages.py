"""HTML pages for people."""

from __future__ import annotations

from flask import Blueprint, render_template

from mapservice.web import services

bp = Blueprint("pages", __name__)


@bp.get("/")
def region_map() -> str:
    svc = services()
    return render_template("map.html", map=svc.region_map_parts(), counts=svc.repo.counts())
