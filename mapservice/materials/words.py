"""The words of a material's description, as the classifier compares them.

Stop words (de, des, la, en, et, à, aux, pour, of, the, and, a, an…) are dropped, and numbers
with the units after them. Plural and feminine endings meet (-s, -x, -aux/-au → -al, -eaux →
-eau, -ies/-y → -ie, English -es, -ée → -é, -elle → -el), in text and taxonomy alike. *Weak*
words (:data:`WEAK`) are provenance and neutral qualifiers; *critical* words
(:data:`CRITICAL`) name a contamination. See :mod:`mapservice.materials.classify`.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections.abc import Iterable

from mapservice.domain.text import fold
from mapservice.materials.taxonomy import Category

#: Known words (most letter pairs in common first) that difflib compares with an unknown one.
_FUZZY_SHORTLIST = 20

_STOP_WORDS = (
    "de du des d la le les l en et a au aux un une pour avec sur par dans ou notre nos votre "
    "vos leur leurs ce ces cette chez of the and an for with from to in at on or our your by no"
)
_UNITS = (
    "c f degre degres degree degrees kg t tm tmh tonne tonnes ton tons lb lbs g m m2 m3 mc l "
    "litre litres liter liters gal gallon gallons verge verges vg yard yards pi pi2 pi3 ft cu "
    "kw kwh mw mwh gj btu psi kpa bar an annee annees year years yr mois month months semaine "
    "semaines week weeks jour jours day days h heure heures hour hours par per unite unites "
    "unit units pcs x"
)
_WEAK_WORDS = (
    "use usee usage usagee used spent residuel residuelle residual residu dechet rebut waste "
    "scrap recupere recovered matiere material produit product sous disponible gratuit donner "
    "vendre vente available free sale surplus excedent excedentaire extra leftover propre "
    "clean vide empty reutilisable reusable recuperable valorisable recyclable vrac bulk "
    "sec seche humide mouille fin fine gros grosse brut franc mou dur resineux feuillu pin "
    "sapin epinette bouleau erable peuplier tremble cedre meleze pruche dry wet coarse raw "
    "hardwood softwood pine spruce fir birch maple poplar aspen cedar blanc blanche noir "
    "noire rouge white black red divers diverse various mixte"
)
_CRITICAL_WORDS = (
    "contamine contaminee contaminated souille souillee dangereux dangereuse dangerous "
    "hazardous toxique toxic amiante asbestos pcb radioactif radioactive biomedical infectieux"
)
#: Spellings of one word that plural folding cannot join.
_ALIASES = {
    "alu": "aluminium",
    "aluminum": "aluminium",
    "fiber": "fibre",
    "tyre": "tire",
    "fertiliser": "fertilizer",
}

#: Ordinals that tell a residue's grades apart (« brasque 1re coupe », « 2e coupe »): kept as
#: words, where a number and its unit would be dropped.
_ORDINALS = {
    **dict.fromkeys(("1re", "1ere", "1er", "1st", "premier", "first"), "premiere"),
    **dict.fromkeys(("2e", "2eme", "2nde", "2nd", "2d", "seconde", "second"), "deuxieme"),
}
_NUMBER = re.compile(r"\d+(?:x\d+)*[a-z]{0,3}")
_WORD = re.compile(r"[^\W_]+")


def singular(token: str) -> str:
    """Fold plural and feminine endings so that both numbers and genders of a word meet.

    The result is a comparison key, not a word ("bois" -> "boi", "drêche" -> "drech"); the
    text and the taxonomy go through the same function.
    """
    if len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith("eaux"):
        token = token[:-1]
    elif token.endswith("aux"):
        token = token[:-3] + "al"
    elif token.endswith(("eux", "oux")) or (token.endswith("s") and not token.endswith("ss")):
        token = token[:-1]
    if token.endswith("au") and not token.endswith("eau"):
        token = token[:-2] + "al"  # matériau / matériaux
    elif token.endswith("ee"):
        token = token[:-1]  # usée -> usé
    elif token.endswith("elle"):
        token = token[:-2]  # résiduelle -> résiduel
    elif token.endswith("y") and token[-2] not in "aeiou":
        token = token[:-1] + "ie"  # battery / batteries
    if token.endswith("e") and token[:-1].endswith(("ch", "sh", "ss", "x", "z")):
        token = token[:-1]  # drêche / drêches, ash / ashes
    return token


#: The keys that other spellings share (the targets of :func:`alias`).
SHARED_KEYS = frozenset(_ALIASES.values())


def alias(key: str) -> str:
    """The one spelling of a word key that several spellings share (« alu » -> « aluminium »)."""
    return _ALIASES.get(key, key)


def word_keys(text: str) -> list[tuple[str, str]]:
    """Return ``(folded singular key, as written)`` for each word of ``text``, no quantities."""
    return [
        (_ALIASES.get(k, k), shown)
        for k, shown in ((singular(folded), shown) for folded, shown in words_kept(text))
    ]


UNIT_SET = frozenset(_UNITS.split())
STOP, WEAK, CRITICAL = (
    frozenset(singular(w) for w in words.split())
    for words in (_STOP_WORDS, _WEAK_WORDS, _CRITICAL_WORDS)
)


def content_words(text: str) -> list[tuple[str, str]]:
    """Return the words that can match: no stop words, no single letters, no units."""
    return [
        (k, shown)
        for k, shown in word_keys(text)
        if len(k) > 1 and k not in STOP and k not in UNIT_SET
    ]


def words_kept(text: str) -> list[tuple[str, str]]:
    """Return ``(folded, as written)`` per word of ``text``, minus numbers and their units."""
    out: list[tuple[str, str]] = []
    after_number = False
    for piece in _WORD.findall(text):
        for folded in fold(piece).split():
            if folded in _ORDINALS:
                after_number = False
                out.append((_ORDINALS[folded], piece.lower()))
                continue
            if _NUMBER.fullmatch(folded):
                after_number = True
                continue
            if after_number and folded in UNIT_SET:
                continue
            after_number = False
            out.append((folded, piece.lower()))
    return out


def bigrams(word: str) -> frozenset[str]:
    return frozenset(word[i : i + 2] for i in range(len(word) - 1))


def plural_key(key: str) -> str:
    """Drop a final s or x per word, as :meth:`Taxonomy.lookup` does."""
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in key.split())


def describe_name(text: str, cat: Category) -> str:
    """Say, in French, which of the category's names ``text`` is (for an exact match)."""
    written = {fold(text), " ".join(f for f, _ in words_kept(text))}
    names = [(fold(cat.code), f"code {cat.code}")]
    names += [(fold(label), f"libellé « {label} »") for label in (cat.label_fr, cat.label_en)]
    names += [
        (fold(syn), f"synonyme « {syn} » de {cat.label_fr}")
        for syn in (*cat.synonyms_fr, *cat.synonyms_en)
    ]
    for same in (
        lambda name: name in written,  # as written first, then plural-insensitive
        lambda name: plural_key(name) in {plural_key(w) for w in written},
    ):
        for name, description in names:
            if same(name):
                return description
    return f"nom de {cat.label_fr}"


class LookAlikes:
    """Known words by their letter pairs, to find the one a misspelt word stands for."""

    def __init__(self, known: Iterable[str]) -> None:
        self._by_bigram: dict[str, list[str]] = {}
        self._pairs: dict[str, int] = {}
        for tok in known:
            if len(tok) >= 4 and tok not in WEAK:
                self._pairs[tok] = len(bigrams(tok))
                for pair in bigrams(tok):
                    self._by_bigram.setdefault(pair, []).append(tok)
        self._cache: dict[tuple[str, float], tuple[str, float] | None] = {}

    def closest(self, token: str, cutoff: float) -> tuple[str, float] | None:
        """Return the known word most like ``token`` with a difflib ratio >= ``cutoff``.

        Shared letter pairs pick a few likely words first, so only those pay for difflib.
        """
        if len(token) < 4:
            return None
        cache_key = (token, cutoff)
        if cache_key in self._cache:
            return self._cache[cache_key]
        pairs = bigrams(token)
        shared: dict[str, int] = {}
        for pair in pairs:
            for cand in self._by_bigram.get(pair, ()):
                shared[cand] = shared.get(cand, 0) + 1
        likely = heapq.nlargest(
            _FUZZY_SHORTLIST, shared, key=lambda c: 2 * shared[c] / (len(pairs) + self._pairs[c])
        )
        best: tuple[str, float] | None = None
        matcher = difflib.SequenceMatcher(None, b=token, autojunk=False)
        for cand in likely:
            matcher.set_seq1(cand)
            if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
                continue
            ratio = matcher.ratio()
            if ratio >= cutoff and (best is None or ratio > best[1]):
                best = (cand, ratio)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[cache_key] = best
        return best
