"""What a search box understood, and whether a text or a flow answers it: one matcher for
every search a person types (the map, the board, the registry, an event's participants).

A query is cut into *terms*. The longest run of words that names a category exactly (label,
synonym or code, French or English, any plural: :meth:`Taxonomy.lookup`) is a category term
and finds that category and everything under it: « bran de scie », « sciures », « Sawdust »
and « Sciure de bois » all find ``bois.sciure``. Every other word is a word term, accent- and
case-folded and made singular (:func:`~mapservice.materials.words.singular`): it matches a
word of a text that starts with it (« palet » finds « palettes ») and the categories whose
names hold such a word (« scie » finds the sawdust of « bran de scie »). Stop words (« de »,
« la ») only count when the query holds nothing else. A text or flow answers the query when
it answers every term; the whole query found as it is typed (folded) always answers it, as the
plain search of before did.

Pure: the caller hands over what the reader may see (:mod:`mapservice.domain.disclosure`);
nothing here reads more than the texts it is given.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from mapservice.domain.text import fold
from mapservice.materials.taxonomy import Taxonomy
from mapservice.materials.words import SHARED_KEYS, STOP, alias, content_words, singular, word_keys

#: The shortest word that may name categories by its start (« pa » would name half of them).
MIN_PREFIX_CHARS = 3
_PAREN = re.compile(r"\(([^)]*)\)")


@dataclass(frozen=True)
class Term:
    """One part of a query: as typed, its folded words' keys, and the categories it names.

    ``category`` is the category a run of words names exactly (None for a word term), and
    ``names`` the word keys of each of its names: a text that holds one of them answers the
    term (« sciure pour litière » answers « bran de scie »). ``codes`` are the categories
    that answer the term (that category's subtree, or the categories whose names hold the
    word).
    """

    typed: str
    folded: str
    keys: tuple[str, ...]
    codes: frozenset[str]
    category: str | None = None
    names: tuple[frozenset[str], ...] = ()
    written: tuple[str, ...] = ()
    #: What of each key must be written in a text that holds it (see :func:`_stem`):
    #: for ``keys``, then for each of ``names``.
    stems: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        groups = (self.keys, *self.names)
        object.__setattr__(self, "stems", tuple(tuple(_stem(k) for k in g) for g in groups))


def _stem(key: str) -> str:
    """What a text holding a word whose singular key starts with ``key`` must hold: singular
    forms change at most the last two letters of a word (« métaux » → « métal »), so the rest
    of ``key``; a key that other spellings share (« aluminium » for « alu ») may be written
    otherwise (the empty stem: any text)."""
    return "" if key in SHARED_KEYS else key[: max(len(key) - 2, 1)]


class Haystack:
    """A text folded once for matching: the folded text, and its words' singular keys worked
    out only when a term needs them (most texts are rejected on the folded text alone)."""

    __slots__ = ("_held", "_keys", "folded")

    def __init__(self, folded: str) -> None:
        self.folded = folded
        self._keys: frozenset[str] | None = None
        self._held: dict[int, bool] = {}  # by term id: a text said by many flows

    @classmethod
    def of(cls, *texts: str | None) -> Haystack:
        return cls(fold(" ".join(t for t in texts if t)))

    @property
    def keys(self) -> frozenset[str]:
        if self._keys is None:
            words = self.folded.split()
            self._keys = frozenset(words).union(alias(singular(w)) for w in words)
        return self._keys

    def holds(self, term: Term) -> bool:
        """Whether every word of ``term`` starts a word here (or the term is written here)."""
        held = self._held.get(id(term))
        if held is None:
            held = self._holds(term)
            self._held[id(term)] = held
        return held

    def _holds(self, term: Term) -> bool:
        folded = self.folded
        if term.folded and term.folded in folded:
            return True
        key_stems, *name_stems = term.stems
        for name, stems in zip(term.names, name_stems, strict=True):
            if all(s in folded for s in stems) and name <= self.keys:
                return True
        if not term.keys or not all(s in folded for s in key_stems):
            return False
        return all(any(k.startswith(key) for k in self.keys) for key in term.keys)


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: as typed, folded, and its terms (see the module's docstring)."""

    typed: str
    folded: str
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.folded)

    @property
    def categories(self) -> tuple[Term, ...]:
        """The terms that name a category exactly."""
        return tuple(t for t in self.terms if t.category)

    def answered_by(self, *texts: Haystack, codes: Collection[str] = ()) -> bool:
        """Whether the texts together (a site's names, a flow's description…) and the flows'
        categories ``codes`` answer every term."""
        if not self.folded:
            return True
        if any(self.folded in h.folded for h in texts):
            return True
        return all(
            not term.codes.isdisjoint(codes) or any(h.holds(term) for h in texts)
            for term in self.terms
        )

    def matches_text(self, *texts: str | None) -> bool:
        """Whether plain texts (names, a contact…) answer the query, without categories."""
        return self.answered_by(Haystack.of(*texts))

    def understood(self, taxonomy: Taxonomy, lang: str = "fr") -> list[str]:
        """What the query was read as, for the page: « Sciure de bois (bran de scie) » per
        category named; empty when no category was named."""
        out = []
        for term in self.categories:
            label = taxonomy.label(term.category or "", lang)
            same = fold(label) == term.folded
            out.append(label if same else f"{label} ({term.typed})")
        return out


def _name_keys(text: str) -> list[frozenset[str]]:
    """The content word keys of a name, and of its part in parentheses apart (« Brasques
    usées (SPL) » names the category twice)."""
    parts = (_PAREN.sub(" ", text), *_PAREN.findall(text))
    keys = [frozenset(k for k, _ in content_words(part)) for part in parts]
    return [k for k in keys if k]


class SearchVocabulary:
    """The taxonomy's names as a search reads them, worked out once (reference data, like the
    taxonomy it comes from: the services keep one).

    Per category: the word keys of all its names (a word term finds the categories holding a
    word that starts with it), each name's keys apart and each name folded (a text naming the
    category), and its subtree.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.words: dict[str, frozenset[str]] = {}
        self.names: dict[str, tuple[frozenset[str], ...]] = {}
        self.written: dict[str, tuple[str, ...]] = {}
        children: dict[str, list[str]] = {}
        for cat in taxonomy:
            texts = (cat.label_fr, cat.label_en, *cat.synonyms_fr, *cat.synonyms_en)
            self.words[cat.code] = frozenset(k for text in texts for k, _ in word_keys(text))
            self.names[cat.code] = tuple(
                dict.fromkeys(k for text in texts for k in _name_keys(text))
            )
            self.written[cat.code] = tuple(dict.fromkeys(w for t in texts if (w := fold(t))))
            if cat.parent:
                children.setdefault(cat.parent, []).append(cat.code)
        self.subtree: dict[str, frozenset[str]] = {}
        for cat in taxonomy:
            out, todo = set(), [cat.code]
            while todo:
                code = todo.pop()
                out.add(code)
                todo.extend(children.get(code, ()))
            self.subtree[cat.code] = frozenset(out)

    def starting(self, key: str) -> frozenset[str]:
        """The categories with a name word that starts with ``key``."""
        return frozenset(
            code for code, words in self.words.items() if any(w.startswith(key) for w in words)
        )

    def term(self, code: str, typed: str, phrase: str) -> Term:
        """The term of a run of words that names ``code`` (see :class:`Term`)."""
        keys = tuple(k for k, _ in word_keys(phrase) if k not in STOP and len(k) > 1)
        written = tuple(w for w in self.written.get(code, ()) if w != phrase)
        named = self.names.get(code, ())
        return Term(typed, phrase, keys, self.subtree.get(code, frozenset()), code, named, written)

    def named_run(self, words: list[str], start: int) -> tuple[int, str] | None:
        """The longest run of ``words`` from ``start`` that names a category: (end, code)."""
        for end in range(len(words), start, -1):
            phrase = " ".join(words[start:end])
            cat = self.taxonomy.lookup(phrase) if len(phrase) >= MIN_PREFIX_CHARS else None
            if cat is not None:
                return end, cat.code
        return None


def parse_query(
    text: str | None, vocabulary: SearchVocabulary | Taxonomy | None = None
) -> SearchQuery:
    """Read ``text`` as the terms it holds; without a vocabulary, words only (names).

    Pass the services' :class:`SearchVocabulary` where one is kept; a bare taxonomy gets one
    built for this query.
    """
    vocab = SearchVocabulary(vocabulary) if isinstance(vocabulary, Taxonomy) else vocabulary
    typed = (text or "").strip()
    pairs = [(folded, piece) for piece in typed.split() for folded in fold(piece).split()]
    words = [w for w, _ in pairs]
    content = [w for w in words if len(w) > 1 and singular(w) not in STOP]
    terms: list[Term] = []
    i = 0
    while i < len(words):
        run = vocab.named_run(words, i) if vocab is not None else None
        if run is not None and vocab is not None:
            end, code = run
            shown = " ".join(dict.fromkeys(p for _, p in pairs[i:end]))
            terms.append(vocab.term(code, shown, " ".join(words[i:end])))
            i = end
            continue
        word, piece = pairs[i]
        i += 1
        if content and word not in content:
            continue  # « de » in « bran de scie » narrows nothing
        key = next((k for k, _ in word_keys(word)), singular(word))
        codes: frozenset[str] = frozenset()
        if vocab is not None and len(key) >= MIN_PREFIX_CHARS:
            codes = vocab.starting(key)
        terms.append(Term(piece, word, (key,), codes))
    return SearchQuery(typed, " ".join(words), tuple(terms))


def spellings(term: Term) -> tuple[str, ...]:
    """Other folded spellings that answer ``term`` by a plain substring test (for a database's
    ``LIKE``): the singular key and its plural in -aux of a word (« métaux » for « métal »),
    the names of the category a phrase names, as written (« sciure » for « bran de scie »)."""
    out: list[str] = list(term.written)
    for key in term.keys if term.category is None else ():
        if len(key) >= MIN_PREFIX_CHARS:
            out.append(key)
            if key.endswith("al"):
                out.append(key[:-2] + "aux")
    return tuple(k for k in dict.fromkeys(out) if k != term.folded)
