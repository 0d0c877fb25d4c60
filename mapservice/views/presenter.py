"""Presenter mode's saved views: reading one from a form, the filter it stands for, and the
use cases that keep the list (add, rename, move, delete)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from mapservice.domain.model import PresenterView
from mapservice.errors import FormErrors, InvalidInput, tr
from mapservice.views.map_filters import FilterChoices, MapFilter, parse_filter
from mapservice.views.map_view import filter_choices

if TYPE_CHECKING:
    from mapservice.services import Services

LAYERS = ("parks", "sites", "offers", "needs", "lines", "roads")
DEFAULT_LAYERS = "parks,sites,lines"
BOUNDS = {"lat": (44.0, 53.0), "lon": (-80.0, -64.0), "zoom": (5.0, 18.0)}
MAX_TITLE = 200


def view_filter(view: PresenterView, choices: FilterChoices) -> MapFilter:
    """The filter a saved view stands for (checked again: the registry may have changed)."""
    return parse_filter(dict(parse_qsl(view.filters)), choices)


def read_view_form(
    form: Mapping[str, str], choices: FilterChoices, position: int = 0
) -> PresenterView:
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
        errors["layers"] = f"Couche inconnue : {unknown[0]} (attendu : {', '.join(LAYERS)})."
    if errors:
        raise FormErrors(errors)
    return PresenterView(
        id=None,
        position=position,
        title=title,
        lat=numbers["lat"],
        lon=numbers["lon"],
        zoom=int(numbers["zoom"]),
        filters=filters,
        layers=",".join(layers),
        anonymised=form.get("anonymised") in ("1", "on", "true", "oui"),
    )


# --- the list of views, as staff compose it ----------------------------------------------------


def saved_views(svc: Services) -> list[PresenterView]:
    """The saved views, in the order the presentation steps through them."""
    return svc.repo.presenter_views()


def add_view(svc: Services, form: Mapping[str, str], *, actor: str) -> int:
    """Save the view a form describes, last in the presentation, as ``actor``; its id."""
    return svc.repo.add_presenter_view(read_view_form(form, filter_choices(svc)), actor=actor)


def rename_view(svc: Services, view_id: int, title: str, *, anonymised: bool, actor: str) -> None:
    """Change a view's title and whether it hides company names, as ``actor``."""
    svc.repo.get_presenter_view(view_id)
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise FormErrors({f"title-{view_id}": tr("Donnez un titre de 1 à 200 caractères.")})
    svc.repo.update_presenter_view(view_id, {"title": title, "anonymised": anonymised}, actor=actor)


def move_view(svc: Services, view_id: int, offset: str, *, actor: str) -> None:
    """Move a view one step earlier (``"-1"``) or later (``"1"``), as ``actor``."""
    if offset not in ("-1", "1"):
        raise InvalidInput(tr("offset vaut -1 ou 1 (reçu : {v}).", v=offset or "—"), field="offset")
    svc.repo.move_presenter_view(view_id, int(offset), actor=actor)


def delete_view(svc: Services, view_id: int, *, actor: str) -> None:
    svc.repo.delete_presenter_view(view_id, actor=actor)
