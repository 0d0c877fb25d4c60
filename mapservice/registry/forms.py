"""Registry forms: read a submitted form field by field, and fill one from a stored row."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mapservice.domain.model import Flow, Member, Precision, Site
from mapservice.domain.text import without_bidi
from mapservice.errors import FormErrors, ntr, tr
from mapservice.importing.values import CellError

#: Form fields, in the order the pages show them (and the error summary lists them).
MEMBER_FIELDS = (
    "name",
    "naics_code",
    "contact_name",
    "contact_email",
    "contact_phone",
    "public_consent",
)
SITE_FIELDS = ("name", "address", "municipality_id", "postal_code", "lat", "lon")
FLOW_FIELDS = (
    "direction",
    "category_code",
    "category_text",
    "description",
    "quantity",
    "unit",
    "frequency",
    "hazardous",
    "confidential",
)


class Form:
    """Read one submitted form, collecting a message per faulty field."""

    def __init__(self, data: Mapping[str, str]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def text(
        self,
        name: str,
        *,
        max_len: int,
        required: bool = False,
        missing: str = "",
        lines: bool = False,
    ) -> str | None:
        """A trimmed text; runs of spaces become one, and line breaks too unless ``lines``;
        bidirectional controls are dropped."""
        raw = without_bidi(self.data.get(name) or "").replace("\r\n", "\n")
        value = (
            "\n".join(" ".join(line.split()) for line in raw.split("\n")).strip()
            if lines
            else " ".join(raw.split())
        )
        if not value:
            if required:
                self.errors[name] = missing or tr("Ce champ est obligatoire.")
            return None
        if len(value) > max_len:
            self.errors[name] = tr(
                "Au plus {n} caractères ({got} reçus).", n=max_len, got=len(value)
            )
            return None
        return value

    def check(self, name: str) -> bool:
        return (self.data.get(name) or "").strip().lower() in {"on", "1", "oui", "true", "y"}

    def parse(self, name: str, parser: Callable[[str], Any], message: str) -> Any:
        raw = (self.data.get(name) or "").strip()
        if not raw:
            return None
        try:
            return parser(raw)
        except (CellError, ValueError):
            self.errors[name] = message
            return None

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def done(self) -> None:
        if self.errors:
            raise FormErrors(
                self.errors,
                ntr(
                    "Le formulaire contient {n} erreur : corrigez le champ signalé.",
                    "Le formulaire contient {n} erreurs : corrigez les champs signalés.",
                    len(self.errors),
                ),
            )


# --- what a form shows for a stored row --------------------------------------------------------


def member_form(member: Member | None = None) -> dict[str, str]:
    """The form's values for ``member`` (empty for a new one)."""
    if member is None:
        return {name: "" for name in MEMBER_FIELDS}
    return {
        "name": member.name,
        "naics_code": member.naics_code or "",
        "contact_name": member.contact_name or "",
        "contact_email": member.contact_email or "",
        "contact_phone": member.contact_phone or "",
        "public_consent": "on" if member.public_consent else "",
    }


def site_form(site: Site | None = None) -> dict[str, str]:
    """The form's values for ``site``; coordinates only when they were given or set by hand."""
    if site is None:
        return {name: "" for name in SITE_FIELDS}
    exact = site.geocode_precision is Precision.MANUAL and site.lat is not None
    return {
        "name": site.name,
        "address": site.address or "",
        "municipality_id": site.municipality_id or "",
        "postal_code": site.postal_code or "",
        "lat": f"{site.lat:.6f}" if exact else "",
        "lon": f"{site.lon:.6f}" if exact else "",
    }


def flow_form(flow: Flow | None = None) -> dict[str, str]:
    if flow is None:
        return {name: "" for name in FLOW_FIELDS}
    quantity = "" if flow.quantity is None else f"{flow.quantity:g}".replace(".", ",")
    return {
        "direction": flow.direction.value,
        "category_code": flow.category_code,
        "category_text": "",
        "description": flow.description,
        "quantity": quantity,
        "unit": flow.unit.value if flow.unit else "",
        "frequency": flow.frequency.value if flow.frequency else "",
        "hazardous": "on" if flow.hazardous else "",
        "confidential": "on" if flow.confidential else "",
    }
