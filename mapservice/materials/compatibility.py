"""Which output categories may feed which input categories, and how well (pure).

Built once from the taxonomy: the same category, parent and child, declared rules (a parent's
rule at 90 % for its children), and mutualisation of shared resources. See
:mod:`mapservice.matching.matcher` for how a fit becomes a candidate.

An exact match is the surest: a need written as the offered category wants that very material.
Every other link is a guess of the facilitator's kind (« a kraft mill that wants fibre may take
chips »), so its strength is the rule's times :data:`RULE_CERTAINTY`, and the looser links of the
hierarchy stay below it too (:data:`MORE_SPECIFIC`, :data:`MORE_GENERAL`). A rule of strength 0
says « never »: it removes the link the hierarchy would give (wood is not ash).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from mapservice.domain.model import SynergyKind
from mapservice.errors import N_
from mapservice.materials.taxonomy import Taxonomy

#: A declared rule's strength counts at this share: a link between two categories is never as
#: sure as the same category on both sides.
RULE_CERTAINTY = 0.8
#: A parent's rule applies to its children at this share (before :data:`RULE_CERTAINTY`).
PARENT_RULE = 0.9
#: The offer is a kind of what is needed (the need is generic), and the other way round.
MORE_SPECIFIC, MORE_GENERAL = 0.8, 0.5


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
                        N_("l'un offre ce que l'autre cherche à partager"),
                    ),
                )
                continue
            self._add(code, code, Fit(SynergyKind.SUBSTITUTION, 1.0, "meme-categorie"))
            for parent in taxonomy.ancestors(code):
                self._add(
                    code, parent.code, Fit(SynergyKind.SUBSTITUTION, MORE_SPECIFIC, "plus-precis")
                )
                self._add(
                    parent.code, code, Fit(SynergyKind.SUBSTITUTION, MORE_GENERAL, "plus-general")
                )
        for rule in taxonomy.rules:
            if rule.strength <= 0:
                continue
            if rule.kind != SynergyKind.SUBSTITUTION.value:
                self._add(
                    rule.output_code,
                    rule.input_code,
                    Fit(SynergyKind.MUTUALISATION, rule.strength, "regle", rule.note_fr),
                )
                continue
            strength = round(rule.strength * RULE_CERTAINTY, 3)
            fit = Fit(SynergyKind.SUBSTITUTION, strength, "regle", rule.note_fr)
            self._add(rule.output_code, rule.input_code, fit)
            for child in self._descendants(rule.output_code):
                self._add(
                    child,
                    rule.input_code,
                    Fit(
                        SynergyKind.SUBSTITUTION,
                        round(rule.strength * PARENT_RULE * RULE_CERTAINTY, 3),
                        "regle-parent",
                        rule.note_fr,
                    ),
                )
        for rule in taxonomy.rules:  # « never » rules last: nothing above may bring them back
            if rule.strength <= 0:
                self._fits[rule.output_code].pop(rule.input_code, None)

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
