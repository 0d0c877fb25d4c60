"""The taxonomy's names as a word index: word weights, postings and the token score of a text.

Each label, synonym and top-level code is a set of word keys (:mod:`mapservice.materials.words`);
rare words weigh more than common ones and weak words weigh :data:`WEAK_WEIGHT`. The scores are
the ``tokens`` stage of :mod:`mapservice.materials.classify`, which also feeds them typo-fixed
words for its ``fuzzy`` stage.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from mapservice.materials.taxonomy import Category, Taxonomy
from mapservice.materials.words import CRITICAL, WEAK, LookAlikes, content_words

#: The best token score: every word explained and a whole name found, still below EXACT.
TOKENS_MAX = 0.9
#: How much text words unknown to a category cost: score × (1 − EXTRA_PENALTY × unexplained).
EXTRA_PENALTY = 0.7
#: Weight of weak words (state, provenance, species, colour) against 1.0 for a rare word.
WEAK_WEIGHT = 0.25

_PAREN = re.compile(r"\(([^)]*)\)")


@dataclass(frozen=True)
class Name:
    """A label, synonym or code of a category, as the words it weighs."""

    code: str
    text: str
    kind_fr: str  # "libellé", "synonyme" or "code"
    tokens: frozenset[str]
    weight: float


@dataclass(frozen=True)
class Scored:
    """A category a text points at, its score and the name that matched best."""

    code: str
    score: float
    name: Name
    matched: tuple[str, ...]


class NameIndex:
    """The taxonomy's labels, synonyms and top-level codes, indexed by the words they use.

    Built once per taxonomy and shared by every :class:`~mapservice.materials.classify.Classifier`
    derived from it (corrections do not change it).
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.cats: dict[str, Category] = {c.code: c for c in taxonomy}
        raw: list[tuple[str, str, str, list[str]]] = []
        self.shown: dict[str, str] = {}
        for cat in self.cats.values():
            texts = [("libellé", cat.label_fr), ("libellé", cat.label_en)]
            texts += [("synonyme", s) for s in (*cat.synonyms_fr, *cat.synonyms_en)]
            if cat.parent is None and cat.code.isalpha() and cat.code not in ("usages", "autres"):
                texts.append(("code", cat.code))
            for kind_fr, text in texts:
                # "Brasques usées (SPL)" names the category twice.
                for part in (_PAREN.sub(" ", text), *_PAREN.findall(text)):
                    words = content_words(part)
                    for key, written in words:
                        self.shown.setdefault(key, written)
                    if words:
                        raw.append((cat.code, kind_fr, part.strip(), [k for k, _ in words]))
        union: dict[str, set[str]] = {}
        for code, _, _, tokens in raw:
            union.setdefault(code, set()).update(tokens)
        df = Counter(tok for tokens_ in union.values() for tok in tokens_)
        self.weights = {
            tok: WEAK_WEIGHT if tok in WEAK else 1.0 / (1.0 + 0.5 * math.log(n))
            for tok, n in df.items()
        }
        self.union = {code: frozenset(t) for code, t in union.items()}
        self.names: list[Name] = []
        self.postings: dict[str, list[int]] = {}
        for code, kind_fr, text, tokens in raw:
            toks = frozenset(tokens)
            for tok in toks:
                self.postings.setdefault(tok, []).append(len(self.names))
            self.names.append(Name(code, text, kind_fr, toks, sum(self.weights[t] for t in toks)))
        self.alike = LookAlikes(self.weights)
        self.usages = frozenset(
            c.code for c in self.cats.values() if c.code == "usages" or c.code.startswith("usages.")
        )
        self.depth = {c.code: len(taxonomy.ancestors(c.code)) for c in self.cats.values()}

    def weight(self, token: str) -> float:
        return WEAK_WEIGHT if token in WEAK else self.weights.get(token, 1.0)

    def score(self, tokens: list[str], usage_factor: float) -> list[Scored]:
        """Return the categories the tokens point at, best first (deepest first on ties)."""
        weights = {t: self.weight(t) for t in tokens}
        if not any(t not in WEAK and t in self.weights for t in weights):
            return []
        hits: dict[int, float] = {}
        for tok, w in weights.items():
            for index in self.postings.get(tok, ()):
                hits[index] = hits.get(index, 0.0) + w
        best: dict[str, tuple[float, Name]] = {}
        for index, hit in hits.items():
            name = self.names[index]
            recall = hit / name.weight
            if name.code not in best or recall > best[name.code][0]:
                best[name.code] = (recall, name)
        critical = {t for t in weights if t in CRITICAL}
        out: list[Scored] = []
        for code, (recall, name) in best.items():
            union = self.union[code]
            matched = tuple(t for t in weights if t in union)
            if all(t in WEAK for t in matched):
                continue
            hazardous = self.cats[code].hazardous
            if critical - union and not hazardous:
                continue
            # A contamination word is consistent with a hazardous category: no penalty.
            neutral = WEAK | critical if hazardous else WEAK
            known = sum(weights[t] for t in matched)
            unexplained = sum(w for t, w in weights.items() if t not in union and t not in neutral)
            coverage = known / (known + unexplained)
            score = TOKENS_MAX * recall * (1.0 - EXTRA_PENALTY * (1.0 - coverage))
            if code in self.usages:
                score *= usage_factor
            out.append(Scored(code, score, name, matched))
        out.sort(key=lambda s: (-round(s.score, 9), -self.depth[s.code], s.code))
        return out

    def unknown_word(self, token: str) -> bool:
        return token not in self.weights and token not in WEAK and token not in CRITICAL

    def fuzzy_tokens(self, tokens: list[str], ratio: float) -> tuple[list[str], dict[str, str]]:
        """Replace words the taxonomy does not know by a close known word, where there is one."""
        replaced: list[str] = []
        typos: dict[str, str] = {}
        for tok in tokens:
            match = self.alike.closest(tok, ratio) if self.unknown_word(tok) else None
            if match is None:
                replaced.append(tok)
            else:
                replaced.append(match[0])
                typos[tok] = match[0]
        return replaced, typos
