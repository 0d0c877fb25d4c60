"""Free text to a taxonomy category, with a confidence staff can see and correct.

Staff write "sciure de bois", "drêches", "brasques usées", "waste heat 45 C"… in French or
English, singular or plural, with or without accents. :class:`Classifier` maps such text to a
:class:`~mapservice.materials.taxonomy.Taxonomy` code, says how sure it is and why (in French), and
never forces unknown text into a category. Pure: the caller stores staff corrections.

Stages, best first (fuzzy competes with tokens when the text has unknown words):

1. ``correction`` — staff chose a code for the same :meth:`Classifier.key`: 1.0.
2. ``exact`` — the text, or the text without quantities ("45 °C", "500 t/an"), is a code,
   label or synonym (:meth:`Taxonomy.lookup`): :data:`EXACT`.
3. ``tokens`` — the best name's recall (how much of a label or synonym the text holds) times
   a moderate penalty for text words the category does not use: at most
   :data:`~mapservice.materials.name_index.TOKENS_MAX` (scored by
   :class:`~mapservice.materials.name_index.NameIndex`).
4. ``fuzzy`` — the same after replacing unknown words by a known word with a difflib ratio
   >= :data:`FUZZY_RATIO` ("sciur", "alluminium"), times :data:`FUZZY_FACTOR`.
5. ``compound`` — a text naming two materials (« rabotures et bran de scie ») whose parts are
   each recognised without doubt: the part with most words wins (at most :data:`SURE`), the
   others are its first candidates.
6. ``none`` — below :data:`ACCEPT`: no code, flagged; candidates are the partial matches and
   categories using a look-alike word (ratio >= :data:`SUGGEST_RATIO`, score <= 0.4).

Thresholds: at :data:`ACCEPT` 0.5 one known word outweighed by unknown ones stays unknown
("logiciel de gestion des palettes" 0.44, "services comptables" 0.40) while a name with one
unknown qualifier ("fumier de vache" 0.59) is proposed. :data:`SURE` 0.75 sits above a name
missing one weak word (0.72) and every fuzzy score, so staff confirm typos and partial names.

Words (:mod:`mapservice.materials.words`): stop words, numbers and their units are dropped;
plural and feminine endings meet, in text and taxonomy alike. *Weak* words weigh
:data:`~mapservice.materials.name_index.WEAK_WEIGHT`: provenance (usé, usagé, résiduel, used,
spent, résidu, rebut, waste, scrap…) and neutral qualifiers (sec, humide, pin, épinette,
noir…), so "brasques usées" still prefers the name "brasques usées" but "sciure de pin sèche"
costs nothing extra; weak words alone are unknown. Other words weigh by how few categories use
them. Contamination words (contaminé, souillé, amiante, PCB…) rule out non-hazardous
categories not naming them: "sol contaminé" is never clean soil.

Kinds: material, energy and resource-sharing categories are all fair targets. ``usages.*``
(kind material) are needs written as a use ("combustible pour notre chaudière"): an exact name
maps there, but token and fuzzy scores are multiplied by :data:`USAGE_FACTOR` (0.75 for an
offer, 1.0 for a need, 0.9 unknown) so a material named in an offer wins. A stated temperature
decides between low and high-temperature waste heat (:data:`HEAT_SPLIT_C`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from mapservice.domain.model import Direction
from mapservice.domain.text import fold
from mapservice.materials.name_index import NameIndex, Scored
from mapservice.materials.taxonomy import Category, Taxonomy
from mapservice.materials.words import (
    CRITICAL,
    STOP,
    WEAK,
    content_words,
    describe_name,
    word_keys,
    words_kept,
)

#: Below this a guess is not a classification: code None, flagged.
ACCEPT = 0.5
#: At or above this the code is shown without asking; between ACCEPT and SURE staff confirm.
SURE = 0.75
#: An exact code, label or synonym.
EXACT = 0.95
#: Fuzzy scores are token scores times this: at most 0.72, below SURE, so a typo is confirmed.
FUZZY_FACTOR = 0.8
#: difflib ratio a misspelt word needs to stand for a known one.
FUZZY_RATIO = 0.85
#: Token and fuzzy scores of ``usages.*`` categories, by direction of the flow written.
USAGE_FACTOR: Mapping[Direction | None, float] = MappingProxyType(
    {None: 0.9, Direction.OUTPUT: 0.75, Direction.INPUT: 1.0}
)
#: Scores given to whole-text suggestions when nothing matched: similarity × this, below ACCEPT.
SUGGEST_SCALE = 0.4
#: Loose difflib cutoff for look-alike words offered as candidates when nothing matched.
SUGGEST_RATIO = 0.7
#: Temperature separating ``energie.chaleur_basse_t`` from ``energie.chaleur_haute_t``.
HEAT_SPLIT_C = 60.0
MAX_CANDIDATES = 5

_HEAT_LOW, _HEAT_HIGH = "energie.chaleur_basse_t", "energie.chaleur_haute_t"

#: Where a text naming two materials splits: « rabotures et bran de scie », « carton / bois ».
_PARTS = re.compile(r"\s+(?:et|and|ou|or)\s+|\s*[,;/+&]\s*", re.IGNORECASE)

_TEMPERATURE = re.compile(
    r"(-?\d+(?:[.,]\d+)?)\s*(?:°|º|deg(?:r[ée]s?)?\.?)?\s*([CF])\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Classification:
    """What the classifier made of one text, and why."""

    text: str
    code: str | None
    confidence: float
    method: str
    candidates: tuple[tuple[str, float], ...]
    flagged: bool
    reason_fr: str


class Classifier:
    """Map free text to taxonomy codes with a confidence; staff corrections take precedence.

    Parameters
    ----------
    taxonomy
        The categories and their names.
    corrections
        Text staff corrected -> the code they chose. Keys are normalised with :meth:`key`, so
        the text as written and its key both work.
    """

    def __init__(self, taxonomy: Taxonomy, corrections: Mapping[str, str] | None = None) -> None:
        self.taxonomy = taxonomy
        self._index = NameIndex(taxonomy)
        self._cats = self._index.cats
        self._corrections: dict[str, str] = {}
        self._add_corrections(corrections or {})

    def _add_corrections(self, corrections: Mapping[str, str]) -> None:
        for text, code in corrections.items():
            if code not in self._cats:
                msg = f"correction for {text!r}: unknown category code {code!r}"
                raise ValueError(msg)
            key = self.key(text)
            if not key:
                msg = f"correction text {text!r} has no words to match on"
                raise ValueError(msg)
            self._corrections[key] = code

    @property
    def corrections(self) -> Mapping[str, str]:
        """Return the stored corrections, by :meth:`key`."""
        return MappingProxyType(self._corrections)

    def with_corrections(self, corrections: Mapping[str, str]) -> Classifier:
        """Return a classifier that also applies ``corrections`` (they win over older ones).

        The token index is shared, so this is cheap; ``self`` is left unchanged.
        """
        clone = copy.copy(self)
        clone._corrections = dict(self._corrections)
        clone._add_corrections(corrections)
        return clone

    @staticmethod
    def key(text: str) -> str:
        """Return the key a correction for ``text`` is stored under.

        Folded (case, accents, punctuation), squeezed (no spaces), plural-insensitive, and
        without numbers and the units after them: "Chaleur résiduelle 45 °C" and "chaleur
        residuelles" share a key. Stop words stay, so only the same wording meets.
        """
        return "".join(k for k, _ in word_keys(text))

    def classify(self, text: str, *, direction: Direction | None = None) -> Classification:
        """Return the category ``text`` names, with a confidence and a French reason.

        ``direction`` says whether the text describes an offer (output) or a need (input);
        it only weighs the ``usages.*`` categories (see the module docstring).
        """
        auto = self._classify_auto(text, direction)
        if auto.flagged:
            auto = self._compound(text, direction) or auto
        code = self._corrections.get(self.key(text))
        if code is None:
            return auto
        others = [
            (c, s)
            for c, s in ((auto.code, auto.confidence), *auto.candidates)
            if c is not None and c != code
        ]
        return Classification(
            text=text,
            code=code,
            confidence=1.0,
            method="correction",
            candidates=tuple(others[:MAX_CANDIDATES]),
            flagged=False,
            reason_fr=f"corrigé par le personnel : {self._label(code)}",
        )

    def _compound(self, text: str, direction: Direction | None) -> Classification | None:
        """Classify a text naming two materials to the one that carries most of its words.

        Each part must be recognised without doubt on its own; the other parts' categories
        become the first candidates. None when the text does not split that way.
        """
        parts = [p for p in _PARTS.split(text) if p and p.strip()]
        if len(parts) < 2:
            return None
        found = [(self._classify_auto(p, direction), len(content_words(p))) for p in parts]
        if any(c.flagged or c.code is None for c, _ in found):
            return None
        best, _ = max(found, key=lambda cw: cw[1])  # first of the longest parts
        others: list[tuple[str, float]] = []
        for c, _ in found:
            for code, score in ((c.code, c.confidence), *c.candidates):
                if code is not None and code != best.code and code not in dict(others):
                    others.append((code, score))
        named = ", ".join(
            f"« {p.strip()} » → {self._label(c.code or '')}"
            for p, (c, _) in zip(parts, found, strict=True)
        )
        return Classification(
            text=text,
            code=best.code,
            confidence=round(min(best.confidence, SURE), 3),
            method="compound",
            candidates=tuple(others[:MAX_CANDIDATES]),
            flagged=False,
            reason_fr=f"plusieurs matières ({named}) : la plus décrite l'emporte",
        )

    def _classify_auto(self, text: str, direction: Direction | None) -> Classification:
        words = content_words(text)
        tokens = [k for k, _ in words]
        shown = {k: w for k, w in reversed(words)}
        usage_factor = USAGE_FACTOR[direction]
        scored = self._index.score(tokens, usage_factor)
        exact = self._exact(text)
        if exact is not None:
            return self._result(
                text, exact.code, EXACT, "exact", scored, f"reconnu : {describe_name(text, exact)}"
            )
        method, best_list = "tokens", scored
        typos: dict[str, str] = {}
        if any(self._index.unknown_word(t) for t in tokens):
            replaced, typos = self._index.fuzzy_tokens(tokens, FUZZY_RATIO)
            if typos:
                fuzzy = [
                    Scored(s.code, s.score * FUZZY_FACTOR, s.name, s.matched)
                    for s in self._index.score(replaced, usage_factor)
                ]
                if fuzzy and (not scored or fuzzy[0].score > scored[0].score):
                    method, best_list = "fuzzy", fuzzy
        if not best_list or best_list[0].score < ACCEPT:
            return self._unknown(text, tokens, best_list)
        best = best_list[0]
        if method == "fuzzy":
            pairs = ", ".join(
                f"« {shown[a]} » ≈ « {self._index.shown[b]} »" for a, b in typos.items()
            )
            reason = f"reconnu malgré l'orthographe ({pairs})"
        else:
            matched = ", ".join(f"« {shown[t]} »" for t in best.matched if t in shown)
            reason = f"reconnu par mots : {matched}"
        reason += f" → {self._label(best.code)} ({best.name.kind_fr} « {best.name.text} »)"
        union = self._index.union[best.code]
        left = [
            t
            for t in tokens
            if t not in union and t not in WEAK and t not in CRITICAL and typos.get(t) not in union
        ]
        unknown = [shown[t] for t in left if t not in self._index.weights]
        elsewhere = [shown[t] for t in left if t in self._index.weights]
        if unknown:
            reason += " ; mots inconnus : " + ", ".join(unknown)
        if elsewhere:
            reason += " ; mots d'une autre catégorie : " + ", ".join(elsewhere)
        return self._result(text, best.code, best.score, method, best_list, reason)

    def _result(
        self,
        text: str,
        code: str,
        confidence: float,
        method: str,
        scored: list[Scored],
        reason: str,
    ) -> Classification:
        code, note = self._heat_by_temperature(text, code)
        candidates = tuple((s.code, round(s.score, 3)) for s in scored if s.code != code)[
            :MAX_CANDIDATES
        ]
        confidence = round(confidence, 3)
        flagged = confidence < SURE
        if note:
            reason += f" ; {note}"
        if flagged:
            reason += " ; à confirmer"
        return Classification(text, code, confidence, method, candidates, flagged, reason)

    def _unknown(self, text: str, tokens: list[str], scored: list[Scored]) -> Classification:
        """Flag ``text``: no code, the partial matches and look-alike words as candidates.

        Look-alikes come from the word index with a loose difflib cutoff rather than from
        :meth:`Taxonomy.suggest`, whose scan of every name takes 5-60 ms per text.
        """
        candidates = {s.code: round(s.score, 3) for s in scored}
        for tok in tokens:
            if tok in WEAK or tok in STOP:
                continue
            close = (
                self._index.alike.closest(tok, SUGGEST_RATIO)
                if self._index.unknown_word(tok)
                else (tok, 1.0)
            )
            if close is None:
                continue
            for index in self._index.postings.get(close[0], ()):
                code = self._index.names[index].code
                score = round(SUGGEST_SCALE * close[1], 3)
                if score > candidates.get(code, 0.0):
                    candidates[code] = score
        ordered = tuple(
            sorted(candidates.items(), key=lambda kv: (-kv[1], -self._index.depth[kv[0]], kv[0]))
        )[:MAX_CANDIDATES]
        reason = "non reconnu : " + (
            "aucune catégorie ne correspond assez" if tokens else "aucun mot significatif"
        )
        if ordered:
            reason += " ; proche de : " + ", ".join(self._label(c) for c, _ in ordered[:3])
        confidence = round(scored[0].score, 3) if scored else 0.0
        return Classification(text, None, confidence, "none", ordered, True, reason)

    def _exact(self, text: str) -> Category | None:
        cat = self.taxonomy.lookup(text)
        if cat is None:
            without_quantities = " ".join(f for f, _ in words_kept(text))
            if without_quantities and without_quantities != fold(text):
                cat = self.taxonomy.lookup(without_quantities)
        return cat

    def _heat_by_temperature(self, text: str, code: str) -> tuple[str, str]:
        if code not in (_HEAT_LOW, _HEAT_HIGH):
            return code, ""
        match = _TEMPERATURE.search(text)
        if match is None:
            return code, ""
        value = float(match.group(1).replace(",", "."))
        celsius = (value - 32) * 5 / 9 if match.group(2).lower() == "f" else value
        chosen = _HEAT_LOW if celsius < HEAT_SPLIT_C else _HEAT_HIGH
        sign = "<" if chosen == _HEAT_LOW else "≥"
        return chosen, f"{celsius:g} °C {sign} {HEAT_SPLIT_C:g} °C : {self._label(chosen)}"

    def _label(self, code: str) -> str:
        return self._cats[code].label_fr
