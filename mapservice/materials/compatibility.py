"""Which output categories may feed which input categories, and how well (pure).

Built once from the taxonomy: the same category, parent and child, declared rules (a parent's
rule at 90 % for its children), and mutualisation of shared resources. See
:mod:`mapservice.matching.matcher` for how a fit becomes a candidate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from mapservice.domain.model import SynergyKind
from mapservice.materials.taxonomy import Taxonomy


@dataclass(frozen=True)
class Fit:
    kind: SynergyKind
    strength: float
    how: str  # meme-categorie, plus-precis, plus-general, regle, regle-parent, mutualisation
    note_fr: str = ""


class Compatibility:
    """Which output categories may feed which input categories, precomputed from the taxonomy."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._fits: dict[str, dict[str, Fit]] = defaultdict(dict)
        self._reverse: dict[str, dict[str, Fit]] | None = None
        codes = [c.code for c in taxonomy]
        for code in codes:
            cat = taxonomy.get(code)
            assert cat is not None
            if cat.kind == "mutualisation":
                self._add(
                    code,
                    code,
                    Fit(
                        SynergyKind.MUTUALISATION,
                        1.0,
                        "mutualisation",
                        "l'un offre ce que l'autre cherche à partager",
                    ),
                )
                continue
            self._add(code, code, Fit(SynergyKind.SUBSTITUTION, 1.0, "meme-categorie"))
            for parent in taxonomy.ancestors(code):
                self._add(code, parent.code, Fit(SynergyKind.SUBSTITUTION, 0.8, "plus-precis"))
                self._add(parent.code, code, Fit(SynergyKind.SUBSTITUTION, 0.5, "plus-general"))
        for rule in taxonomy.rules:
            if rule.kind != SynergyKind.SUBSTITUTION.value:
                self._add(
                    rule.output_code,
                    rule.input_code,
                    Fit(SynergyKind.MUTUALISATION, rule.strength, "regle", rule.note_fr),
                )
                continue
            fit = Fit(SynergyKind.SUBSTITUTION, rule.strength, "regle", rule.note_fr)
            self._add(rule.output_code, rule.input_code, fit)
            for child in self._descendants(rule.output_code):
                self._add(
                    child,
                    rule.input_code,
                    Fit(
                        SynergyKind.SUBSTITUTION,
                        round(rule.strength * 0.9, 3),
                        "regle-parent",
                        rule.note_fr,
                    ),
                )

    def _descendants(self, code: str) -> list[str]:
        out, todo = [], [code]
        while todo:
            for child in self.taxonomy.children(todo.pop()):
                out.append(child.code)
                todo.append(child.code)
        return out

    def _add(self, out_code: str, in_code: str, fit: Fit) -> None:
        current = self._fits[out_code].get(in_code)
        if current is None or fit.strength > current.strength:
            self._fits[out_code][in_code] = fit

    def outputs_for(self, in_code: str) -> dict[str, Fit]:
        """Output categories that can feed a need of ``in_code``, with how well."""
        if self._reverse is None:
            reverse: dict[str, dict[str, Fit]] = defaultdict(dict)
            for out_code, fits in self._fits.items():
                for code, fit in fits.items():
                    reverse[code][out_code] = fit
            self._reverse = dict(reverse)
        return self._reverse.get(in_code, {})

    def inputs_for(self, out_code: str) -> dict[str, Fit]:
        """Input categories an offer of ``out_code`` can feed, with how well."""
        return self._fits.get(out_code, {})

    def fit(self, out_code: str, in_code: str) -> Fit | None:
        return self._fits.get(out_code, {}).get(in_code)
