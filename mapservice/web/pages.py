"""HTML pages for people."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from mapservice.web import services

bp = Blueprint("pages", __name__)


@bp.get("/")
def region_map() -> str:
    svc = services()
    assets = url_for("static", filename="vendor")
    return render_template("map.html", map=svc.region_map_parts(assets_url=assets),
                           counts=svc.repo.counts())
