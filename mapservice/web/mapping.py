"""What every map page shares: translated labels, the filter form's choices, the map parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, request, url_for
from flask_babel import gettext as _

from mapservice.domain.collation import collated
from mapservice.domain.sectors import SECTOR_GROUPS
from mapservice.errors import InvalidInput
from mapservice.views import folium_maps as maps
from mapservice.views.map_filters import MapFilter, parse_filter
from mapservice.views.map_view import STATUS_STYLE, TRACKED, filter_choices
from mapservice.web import services
from mapservice.web.i18n import language, say
from mapservice.web.security import mark_scripts

#: Layers of the region map; which ones a view shows is the ``layers`` parameter.
LAYERS = ("parks", "sites", "offers", "needs", "lines", "roads")
DEFAULT_HIDDEN = ("offers", "needs", "roads")


def status_labels() -> dict[str, str]:
    return {
        "candidate": _("Candidate"),
        "contacted": _("Contactée"),
        "in_progress": _("En cours"),
        "realised": _("Réalisée"),
        "rejected": _("Rejetée"),
        "status": _("Statut"),
        "road_km": _("Distance routière"),
        "geodesic_km": _("Distance à vol d'oiseau"),
        "duration": _("Durée du trajet"),
        "co2e": _("CO₂e net évité"),
        "cost": _("Bénéfice net"),
        "score": _("Score"),
        "tonnes": _("Tonnage"),
        "transport_cost": _("Coût du transport"),
        "offer_company": _("Entreprise qui offre"),
        "need_company": _("Entreprise qui cherche"),
        "reasons": _("Raisons"),
        "drawn": _("Tracé"),
        "drawn_road": _("le long des routes (accès au réseau en pointillé)"),
        "drawn_local": _("par les rues locales, en pointillé (sites voisins)"),
        "drawn_straight": _("en ligne droite : aucun tracé routier"),
    }


def map_labels() -> dict[str, str]:
    return {
        "sites": _("Sites des membres"),
        "offers": _("Offres"),
        "needs": _("Besoins"),
        "parks": _("Parcs industriels"),
        "lines": _("Synergies"),
        "roads": _("Réseau routier"),
        "tiles": _("Fond de carte (OpenStreetMap)"),
        "offline_base": _("Fond régional (hors ligne)"),
        "offline_note": _("Fond de carte hors ligne : lac, rivière, municipalités et routes."),
        "legend": _("Légende"),
        "park": _("Parc"),
        "open_site": _("Fiche du site"),
        "anonymous": _("Entreprise non nommée (sans consentement)"),
        "to_classify": _("à classer"),
        "access": _("accès du site au réseau routier"),
        "cluster_mix": _("Groupe de sites : la part de chaque secteur"),
        "park_outline": _("Contour de parc relevé"),
        "park_approx": _("Contour de parc approximatif"),
    }


def status_legend() -> list[dict[str, Any]]:
    labels = status_labels()
    return [
        {"label": labels[s.value], "c": colour, "d": dash, "w": 3}
        for s, (colour, dash) in STATUS_STYLE.items()
        if s in TRACKED
    ]


def read_filter(args: Mapping[str, str] | None = None) -> tuple[MapFilter, dict[str, str]]:
    """The view's filter from the query string, and the errors by parameter (then no filter)."""
    try:
        return parse_filter(
            args if args is not None else request.args, filter_choices(services())
        ), {}
    except InvalidInput as exc:
        return MapFilter(), {exc.field or "q": exc.message}


def read_layers(value: str | None) -> tuple[str, ...]:
    """The shown layers from ``layers=sites,parks``; the default set when absent."""
    if value is None:
        return tuple(k for k in LAYERS if k not in DEFAULT_HIDDEN)
    shown = tuple(k for k in value.split(",") if k)
    unknown = [k for k in shown if k not in LAYERS]
    if unknown:
        raise InvalidInput(
            _(
                "Couche inconnue : %(name)s (attendu : %(known)s).",
                name=unknown[0],
                known=", ".join(LAYERS),
            ),
            field="layers",
        )
    return shown


def read_view(args: Mapping[str, str]) -> dict[str, float] | None:
    """Centre and zoom from ``lat``, ``lon``, ``zoom``; None when not given."""
    if not any(args.get(k) for k in ("lat", "lon", "zoom")):
        return None
    out: dict[str, float] = {}
    for key, low, high in (("lat", 44.0, 53.0), ("lon", -80.0, -64.0), ("zoom", 5, 18)):
        raw = args.get(key, "")
        try:
            value = float(raw)
        except ValueError:
            raise InvalidInput(
                _(
                    "%(key)s doit être un nombre entre %(low)s et %(high)s (reçu : %(raw)s).",
                    key=key,
                    low=low,
                    high=high,
                    raw=raw or "—",
                ),
                field=key,
            ) from None
        if not low <= value <= high:
            raise InvalidInput(
                _(
                    "%(key)s doit être un nombre entre %(low)s et %(high)s (reçu : %(raw)s).",
                    key=key,
                    low=low,
                    high=high,
                    raw=raw,
                ),
                field=key,
            )
        out[key] = value
    out["zoom"] = int(out.get("zoom", maps.REGION_ZOOM))
    return out


def form_choices() -> dict[str, Any]:
    """Options of the filter form, in the page's language."""
    svc = services()
    lang = language()
    munis = svc.gazetteer.municipalities
    towns = collated(  # by name alone: the list shows no MRC to group them under
        (m for m in munis.values() if m.kind != "sector"), key=lambda m: m.name
    )
    categories = []

    def walk(code: str | None, depth: int) -> None:
        children = svc.taxonomy.roots() if code is None else svc.taxonomy.children(code)
        for cat in collated(children, key=lambda c: c.label(lang)):
            categories.append({"code": cat.code, "label": cat.label(lang), "depth": depth})
            walk(cat.code, depth + 1)

    walk(None, 0)
    return {
        "parks": collated(svc.park_ids().values(), key=lambda p: p.name),
        "municipalities": towns,
        "mrcs": collated({m.mrc for m in munis.values() if m.mrc}),
        "sectors": [
            {"code": g.code, "label": g.label(lang), "colour": g.colour}
            for g in collated(SECTOR_GROUPS, key=lambda g: g.label(lang))
        ],
        "categories": categories,
    }


def offline_base_options() -> dict[str, Any]:
    """What a map without ``MapService.draw`` (a park outline to replace, a site to place)
    needs for the bundled regional base when tiles fail: its URL, the script and the labels."""
    return {
        "basemap_url": url_for("pages.basemap"),
        "script_url": url_for("static", filename="js/mapservice-map.js"),
        "labels": {
            "offline_base": _("Fond régional (hors ligne)"),
            "offline_note": _("Fond de carte hors ligne : lac, rivière, municipalités et routes."),
        },
    }


def site_url_pattern() -> str:
    """The site page's URL with ``{id}`` where the site's id goes (for the map's script)."""
    return url_for("site_pages.site", site_id=987654321).replace("987654321", "{id}")


def _said_lines(lines: Any) -> Any:
    """A lines collection whose features' reasons (``y``) are said in the page's language."""
    features = lines.get("features") if isinstance(lines, Mapping) else None
    if not features or not any("y" in f.get("properties", {}) for f in features):
        return lines
    return {
        **lines,
        "features": [
            {**f, "properties": {**f["properties"], "y": say(f["properties"]["y"])}}
            if "y" in f.get("properties", {})
            else f
            for f in features
        ],
    }


def map_parts(
    data: Mapping[str, Any], *, standalone: bool = False, **options: Any
) -> dict[str, str]:
    """Render a map of ``data`` into header, body and script HTML for a page."""
    settings = current_app.config
    roads_url = None if standalone else url_for("pages.roads")
    basemap_url = None if standalone else url_for("pages.basemap")
    if "lines" in data:  # the lines' reasons are core messages: said in the page's language
        data = {**data, "lines": _said_lines(data["lines"])}
    if options.pop("server_clusters", False):  # no cluster layer: the server groups the sites
        options.update(
            cluster=False, extra_script_url=url_for("static", filename="js/site-clusters.js")
        )
    parts = maps.view_map_parts(
        data,
        labels=map_labels(),
        tiles=options.pop("tiles", settings["TILES"]),
        assets_url=url_for("static", filename="vendor"),
        script_url=url_for("static", filename="js/mapservice-map.js"),
        roads_url=roads_url,
        basemap_url=basemap_url,
        **options,
    )
    # The head and body hold no data, only the map's own markup: their inline scripts get the
    # page's CSP nonce. The script part (with the data) goes into the template's own
    # <script nonce=…> element.
    return {**parts, "header": mark_scripts(parts["header"]), "body": mark_scripts(parts["body"])}
