"""What an import would write, row by row: the category each material text gets (with the
classifier's confidence, or « à classer » and its suggestions) and where each site is placed."""

from __future__ import annotations

from dataclasses import dataclass

from mapservice.domain.model import ImportPlan


@dataclass(frozen=True)
class PreviewLine:
    """One flow of the plan, as the import preview shows it before the user confirms."""

    row: int | None
    member: str
    site: str
    direction: str
    description: str
    #: The material text as the file wrote it.
    material_text: str
    category_code: str
    confidence: float
    to_classify: bool
    suggestions: tuple[str, ...]
    #: :class:`~mapservice.domain.model.Precision` value, None when the site is not placed.
    precision: str | None
    place: str | None


def preview_lines(plan: ImportPlan) -> list[PreviewLine]:
    """Return one line per planned flow, in the order of the file's rows."""
    lines = [
        PreviewLine(
            row=flow.row,
            member=member.name,
            site=site.name,
            direction=flow.direction.value,
            description=flow.description,
            material_text=flow.material_text or flow.category_code,
            category_code=flow.category_code,
            confidence=flow.confidence,
            to_classify=flow.to_classify,
            suggestions=flow.suggestions,
            precision=site.location.precision.value if site.location else None,
            place=(site.location.label if site.location else None),
        )
        for member in plan.members
        for site in member.sites
        for flow in site.flows
    ]
    return sorted(lines, key=lambda line: line.row or 0)
