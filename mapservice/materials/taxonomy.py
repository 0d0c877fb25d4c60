"""The material taxonomy and its compatibility rules, and the impact factors. Pure: no I/O
beyond reading the CSV files it is pointed at.

Categories are French first (code, labels fr/en, synonyms, optional EWC/LoW code); rules say
which output category can feed which input category, and how well.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mapservice.domain.text import fold
from mapservice.errors import TaxonomyError
from mapservice.materials.qualities import QualityWords

KINDS = frozenset({"material", "energy", "mutualisation"})
UNITS = frozenset({"t_per_year", "m3_per_year", "units_per_year", "kw"})
RULE_KINDS = frozenset({"substitution", "mutualisation"})


@dataclass(frozen=True)
class Category:
    code: str
    parent: str | None
    kind: str
    label_fr: str
    label_en: str
    synonyms_fr: tuple[str, ...]
    synonyms_en: tuple[str, ...]
    ewc_code: str | None
    hazardous: bool
    default_unit: str
    density_t_per_m3: float | None
    max_transport_km: float
    description_fr: str = ""

    def label(self, lang: str = "fr") -> str:
        return self.label_en if lang == "en" else self.label_fr


@dataclass(frozen=True)
class CompatibilityRule:
    output_code: str
    input_code: str
    strength: float
    kind: str
    note_fr: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Factor:
    key: str
    value: float
    unit: str
    label_fr: str
    label_en: str
    source: str
    year: int | None
    note: str = ""
    #: FOUND (a published figure), DERIVED (computed from published figures) or ESTIMATE.
    status: str = "ESTIMATE"
    source_fr: str = ""  # the source said in French (optional column; else ``source``)


#: How far a factor can be trusted, from ``data/factors.csv``'s ``status`` column.
FACTOR_STATUSES = frozenset({"FOUND", "DERIVED", "ESTIMATE"})


@dataclass(frozen=True)
class AvoidedEmission:
    category_code: str
    kg_co2e_avoided_per_t: float
    basis: str
    source: str
    year: int | None
    status: str
    source_fr: str = ""  # the source said in French (optional column; else ``source``)


class _Reader:
    """Read a CSV with a required header; every error names file, line, column and value."""

    def __init__(self, path: Path, required: tuple[str, ...]) -> None:
        self.path = path
        self.required = required

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            fh = self.path.open(encoding="utf-8", newline="")
        except OSError as exc:
            raise TaxonomyError(f"{self.path}: cannot read ({exc.strerror})") from exc
        with fh:
            reader = csv.DictReader(fh)
            missing = [c for c in self.required if c not in (reader.fieldnames or [])]
            if missing:
                raise TaxonomyError(
                    f"{self.path}:1: missing columns {missing}; expected {list(self.required)}"
                )
            for line, rec in enumerate(reader, start=2):
                yield line, {k: (v or "").strip() for k, v in rec.items() if k}

    def fail(self, line: int, column: str, value: str, expected: str) -> TaxonomyError:
        return TaxonomyError(
            f"{self.path.name}:{line}: column {column!r} is {value!r}; expected {expected}"
        )

    def number(
        self,
        line: int,
        rec: dict[str, str],
        column: str,
        *,
        optional: bool = False,
        low: float | None = None,
        high: float | None = None,
    ) -> float | None:
        raw = rec[column]
        if not raw and optional:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(line, column, raw, "a number") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(line, column, raw, f"a number in [{low}, {high}]")
        return value

    def choice(self, line: int, rec: dict[str, str], column: str, allowed: frozenset[str]) -> str:
        if rec[column] not in allowed:
            raise self.fail(line, column, rec[column], "one of " + ", ".join(sorted(allowed)))
        return rec[column]

    def boolean(self, line: int, rec: dict[str, str], column: str) -> bool:
        return self.choice(line, rec, column, frozenset({"true", "false"})) == "true"

    def year(self, line: int, rec: dict[str, str], column: str = "year") -> int | None:
        raw = rec[column]
        if not raw:
            return None
        if not raw.isdigit() or not 1900 <= int(raw) <= 2100:
            raise self.fail(line, column, raw, "a year such as 2023")
        return int(raw)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


def _plural_key(key: str) -> str:
    """Drop a final s or x from each word of a folded key (sciures -> sciure, copeaux -> copeau)."""
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in key.split())


class Taxonomy:
    """Categories by code, their hierarchy, lookups by what people write, and the rules."""

    def __init__(
        self,
        categories: list[Category],
        rules: list[CompatibilityRule],
        avoided: list[AvoidedEmission] | None = None,
        qualities: QualityWords | None = None,
    ) -> None:
        self._by_code: dict[str, Category] = {}
        for cat in categories:
            if cat.code in self._by_code:
                raise TaxonomyError(f"duplicate category code {cat.code!r}")
            self._by_code[cat.code] = cat
        for cat in categories:
            if cat.parent and cat.parent not in self._by_code:
                raise TaxonomyError(f"category {cat.code!r}: unknown parent {cat.parent!r}")
            seen = {cat.code}
            parent = cat.parent
            while parent:
                if parent in seen:
                    raise TaxonomyError(f"category {cat.code!r}: cycle through {parent!r}")
                seen.add(parent)
                parent = self._by_code[parent].parent
        for rule in rules:
            for code in (rule.output_code, rule.input_code):
                if code not in self._by_code:
                    raise TaxonomyError(
                        f"rule {rule.output_code}->{rule.input_code}: unknown category {code!r}"
                    )
        self.rules = tuple(rules)
        self.avoided = {a.category_code: a for a in (avoided or [])}
        #: The quality words a description may state (« écorcés », « non traité »…).
        self.qualities = qualities or QualityWords()
        self._keys: dict[str, Category] = {}
        for cat in categories:  # labels win over synonyms, codes over both
            for text in (*cat.synonyms_fr, *cat.synonyms_en):
                self._index(text, cat)
        for cat in categories:
            self._index(cat.label_fr, cat, force=True)
            self._index(cat.label_en, cat, force=True)
        for cat in categories:
            self._keys[fold(cat.code)] = cat
            self._keys[cat.code] = cat

    def _index(self, text: str, cat: Category, *, force: bool = False) -> None:
        key = fold(text)
        if not key:
            return
        for k in (key, _plural_key(key)):
            if force or k not in self._keys:
                self._keys[k] = cat

    @classmethod
    def from_directory(cls, data_dir: Path) -> Taxonomy:
        """Read the categories, compatibility rules, avoided emissions and quality words under
        ``materials/``."""
        folder = data_dir / "materials"
        reader = _Reader(
            folder / "categories.csv",
            (
                "code",
                "parent",
                "kind",
                "label_fr",
                "label_en",
                "synonyms_fr",
                "synonyms_en",
                "ewc_code",
                "hazardous",
                "default_unit",
                "density_t_per_m3",
                "max_transport_km",
            ),
        )
        categories = []
        for line, rec in reader.rows():
            if not rec["code"] or rec["code"] != rec["code"].lower() or " " in rec["code"]:
                raise reader.fail(line, "code", rec["code"], "a lowercase dotted code")
            if not rec["label_fr"] or not rec["label_en"]:
                raise reader.fail(line, "label_fr", rec["label_fr"], "French and English labels")
            categories.append(
                Category(
                    code=rec["code"],
                    parent=rec["parent"] or None,
                    kind=reader.choice(line, rec, "kind", KINDS),
                    label_fr=rec["label_fr"],
                    label_en=rec["label_en"],
                    synonyms_fr=_split(rec["synonyms_fr"]),
                    synonyms_en=_split(rec["synonyms_en"]),
                    ewc_code=rec["ewc_code"] or None,
                    hazardous=reader.boolean(line, rec, "hazardous"),
                    default_unit=reader.choice(line, rec, "default_unit", UNITS),
                    density_t_per_m3=reader.number(
                        line, rec, "density_t_per_m3", optional=True, low=0.01, high=25
                    ),
                    max_transport_km=reader.number(
                        line, rec, "max_transport_km", low=0.1, high=5000
                    )
                    or 0.0,
                    description_fr=rec.get("description_fr", ""),
                )
            )
        rules_reader = _Reader(
            folder / "compatibility.csv", ("output_code", "input_code", "strength", "kind")
        )
        rules = [
            CompatibilityRule(
                output_code=rec["output_code"],
                input_code=rec["input_code"],
                strength=rules_reader.number(line, rec, "strength", low=0, high=1) or 0.0,
                kind=rules_reader.choice(line, rec, "kind", RULE_KINDS),
                note_fr=rec.get("note_fr", ""),
                note_en=rec.get("note_en", ""),
            )
            for line, rec in rules_reader.rows()
        ]
        avoided: list[AvoidedEmission] = []
        avoided_path = folder / "avoided_emissions.csv"
        if avoided_path.exists():
            av = _Reader(
                avoided_path,
                ("category_code", "kg_co2e_avoided_per_t", "basis", "source", "year", "status"),
            )
            avoided = [
                AvoidedEmission(
                    category_code=rec["category_code"],
                    kg_co2e_avoided_per_t=av.number(
                        line, rec, "kg_co2e_avoided_per_t", low=-10_000, high=100_000
                    )
                    or 0.0,
                    basis=rec["basis"],
                    source=rec["source"],
                    year=av.year(line, rec),
                    status=av.choice(line, rec, "status", frozenset({"SOURCED", "ESTIMATE"})),
                    source_fr=rec.get("source_fr", ""),
                )
                for line, rec in av.rows()
            ]
        qualities_path = folder / "qualities.csv"
        qualities = QualityWords.from_csv(qualities_path) if qualities_path.exists() else None
        taxonomy = cls(categories, rules, avoided, qualities)
        for code in taxonomy.avoided:
            if code not in taxonomy._by_code:
                raise TaxonomyError(f"{avoided_path.name}: unknown category_code {code!r}")
        return taxonomy

    def __iter__(self) -> Iterator[Category]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Category | None:
        return self._by_code.get(code)

    def children(self, code: str) -> list[Category]:
        return [c for c in self._by_code.values() if c.parent == code]

    def ancestors(self, code: str) -> list[Category]:
        """Return the parent, grand-parent… of ``code``, nearest first."""
        out = []
        parent = self._by_code[code].parent
        while parent:
            out.append(self._by_code[parent])
            parent = self._by_code[parent].parent
        return out

    def roots(self) -> list[Category]:
        return [c for c in self._by_code.values() if c.parent is None]

    def label(self, code: str, lang: str = "fr") -> str:
        cat = self._by_code.get(code)
        return cat.label(lang) if cat else code

    def lookup(self, text: str) -> Category | None:
        """Return the category ``text`` names exactly: code, label or synonym, fr or en.

        Accents, case, punctuation and a plural ``s``/``x`` on each word do not matter.
        Anything else returns None: free text is never forced into a category here.
        """
        key = fold(text)
        if not key:
            return None
        return (
            self._keys.get(text.strip()) or self._keys.get(key) or self._keys.get(_plural_key(key))
        )

    def suggest(self, text: str, n: int = 5) -> list[Category]:
        """Return the categories whose names are closest to ``text``."""
        key = fold(text)
        out: dict[str, Category] = {}
        for k in difflib.get_close_matches(key, list(self._keys), n=n * 4, cutoff=0.5):
            out.setdefault(self._keys[k].code, self._keys[k])
        return list(out.values())[:n]

    def rules_from(self, output_code: str) -> list[CompatibilityRule]:
        return [r for r in self.rules if r.output_code == output_code]


def load_factors(path: Path) -> dict[str, Factor]:
    """Read ``factors.csv``: every factor with its unit, source, year and status.

    ``status`` (FOUND, DERIVED, ESTIMATE) is optional for older files: a factor without one is
    an ESTIMATE.
    """
    reader = _Reader(path, ("key", "value", "unit", "label_fr", "label_en", "source", "year"))
    factors: dict[str, Factor] = {}
    for line, rec in reader.rows():
        if rec["key"] in factors:
            raise reader.fail(line, "key", rec["key"], "a key not used above")
        if not rec["source"]:
            raise reader.fail(line, "source", "", "the source of the figure")
        value = reader.number(line, rec, "value")
        factors[rec["key"]] = Factor(
            key=rec["key"],
            value=value if value is not None else 0.0,
            unit=rec["unit"],
            label_fr=rec["label_fr"],
            label_en=rec["label_en"],
            source=rec["source"],
            year=reader.year(line, rec),
            note=rec.get("note", ""),
            status=reader.choice(line, rec, "status", FACTOR_STATUSES)
            if "status" in rec
            else "ESTIMATE",
            source_fr=rec.get("source_fr", ""),
        )
    return factors
