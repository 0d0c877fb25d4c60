"""Quality words: what a description says of its material (« écorcés », « non traité », « sèche »).

A need that asks for a quality its offer states ranks higher than one the offer leaves unsaid,
and an offer that states the opposite (« traité » against « non traitée ») ranks lower (see
:func:`mapservice.matching.scoring.quality_fit`). The words are data
(``data/materials/qualities.csv``): each quality has a key, the words that state it (compared
folded: no accents, no case, one space between words; the longest wording wins, so « non
traité » is never read as « traité »), an optional opposite and the broader qualities it
implies (« épinette » is a « résineux »). A flow's qualities are two bit masks: the qualities
it states and their opposites, so that every matcher compares them on arrays.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mapservice.domain.text import fold
from mapservice.errors import TaxonomyError

#: At most this many qualities: a flow's masks are 64-bit integers.
MAX_QUALITIES = 62


@dataclass(frozen=True)
class Quality:
    key: str
    words: tuple[str, ...]
    opposite: str | None
    implies: tuple[str, ...]
    label_fr: str
    label_en: str
    source: str = ""


class QualityWords:
    """The quality vocabulary, and each text's qualities as bit masks (memoised by text)."""

    def __init__(self, qualities: Iterable[Quality] = ()) -> None:
        self.qualities = tuple(qualities)
        if len(self.qualities) > MAX_QUALITIES:
            raise TaxonomyError(f"at most {MAX_QUALITIES} qualities, got {len(self.qualities)}")
        self.bit = {q.key: 1 << n for n, q in enumerate(self.qualities)}
        by_key = {q.key: q for q in self.qualities}
        for q in self.qualities:
            for other in (q.opposite, *q.implies):
                if other and other not in by_key:
                    raise TaxonomyError(f"quality {q.key!r}: unknown quality {other!r}")
        self._word_key: dict[str, str] = {}
        for q in self.qualities:
            for word in q.words:
                self._word_key.setdefault(fold(word), q.key)
        words = sorted(self._word_key, key=len, reverse=True)  # the longest wording first
        self._pattern = (
            re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])")
            if words
            else None
        )
        self._implied = {q.key: self._closure(q.key, by_key) for q in self.qualities}
        self._opposite = {q.key: q.opposite for q in self.qualities}
        self._memo: dict[str, tuple[int, int]] = {}

    @staticmethod
    def _closure(key: str, by_key: dict[str, Quality]) -> frozenset[str]:
        out, todo = {key}, [key]
        while todo:
            for other in by_key[todo.pop()].implies:
                if other not in out:
                    out.add(other)
                    todo.append(other)
        return frozenset(out)

    @classmethod
    def from_csv(cls, path: Path) -> QualityWords:
        """Read ``qualities.csv`` (key, words, opposite, implies, label_fr, label_en, source)."""
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        out = []
        for line, rec in enumerate(rows, start=2):
            if not rec.get("key") or not rec.get("words") or not rec.get("source"):
                msg = f"{path.name} line {line}: key, words and source are required"
                raise TaxonomyError(msg)
            out.append(
                Quality(
                    key=rec["key"],
                    words=tuple(w.strip() for w in rec["words"].split("|") if w.strip()),
                    opposite=rec.get("opposite") or None,
                    implies=tuple(k for k in (rec.get("implies") or "").split("|") if k),
                    label_fr=rec.get("label_fr") or rec["key"],
                    label_en=rec.get("label_en") or rec["key"],
                    source=rec["source"],
                )
            )
        return cls(out)

    def keys_in(self, text: str) -> frozenset[str]:
        """The qualities ``text`` states, with those they imply."""
        if self._pattern is None or not text:
            return frozenset()
        found: set[str] = set()
        for match in self._pattern.finditer(fold(text)):
            found |= self._implied[self._word_key[match.group(0)]]
        return frozenset(found)

    def masks(self, text: str) -> tuple[int, int]:
        """(stated, contrary): the bits of the qualities ``text`` states and of their opposites."""
        got = self._memo.get(text)
        if got is None:
            keys = self.keys_in(text)
            stated = self.mask(keys)
            contrary = self.mask(o for k in keys if (o := self._opposite[k]) is not None)
            got = (stated, contrary)
            if len(self._memo) > 100_000:
                self._memo.clear()
            self._memo[text] = got
        return got

    def mask(self, keys: Iterable[str]) -> int:
        out = 0
        for key in keys:
            out |= self.bit[key]
        return out

    def labels(self, mask: int, lang: str = "fr") -> list[str]:
        """The labels of the qualities in ``mask``, in the vocabulary's order."""
        return [
            q.label_en if lang == "en" else q.label_fr
            for q in self.qualities
            if mask & self.bit[q.key]
        ]
