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
from collections.abc import Iterable
from dataclasses import dataclass

from mapservice.domain.text import fold
from mapservice.materials.taxonomy import Taxonomy
from mapservice.materials.words import STOP, content_words, singular, word_keys

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


@dataclass(frozen=True)
class Haystack:
    """A text folded once for matching: the folded text and its words' singular keys."""

    folded: str
    keys: frozenset[str]

    @classmethod
    def of(cls, *texts: str | None) -> Haystack:
        joined = " ".join(t for t in texts if t)
        return cls(fold(joined), frozenset(k for k, _ in word_keys(joined)))

    def holds(self, term: Term) -> bool:
        """Whether every word of ``term`` starts a word here (or the term is written here)."""
        if term.folded and term.folded in self.folded:
            return True
        if any(name <= self.keys for name in term.names):
            return True
        return bool(term.keys) and all(
            any(k.startswith(key) for k in self.keys) for key in term.keys
        )


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

    def answered_by(self, *texts: Haystack, codes: Iterable[str] = ()) -> bool:
        """Whether the texts together (a site's names, a flow's description…) and the flows'
        categories ``codes`` answer every term."""
        if not self.folded:
            return True
        if any(self.folded in h.folded for h in texts):
            return True
        wanted = set(codes)
        return all(
            any(h.holds(term) for h in texts) or bool(term.codes & wanted) for term in self.terms
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


def _names(taxonomy: Taxonomy) -> dict[str, frozenset[str]]:
    """Each category's name word keys (labels and synonyms, both languages)."""
    out = {}
    for cat in taxonomy:
        texts = (cat.label_fr, cat.label_en, *cat.synonyms_fr, *cat.synonyms_en)
        out[cat.code] = frozenset(k for text in texts for k, _ in word_keys(text))
    return out


def _subtree(taxonomy: Taxonomy, codes: Iterable[str]) -> frozenset[str]:
    roots = set(codes)
    return frozenset(
        c.code
        for c in taxonomy
        if c.code in roots or any(a.code in roots for a in taxonomy.ancestors(c.code))
    )


def _category_term(taxonomy: Taxonomy, code: str, typed: str, phrase: str) -> Term:
    """The term of a run of words that names ``code`` (see :class:`Term`)."""
    cat = taxonomy.get(code)
    texts = () if cat is None else (cat.label_fr, cat.label_en, *cat.synonyms_fr, *cat.synonyms_en)
    keys = tuple(k for k, _ in word_keys(phrase) if k not in STOP and len(k) > 1)
    named = tuple(dict.fromkeys(k for text in texts for k in _name_keys(text)))
    written = tuple(w for w in dict.fromkeys(fold(text) for text in texts) if w and w != phrase)
    return Term(typed, phrase, keys, _subtree(taxonomy, [code]), code, named, written)


def _named_run(taxonomy: Taxonomy | None, words: list[str], start: int) -> tuple[int, str] | None:
    """The longest run of ``words`` from ``start`` that names a category: (its end, code)."""
    if taxonomy is None:
        return None
    for end in range(len(words), start, -1):
        phrase = " ".join(words[start:end])
        cat = taxonomy.lookup(phrase) if len(phrase) >= MIN_PREFIX_CHARS else None
        if cat is not None:
            return end, cat.code
    return None


def parse_query(text: str | None, taxonomy: Taxonomy | None = None) -> SearchQuery:
    """Read ``text`` as the terms it holds; without a taxonomy, words only (names)."""
    typed = (text or "").strip()
    pairs = [(folded, piece) for piece in typed.split() for folded in fold(piece).split()]
    words = [w for w, _ in pairs]
    names = _names(taxonomy) if taxonomy is not None else {}
    content = [w for w in words if len(w) > 1 and singular(w) not in STOP]
    terms: list[Term] = []
    i = 0
    while i < len(words):
        run = _named_run(taxonomy, words, i)
        if run is not None and taxonomy is not None:
            end, code = run
            shown = " ".join(dict.fromkeys(p for _, p in pairs[i:end]))
            terms.append(_category_term(taxonomy, code, shown, " ".join(words[i:end])))
            i = end
            continue
        word, piece = pairs[i]
        i += 1
        if content and word not in content:
            continue  # « de » in « bran de scie » narrows nothing
        key = next((k for k, _ in word_keys(word)), singular(word))
        codes: frozenset[str] = frozenset()
        if len(key) >= MIN_PREFIX_CHARS:
            codes = frozenset(
                code for code, keys in names.items() if any(k.startswith(key) for k in keys)
            )
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
