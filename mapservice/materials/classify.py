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
   a moderate penalty for text words the category does not use: at most :data:`TOKENS_MAX`.
4. ``fuzzy`` — the same after replacing unknown words by a known word with a difflib ratio
   >= :data:`FUZZY_RATIO` ("sciur", "alluminium"), times :data:`FUZZY_FACTOR`.
5. ``none`` — below :data:`ACCEPT`: no code, flagged; candidates are the partial matches and
   categories using a look-alike word (ratio >= :data:`SUGGEST_RATIO`, score <= 0.4).

Thresholds: at :data:`ACCEPT` 0.5 one known word outweighed by unknown ones stays unknown
("logiciel de gestion des palettes" 0.44, "services comptables" 0.40) while a name with one
unknown qualifier ("fumier de vache" 0.59) is proposed. :data:`SURE` 0.75 sits above a name
missing one weak word (0.72) and every fuzzy score, so staff confirm typos and partial names.

Words (:mod:`mapservice.materials.words`): stop words, numbers and their units are dropped;
plural and feminine endings meet, in text and taxonomy alike. *Weak* words weigh
:data:`WEAK_WEIGHT`: provenance (usé, usagé, résiduel, used, spent, résidu, rebut, waste,
scrap…) and neutral qualifiers (sec, humide, pin, épinette, noir…), so "brasques usées" still
prefers the name "brasques usées" but "sciure de pin sèche" costs nothing extra; weak words
alone are unknown. Other words weigh by how few categories use them. Contamination
words (contaminé, souillé, amiante, PCB…) rule out non-hazardous categories not naming them:
"sol contaminé" is never clean soil.

Kinds: material, energy and resource-sharing categories are all fair targets. ``usages.*``
(kind material) are needs written as a use ("combustible pour notre chaudière"): an exact name
maps there, but token and fuzzy scores are multiplied by :data:`USAGE_FACTOR` (0.75 for an
offer, 1.0 for a need, 0.9 unknown) so a material named in an offer wins. A stated temperature
decides between low and high-temperature waste heat (:data:`HEAT_SPLIT_C`).
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from mapservice.domain.model import Direction
from mapservice.domain.text import fold
from mapservice.materials.taxonomy import Category, Taxonomy
from mapservice.materials.words import (
    CRITICAL,
    STOP,
    WEAK,
    LookAlikes,
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
#: The best token score: every word explained and a whole name found, still below EXACT.
TOKENS_MAX = 0.9
#: Fuzzy scores are token scores times this: at most 0.72, below SURE, so a typo is confirmed.
FUZZY_FACTOR = 0.8
#: difflib ratio a misspelt word needs to stand for a known one.
FUZZY_RATIO = 0.85
#: How much text words unknown to a category cost: score × (1 − EXTRA_PENALTY × unexplained).
EXTRA_PENALTY = 0.7
#: Weight of weak words (state, provenance, species, colour) against 1.0 for a rare word.
WEAK_WEIGHT = 0.25
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

_TEMPERATURE = re.compile(
    r"(-?\d+(?:[.,]\d+)?)\s*(?:°|º|deg(?:r[ée]s?)?\.?)?\s*([CF])\b", re.IGNORECASE
)
_PAREN = re.compile(r"\(([^)]*)\)")


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


@dataclass(frozen=True)
class _Name:
    code: str
    text: str
    kind_fr: str  # "libellé", "synonyme" or "code"
    tokens: frozenset[str]
    weight: float


@dataclass(frozen=True)
class _Scored:
    code: str
    score: float
    name: _Name
    matched: tuple[str, ...]


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
        self._cats: dict[str, Category] = {c.code: c for c in taxonomy}
        self._build_index()
        self._corrections: dict[str, str] = {}
        self._add_corrections(corrections or {})

    def _build_index(self) -> None:
        raw: list[tuple[str, str, str, list[str]]] = []
        self._shown: dict[str, str] = {}
        for cat in self._cats.values():
            texts = [("libellé", cat.label_fr), ("libellé", cat.label_en)]
            texts += [("synonyme", s) for s in (*cat.synonyms_fr, *cat.synonyms_en)]
            if cat.parent is None and cat.code.isalpha() and cat.code not in ("usages", "autres"):
                texts.append(("code", cat.code))
            for kind_fr, text in texts:
                # "Brasques usées (SPL)" names the category twice.
                for part in (_PAREN.sub(" ", text), *_PAREN.findall(text)):
                    words = content_words(part)
                    for key, written in words:
                        self._shown.setdefault(key, written)
                    if words:
                        raw.append((cat.code, kind_fr, part.strip(), [k for k, _ in words]))
        union: dict[str, set[str]] = {}
        for code, _, _, tokens in raw:
            union.setdefault(code, set()).update(tokens)
        df = Counter(tok for tokens_ in union.values() for tok in tokens_)
        self._weights = {
            tok: WEAK_WEIGHT if tok in WEAK else 1.0 / (1.0 + 0.5 * math.log(n))
            for tok, n in df.items()
        }
        self._union = {code: frozenset(t) for code, t in union.items()}
        self._names: list[_Name] = []
        self._postings: dict[str, list[int]] = {}
        for code, kind_fr, text, tokens in raw:
            toks = frozenset(tokens)
            for tok in toks:
                self._postings.setdefault(tok, []).append(len(self._names))
            self._names.append(
                _Name(code, text, kind_fr, toks, sum(self._weights[t] for t in toks))
            )
        self._alike = LookAlikes(self._weights)
        self._usages = frozenset(
            c.code
            for c in self._cats.values()
            if c.code == "usages" or c.code.startswith("usages.")
        )
        self._depth = {c.code: len(self.taxonomy.ancestors(c.code)) for c in self._cats.values()}

    def _weight(self, token: str) -> float:
        return WEAK_WEIGHT if token in WEAK else self._weights.get(token, 1.0)

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

    def _classify_auto(self, text: str, direction: Direction | None) -> Classification:
        words = content_words(text)
        tokens = [k for k, _ in words]
        shown = {k: w for k, w in reversed(words)}
        usage_factor = USAGE_FACTOR[direction]
        scored = self._score(tokens, usage_factor)
        exact = self._exact(text)
        if exact is not None:
            return self._result(
                text, exact.code, EXACT, "exact", scored, f"reconnu : {describe_name(text, exact)}"
            )
        method, best_list = "tokens", scored
        typos: dict[str, str] = {}
        if any(self._unknown_word(t) for t in tokens):
            replaced, typos = self._fuzzy_tokens(tokens)
            if typos:
                fuzzy = [
                    _Scored(s.code, s.score * FUZZY_FACTOR, s.name, s.matched)
                    for s in self._score(replaced, usage_factor)
                ]
                if fuzzy and (not scored or fuzzy[0].score > scored[0].score):
                    method, best_list = "fuzzy", fuzzy
        if not best_list or best_list[0].score < ACCEPT:
            return self._unknown(text, tokens, best_list)
        best = best_list[0]
        if method == "fuzzy":
            pairs = ", ".join(f"« {shown[a]} » ≈ « {self._shown[b]} »" for a, b in typos.items())
            reason = f"reconnu malgré l'orthographe ({pairs})"
        else:
            matched = ", ".join(f"« {shown[t]} »" for t in best.matched if t in shown)
            reason = f"reconnu par mots : {matched}"
        reason += f" → {self._label(best.code)} ({best.name.kind_fr} « {best.name.text} »)"
        union = self._union[best.code]
        left = [
            t
            for t in tokens
            if t not in union and t not in WEAK and t not in CRITICAL and typos.get(t) not in union
        ]
        unknown = [shown[t] for t in left if t not in self._weights]
        elsewhere = [shown[t] for t in left if t in self._weights]
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
        scored: list[_Scored],
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

    def _unknown(self, text: str, tokens: list[str], scored: list[_Scored]) -> Classification:
        """Flag ``text``: no code, the partial matches and look-alike words as candidates.

        Look-alikes come from the word index with a loose difflib cutoff rather than from
        :meth:`Taxonomy.suggest`, whose scan of every name takes 5-60 ms per text.
        """
        candidates = {s.code: round(s.score, 3) for s in scored}
        for tok in tokens:
            if tok in WEAK or tok in STOP:
                continue
            close = (
                self._alike.closest(tok, SUGGEST_RATIO) if self._unknown_word(tok) else (tok, 1.0)
            )
            if close is None:
                continue
            for index in self._postings.get(close[0], ()):
                code = self._names[index].code
                score = round(SUGGEST_SCALE * close[1], 3)
                if score > candidates.get(code, 0.0):
                    candidates[code] = score
        ordered = tuple(
            sorted(candidates.items(), key=lambda kv: (-kv[1], -self._depth[kv[0]], kv[0]))
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

    def _score(self, tokens: list[str], usage_factor: float) -> list[_Scored]:
        """Return the categories the tokens point at, best first (deepest first on ties)."""
        weights = {t: self._weight(t) for t in tokens}
        if not any(t not in WEAK and t in self._weights for t in weights):
            return []
        hits: dict[int, float] = {}
        for tok, w in weights.items():
            for index in self._postings.get(tok, ()):
                hits[index] = hits.get(index, 0.0) + w
        best: dict[str, tuple[float, _Name]] = {}
        for index, hit in hits.items():
            name = self._names[index]
            recall = hit / name.weight
            if name.code not in best or recall > best[name.code][0]:
                best[name.code] = (recall, name)
        critical = {t for t in weights if t in CRITICAL}
        out: list[_Scored] = []
        for code, (recall, name) in best.items():
            union = self._union[code]
            matched = tuple(t for t in weights if t in union)
            if all(t in WEAK for t in matched):
                continue
            hazardous = self._cats[code].hazardous
            if critical - union and not hazardous:
                continue
            # A contamination word is consistent with a hazardous category: no penalty.
            neutral = WEAK | critical if hazardous else WEAK
            known = sum(weights[t] for t in matched)
            unexplained = sum(w for t, w in weights.items() if t not in union and t not in neutral)
            coverage = known / (known + unexplained)
            score = TOKENS_MAX * recall * (1.0 - EXTRA_PENALTY * (1.0 - coverage))
            if code in self._usages:
                score *= usage_factor
            out.append(_Scored(code, score, name, matched))
        out.sort(key=lambda s: (-round(s.score, 9), -self._depth[s.code], s.code))
        return out

    def _unknown_word(self, token: str) -> bool:
        return token not in self._weights and token not in WEAK and token not in CRITICAL

    def _fuzzy_tokens(self, tokens: list[str]) -> tuple[list[str], dict[str, str]]:
        """Replace words the taxonomy does not know by a close known word, where there is one."""
        replaced: list[str] = []
        typos: dict[str, str] = {}
        for tok in tokens:
            match = self._alike.closest(tok, FUZZY_RATIO) if self._unknown_word(tok) else None
            if match is None:
                replaced.append(tok)
            else:
                replaced.append(match[0])
                typos[tok] = match[0]
        return replaced, typos

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
