"""What the language scan looks for in the text a person reads (see :mod:`visible_text`).

Each check takes the page's runs of visible text and returns what it found, as short strings a
failing test can print: internal codes, « (s) » plurals and a 1 before a plural noun, breakable
spaces where Québec typography wants none (French pages), and words of the other language.

Data (names of members, sites, parks, places, events, views) may hold anything, « The Wood
Shop » or « Scierie du Lac » on an English page: :func:`data_texts` lists it from the database
and the word checks read the runs with those texts taken out.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that give English away on a French page, and French ones on an English page; none is
#: a word of the other language (« source », « total », « message » are both, so not here).
ENGLISH = _words(
    "the and of with by per truck from for this that these those is are was were be been "
    "which who what when where how not no yes all any each every one some other into onto "
    "your you our we they their its it's there here about after before between without "
    "should would could can cannot will shall must may might factor factors trucks "
    "heavy light road roads members map maps show hide save cancel delete edit "
    "search filter filters year years month months day days week weeks people"
)
FRENCH = _words(
    "le la les des du de et avec pour par sur une aucun aucune être voir tous toutes "
    "ce cette ces est sont dans aux au ou où qui que quoi mais donc puis ni car "
    "membre membres parc parcs carte cartes afficher masquer enregistrer annuler "
    "supprimer modifier chercher recherche filtre filtres année années mois jour jours "
    "semaine semaines camion camions lourd léger facteur facteurs"
)
#: Nouns whose singular ends in s or x: « 1 fois », « 1 mois », « 1 prix ».
SINGULAR_IN_S = _words(
    "fois mois pas poids corps temps prix bois tapis repas procès avis cas gras dos fils "
    "jus sens succès accès progrès relais biais bras refus concours parcours secours puits "
    "marais hors vers choix taux flux lieux class process bus gas status analysis access "
    "address this is was has its plus less minus sans dans sous très après depuis chez "
    "tous alors mais puis as us yes"
)

#: A word on its own: not a part of ``road-graph``, ``du-lac.example`` or an address.
_WORD = re.compile(r"(?<![\w@./-])[^\W\d_]+(?:['’][^\W\d_]+)?(?![\w@/-]|\.\w)")
_EMAIL_OR_URL = re.compile(r"\S+@\S+|\bhttps?://\S+|\b[\w.-]+\.(?:com|ca|org|example)\S*")
#: Units of the other language: « t/an » on an English page, « t/year » on a French one.
UNITS = {"en": re.compile(r"(?:\bt|\$|CO2e)/an\b"), "fr": re.compile(r"/(?:year|yr)\b")}
#: ``snake_case``, ``dotted.codes`` and ``comma,joined,codes`` (no space after the comma); not
#: a file's name (« membres.csv », the import a history row came from: a person named it).
_CODES = re.compile(
    r"(?<![\w./@-])(?![\w-]+\.(?:csv|xlsx|xls|ods|json|geojson|gpkg|txt)\b)(?:[a-z0-9]+_[a-z0-9_]+|[a-z]{2,}(?:\.[a-z_]{2,})+|[a-z]+(?:,[a-z]+)+)(?![\w@/-])"
)
#: ``category = bois``: a filter's name and value as the address has them (not a formula such
#: as « net = évitées − transport »).
_FILTER_DUMP = re.compile(
    r"\b(?:category|park|municipality|mrc|sector|direction|q|layers|status|kind|lot|metric)"
    r" ?= ?[\w.,-]+"
)
#: An example after « e.g. » / « p. ex. » may be a French address on an English page.
_EXAMPLE = re.compile(r"\b(?:e\.g\.|p\. ex\.)[^.]*\.")
_PATH = re.compile(r"(?<![\w/])[\w-]+/[\w-]+\.(?:csv|json|py|geojson|sqlite|yaml|toml)\b")
_PARENTHESISED_PLURAL = re.compile(r"\w\((?:s|es|x|e|es)\)")
_ONE_PLURAL = re.compile(
    r"(?<![\d,.])\b1[ \u00a0\u202f](?:[^\W\d_]+[^\W\d_sx] )?([^\W\d_]+[sx])\b(?!/)"
)
_BREAKABLE = "[ \t\r\n]"
_TYPOGRAPHY = re.compile(
    rf"\S{_BREAKABLE}+[:;?!](?=\s|$)|«{_BREAKABLE}|{_BREAKABLE}»|^{_BREAKABLE}*[:;?!](?=\s|$)"
)


def codes(runs: Iterable[str], known: Iterable[str] = ()) -> list[str]:
    """Internal codes shown as text: snake/dotted/comma-joined ids, ``key = value`` dumps, file
    paths, and any of the ``known`` ids (park, municipality, category, source codes)."""
    known_ids = [k for k in known if re.search(r"[-_.]", k)]
    pattern = (
        re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, known_ids)) + r")(?![\w-])")
        if known_ids
        else None
    )
    found = []
    for run in runs:
        found += _CODES.findall(run) + _FILTER_DUMP.findall(run) + _PATH.findall(run)
        if pattern is not None:
            found += pattern.findall(run)
    return found


def plurals(runs: Iterable[str]) -> list[str]:
    """« erreur(s) » and a 1 before a plural noun (« 1 synergies »)."""
    found = []
    for run in runs:
        found += [m.group() for m in _PARENTHESISED_PLURAL.finditer(run)]
        found += [
            m.group() for m in _ONE_PLURAL.finditer(run) if m.group(1).lower() not in SINGULAR_IN_S
        ]
    return found


def breakable_spaces(runs: list[str]) -> list[str]:
    """An ordinary (breakable) space before « : ; ? ! » or inside « »: in a French page the
    sign can start a line of its own. Runs are read joined, as the browser lays them out."""
    text = "".join(runs)
    return [text[max(m.start() - 20, 0) : m.end() + 10].strip() for m in _TYPOGRAPHY.finditer(text)]


def words_of(runs: Iterable[str], words: frozenset[str], data: Iterable[str] = ()) -> list[str]:
    """Words of ``words`` in the runs, once the data texts are taken out of them."""
    data = sorted(set(data), key=len, reverse=True)
    found = []
    for run in runs:
        for text in data:
            if text in run:
                run = run.replace(text, " ")
        run = _EXAMPLE.sub(" ", _EMAIL_OR_URL.sub(" ", run))
        found += [f"{w} « {run.strip()[:60]} »" for w in _WORD.findall(run) if w.lower() in words]
    return found


def units(runs: Iterable[str], lang: str) -> list[str]:
    """Units written in the other language (``lang`` is the page's); a run that gives both
    spellings lists what an import file may hold, and is left alone."""
    other = UNITS["fr" if lang == "en" else "en"]
    return [m.group() for run in runs if not other.search(run) for m in UNITS[lang].finditer(run)]


def data_texts(db_path: str) -> set[str]:
    """The texts of the database that people wrote or that name a place: member, contact,
    site, park and municipality names, addresses, descriptions, event and view titles."""
    columns = {
        "members": ("name", "contact_name"),
        "sites": ("name", "address"),
        "flows": ("description", "material_text"),
        "parks": ("name", "manager"),
        "municipalities": ("name", "mrc"),
        "events": ("title", "place"),
        "presenter_views": ("title",),
        "users": ("display_name",),
        "synergy_events": ("note",),
    }
    out: set[str] = set()
    with sqlite3.connect(db_path) as conn:
        for table, names in columns.items():
            for name in names:
                out |= {
                    row[0]
                    for row in conn.execute(f"SELECT DISTINCT {name} FROM {table}")
                    if row[0] and len(row[0]) > 2
                }
        # A park's outline note is the reference's own (French) words on how it was drawn.
        for (properties,) in conn.execute("SELECT properties_json FROM parks"):
            note = json.loads(properties or "{}").get("outline_note")
            if note:
                out.add(note)
    return out


def known_ids(db_path: str) -> set[str]:
    """The ids a person must never read: park, municipality and category codes, geocoding
    sources, routing backends."""
    queries = (
        "SELECT id FROM parks",
        "SELECT id FROM municipalities",
        "SELECT code FROM material_categories",
        "SELECT DISTINCT geocode_source FROM sites",
        "SELECT DISTINCT distance_backend FROM synergies",
        "SELECT key FROM factors",
    )
    out: set[str] = set()
    with sqlite3.connect(db_path) as conn:
        for sql in queries:
            out |= {row[0] for row in conn.execute(sql) if row[0]}
    return out
