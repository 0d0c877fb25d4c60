"""Presenter mode's saved views: reading one from a form, and the filter it stands for."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from mapservice.domain.model import PresenterView
from mapservice.errors import FormErrors, InvalidInput
from mapservice.views.map_filters import FilterChoices, MapFilter, parse_filter

LAYERS = ("parks", "sites", "offers", "needs", "lines", "roads")
DEFAULT_LAYERS = "parks,sites,lines"
BOUNDS = {"lat": (44.0, 53.0), "lon": (-80.0, -64.0), "zoom": (5.0, 18.0)}
MAX_TITLE = 200


def view_filter(view: PresenterView, choices: FilterChoices) -> MapFilter:
    """The filter a saved view stands for (checked again: the registry may have changed)."""
    return parse_filter(dict(parse_qsl(view.filters)), choices)


def read_view_form(form: Mapping[str, str], choices: FilterChoices,
                   position: int = 0) -> PresenterView:
    """Validate a view from the "save this view" form; every error at once, by field."""
    errors: dict[str, str] = {}
    title = (form.get("title") or "").strip()
    if not title:
        errors["title"] = "Donnez un titre à la vue."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Titre trop long : {len(title)} caractères (au plus {MAX_TITLE})."
    numbers: dict[str, float] = {}
    for key, (low, high) in BOUNDS.items():
        raw = (form.get(key) or "").strip().replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            errors[key] = f"{key} : un nombre est attendu (reçu : {raw or 'rien'})."
            continue
        if not low <= value <= high:
            errors[key] = f"{key} : attendu entre {low:g} et {high:g} (reçu : {raw})."
        numbers[key] = value
    filters = ""
    try:
        pairs = dict(parse_qsl(form.get("filters") or "", keep_blank_values=False))
        filters = urlencode(parse_filter(pairs, choices).query())
    except InvalidInput as exc:
        errors["filters"] = exc.message
    layers = [k for k in (form.get("layers") or DEFAULT_LAYERS).split(",") if k]
    unknown = [k for k in layers if k not in LAYERS]
    if unknown:
        errors["layers"] = (f"Couche inconnue : {unknown[0]} (attendu : {', '.join(LAYERS)}).")
    if errors:
        raise FormErrors(errors)
    return PresenterView(id=None, position=position, title=title, lat=numbers["lat"],
                         lon=numbers["lon"], zoom=int(numbers["zoom"]), filters=filters,
                         layers=",".join(layers),
                         anonymised=form.get("anonymised") in ("1", "on", "true", "oui"))
