"""Split one line of free text, written the way people write addresses, into a query.

``"2485, rue Alexis-le-Trotteur, Jonquière (Québec) G7X 0E4"`` becomes the address
``2485, rue Alexis-le-Trotteur``, the place ``Jonquière`` and the postal code ``G7X 0E4``;
``"48.4069, -71.2221"`` becomes a point. Only what the regional gazetteer (or the table of
places elsewhere in Québec) recognises is taken as a place; the rest stays the address.
"""

from __future__ import annotations

import re

from mapservice.domain.text import fold
from mapservice.errors import GeocodingError, tr
from mapservice.geocoding.base import GeocodeQuery
from mapservice.geocoding.gazetteer import Gazetteer, find_postal_code
from mapservice.geocoding.names import STREET_WORDS, place_key

#: Longest query accepted, in characters: an address is never longer.
MAX_QUERY_CHARS = 300

_NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"
_COORDS = re.compile(rf"^\s*\(?\s*({_NUMBER})\s*[,; ]\s*({_NUMBER})\s*\)?\s*$")
_POSTAL_ANYWHERE = re.compile(r"\b[A-Za-z]\d[A-Za-z][\s-]?\d[A-Za-z]\d\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SEPARATORS = re.compile(r"[,;\n]")
#: Segments that only name the province or country.
_PROVINCE_KEYS = frozenset(
    {"qc", "que", "quebec", "canada", "provincedequebec", "provincede", "quebeccanada", "province"}
)
#: Segments that only name the region ("Alma, Lac-Saint-Jean"): a qualifier, not a place.
_REGION_KEYS = frozenset(
    {
        "lacsaintjean",
        "saguenaylacsaintjean",
        "slsj",
        "saglac",
        "regionduSaguenaylacsaintjean".lower(),
        "sagueneylacsaintjean",
    }
)
_FSA_ALONE = re.compile(r"[A-Za-z]\d[A-Za-z]")
_FSA_TAIL = re.compile(r"[\s,]+[A-Za-z]\d[A-Za-z]\s*$")


def parse_query(text: str, gazetteer: Gazetteer) -> GeocodeQuery:
    """Return the query ``text`` stands for; raise :class:`GeocodingError` on absurd input."""
    cleaned = _check(text)
    coords = _COORDS.match(cleaned)
    if coords:
        return GeocodeQuery(lat=float(coords.group(1)), lon=float(coords.group(2)))
    postal = find_postal_code(cleaned)
    rest = _POSTAL_ANYWHERE.sub(" ", cleaned) if postal else cleaned
    if postal is None:
        # A malformed code ("G7X 0E", "D7X 0E4") stays in the text; keep it for the message.
        malformed = re.search(r"\b[A-Za-z]\d[A-Za-z][\s-]?\d[A-Za-z0-9]{1,2}\b", rest)
        if malformed and re.search(r"\d", malformed.group(0)[3:]):
            postal = malformed.group(0)
            rest = rest.replace(malformed.group(0), " ")
    if postal is None:
        fsa = _FSA_ALONE.fullmatch(rest.strip())
        if fsa:  # "G7H": the postal area alone
            return GeocodeQuery(postal_code=fsa.group(0).upper())
        rest = _FSA_TAIL.sub("", rest)  # "Chicoutimi G7H": the place says more than the area
    segments = [s.strip(" .()") for s in _SEGMENTS_SPLIT(rest)]
    segments = [s for s in segments if s]
    while len(segments) > 1 and place_key(segments[-1]) in _PROVINCE_KEYS | _REGION_KEYS | {""}:
        segments.pop()
    place, address = _split_place(segments, gazetteer)
    return GeocodeQuery(address=", ".join(address) or None, municipality=place, postal_code=postal)


def _SEGMENTS_SPLIT(text: str) -> list[str]:  # noqa: N802 - reads like the regex it wraps
    return _SEPARATORS.split(text)


def _check(text: str) -> str:
    if text is None or not text.strip():
        raise GeocodingError(
            tr("La requête est vide : écrivez une adresse, un lieu ou un code postal."), field="q"
        )
    if len(text) > MAX_QUERY_CHARS:
        raise GeocodingError(
            tr(
                "Requête trop longue : {length} caractères (au plus {max_chars}).",
                length=len(text),
                max_chars=MAX_QUERY_CHARS,
            ),
            field="q",
        )
    if _CONTROL.search(text):
        raise GeocodingError(tr("La requête contient des caractères de contrôle."), field="q")
    if not re.search(r"[^\W_]", text):
        raise GeocodingError(
            tr("La requête {text!r} ne contient ni lettre ni chiffre.", text=text), field="q"
        )
    # Line breaks separate address lines like commas; other white space is squeezed.
    return ", ".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _starts_street(segment: str) -> bool:
    words = fold(segment).split()
    return bool(words) and (words[0] in STREET_WORDS or words[0].isdigit())


def _split_place(segments: list[str], gazetteer: Gazetteer) -> tuple[str | None, list[str]]:
    """Return (place text, address segments): the trailing segments that name a place."""
    n = len(segments)
    # Whole trailing segments first: "…, Chicoutimi, Saguenay" or "…, arr. Jonquière".
    for start in range(n):
        tail = segments[start:]
        if all(_names_place(s, gazetteer) for s in tail):
            place = ", ".join(tail)
            if gazetteer.match(place) is not None or gazetteer.outside_place(place) is not None:
                return place, segments[:start]
    # Then the end of the last segment: "123 rue Racine Est Chicoutimi".
    last = segments[-1] if segments else ""
    words = last.split()
    for size in range(min(len(words), 6), 0, -1):
        cut = len(words) - size
        if cut > 0 and fold(words[cut - 1]).strip(".") in STREET_WORDS:
            continue  # "rue Roberval": a street named after a town
        candidate = " ".join(words[cut:])
        if re.search(r"\d", candidate):
            continue
        elided = re.match(r"^[dD]['’](.+)$", candidate)  # "parc industriel d'Alma"
        if elided and gazetteer.match(candidate) is None:
            candidate = elided.group(1)
        if gazetteer.match(candidate) is not None:
            street = " ".join(words[:cut])
            return candidate, [*segments[:-1], street] if street else segments[:-1]
    # Last, a place elsewhere in Québec ("… chemin de la Scierie Taschereau QC"), to flag it.
    for size in range(min(len(words), 6), 0, -1):
        cut = len(words) - size
        candidate = " ".join(words[cut:])
        if (
            (cut > 0 and fold(words[cut - 1]).strip(".") in STREET_WORDS)
            or re.search(r"\d", candidate)
            or len(place_key(candidate)) < 4
        ):
            continue
        if gazetteer.outside_place(candidate) is not None:
            street = " ".join(words[:cut])
            return candidate, [*segments[:-1], street] if street else segments[:-1]
    return None, segments


def _names_place(segment: str, gazetteer: Gazetteer) -> bool:
    if re.search(r"\d", segment) or _starts_street(segment):
        return False
    return gazetteer.match(segment) is not None or gazetteer.outside_place(segment) is not None
