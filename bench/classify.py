"""Material classifier throughput: free text to a category, against an exact-name lookup.

``--texts`` free texts (20,000 by default) are generated from the taxonomy's own labels and
synonyms with a seeded :class:`random.Random`, written the ways staff and members write them:
as listed, case changed, accents dropped, plural flipped, misspelt, with extra words or a
quantity ("45 t/an"), in French or English, plus some junk nobody could classify. Each goes
through :meth:`mapservice.materials.classify.Classifier.classify` with the flow's direction, twice:

* *cold*: a freshly built classifier (its fuzzy-word cache empty), as after a restart;
* *warm*: the same classifier over the same texts again, as in a service that has seen them.

The baseline, timed in the same run on the same texts, is one dict from every label and
synonym as written to its category: no normalisation. Speed is printed as the ratio of the
classifier's time to the baseline's, never as an absolute target.

Run ``python -m bench.classify --help`` (or ``make bench-classify``); see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mapservice.domain.model import Direction
from mapservice.domain.text import strip_accents
from mapservice.errors import TaxonomyError
from mapservice.materials.classify import SURE, Classification, Classifier
from mapservice.materials.taxonomy import Category, Taxonomy

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
METHODS = ("correction", "exact", "tokens", "fuzzy", "none")

# --- the texts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """One generated text, the category of the name it came from, and how it was written."""

    text: str
    code: str | None  # None for junk
    source: str
    writing: str
    direction: Direction | None


class Weights:
    """Keys with relative weights, ready for ``random.choices`` (cumulative weights)."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.keys = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.keys, cum_weights=self.cumulative)[0]


SOURCES = Weights({"synonym fr": 45, "label fr": 18, "synonym en": 18, "label en": 9, "junk": 10})
# A writing that does not apply to the name drawn (no accent to drop, no word long enough to
# misspell) is redrawn.
WRITINGS = Weights(
    {
        "as listed": 22,
        "Capitalised": 8,
        "UPPER CASE": 6,
        "lower case": 4,
        "accents dropped": 10,
        "plural flipped": 10,
        "misspelt": 8,
        "extra words": 10,
        "with a quantity": 12,
        "2 or 3 of these": 10,
    }
)
#: The writings "2 or 3 of these" combines (case last, so it covers the added words).
_COMBINABLE = (
    "accents dropped",
    "plural flipped",
    "misspelt",
    "extra words",
    "with a quantity",
    "UPPER CASE",
    "lower case",
)
JUNK = Weights(
    {
        "random letters": 30,
        "unrelated words": 30,
        "placeholder": 20,
        "material not in the taxonomy": 20,
    }
)

_EXTRA_BEFORE = {
    "fr": ("lot de", "surplus de", "Offre :", "vrac -", "env."),
    "en": ("lot of", "surplus", "Offer:", "approx."),
}
_EXTRA_AFTER = {
    "fr": (
        "disponible",
        "disponibles",
        "à donner",
        "en vrac",
        "de notre usine",
        "secs",
        "propres",
        "mélangés",
        "en surplus",
        "récupérés",
        "de production",
        "(lot)",
        "- à vendre",
        "sur palettes",
        "chaque semaine",
    ),
    "en": (
        "available",
        "for free",
        "in bulk",
        "from our plant",
        "clean",
        "mixed",
        "surplus",
        "- for sale",
        "on pallets",
        "every week",
    ),
}
_UNRELATED = (
    "services comptables",
    "logiciel de gestion",
    "marketing numérique",
    "formation SST",
    "consultation",
    "bonjour",
    "voir pièce jointe",
    "appelez-nous",
    "accounting services",
    "software licence",
    "contact us",
    "idem",
    "selon la saison",
    "déménagement de bureaux",
    "graphic design",
    "réseautage d'affaires",
)
_PLACEHOLDERS = (
    "",
    "   ",
    "N/A",
    "n/a",
    "???",
    "-",
    "à venir",
    "voir fiche",
    "TBD",
    "0",
    "1234",
    "xxx",
    "aucun",
    "none",
    "...",
)
_NOT_LISTED = (
    "tubes fluorescents",
    "batteries au lithium",
    "médicaments périmés",
    "sol contaminé",
    "terre contaminée aux hydrocarbures",
    "bois traité CCA",
    "amiante friable",
    "seringues usagées",
    "fluorescent tubes",
    "lithium batteries",
    "expired medicine",
    "neige usée",
    "cheveux",
    "mégots de cigarettes",
)
#: How people write each default unit of the taxonomy, by language.
_QUANTITY_UNITS: dict[str, dict[str, tuple[str, ...]]] = {
    "t_per_year": {
        "fr": ("t/an", "tonnes par année", "tm/an", "TMH/année", "t"),
        "en": ("t/yr", "tons per year", "tonnes/year", "t"),
    },
    "m3_per_year": {
        "fr": ("m³/an", "m3 par année", "verges/an", "litres/an"),
        "en": ("m3/yr", "cubic yards per year", "litres/year"),
    },
    "units_per_year": {
        "fr": ("unités/an", "par semaine", "pcs", "par mois"),
        "en": ("units/yr", "per week", "pcs", "per month"),
    },
    "kw": {"fr": ("kW", "MW", "kWh/an", "GJ/an"), "en": ("kW", "MW", "kWh/yr")},
}
_VOWELS = "aeiouéè"


def _typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard: a letter dropped, doubled, swapped with the next or changed."""
    i = rng.randrange(1, len(word) - 1)
    slip = rng.randrange(4)
    if slip == 0:
        return word[:i] + word[i + 1 :]
    if slip == 1:
        return word[:i] + word[i] + word[i:]
    if slip == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    others = [v for v in _VOWELS if v != word[i]]
    return word[:i] + rng.choice(others) + word[i + 1 :]


def _long_words(text: str) -> list[int]:
    return [i for i, w in enumerate(text.split(" ")) if len(w) >= 4 and w.isalpha()]


class TextGenerator:
    """Deterministic free texts from the taxonomy's names (same seed and data: same texts)."""

    def __init__(self, taxonomy: Taxonomy, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names: dict[str, list[tuple[str, Category]]] = {
            "label fr": [(c.label_fr, c) for c in taxonomy],
            "label en": [(c.label_en, c) for c in taxonomy],
            "synonym fr": [(s, c) for c in taxonomy for s in c.synonyms_fr],
            "synonym en": [(s, c) for c in taxonomy for s in c.synonyms_en],
        }

    # --- writings ------------------------------------------------------------------------------

    @staticmethod
    def applies(writing: str, text: str) -> bool:
        if writing == "accents dropped":
            return strip_accents(text) != text
        if writing in ("plural flipped", "misspelt"):
            return bool(_long_words(text))
        return True

    def write(self, writing: str, text: str, lang: str, cat: Category) -> str:
        rng = self.rng
        if writing == "Capitalised":
            return text[:1].upper() + text[1:]
        if writing == "UPPER CASE":
            return text.upper()
        if writing == "lower case":
            return text.lower()
        if writing == "accents dropped":
            return strip_accents(text)
        if writing == "plural flipped":
            words = text.split(" ")
            for i in _long_words(text):
                words[i] = words[i][:-1] if words[i][-1] in "sx" else words[i] + "s"
            return " ".join(words)
        if writing == "misspelt":
            words = text.split(" ")
            i = max(_long_words(text), key=lambda j: len(words[j]))
            words[i] = _typo(rng, words[i])
            return " ".join(words)
        if writing == "extra words":
            if rng.random() < 0.3:
                return f"{rng.choice(_EXTRA_BEFORE[lang])} {text}"
            return f"{text} {rng.choice(_EXTRA_AFTER[lang])}"
        if writing == "with a quantity":
            quantity = self.quantity(cat, lang)
            if rng.random() < 0.2:
                of = "of " if lang == "en" else "d'" if text[:1].lower() in _VOWELS else "de "
                return f"{quantity} {of}{text}"
            return f"{text}{rng.choice((' ', ', ', ' - ', ' : '))}{quantity}"
        if writing == "2 or 3 of these":
            chosen = rng.sample(_COMBINABLE, rng.randint(2, 3))
            if "UPPER CASE" in chosen and "lower case" in chosen:
                chosen.remove("lower case")
            for step in sorted(chosen, key=_COMBINABLE.index):
                if self.applies(step, text):
                    text = self.write(step, text, lang, cat)
            return text
        return text  # as listed

    def quantity(self, cat: Category, lang: str) -> str:
        """A quantity in the category's unit, as people type it ("1 200 t/an", "45 °C")."""
        rng = self.rng
        n = rng.choice((rng.randint(1, 99), rng.randint(100, 999), rng.randint(1000, 50000)))
        number = f"{n:,}".replace(",", " " if lang == "fr" else ",")
        if cat.code == "energie.chaleur_basse_t":
            return f"{rng.randint(25, 55)} °C" if rng.random() < 0.7 else f"{number} kW"
        if cat.code == "energie.chaleur_haute_t":
            return f"{rng.randint(70, 400)} °C" if rng.random() < 0.7 else f"{number} kW"
        return f"{number} {rng.choice(_QUANTITY_UNITS[cat.default_unit][lang])}"

    # --- one text ------------------------------------------------------------------------------

    def junk(self) -> Text:
        rng = self.rng
        kind = JUNK.pick(rng)
        if kind == "random letters":
            text = "".join(
                rng.choices("abcdefghijklmnopqrstuvwxyz   éè'-", k=rng.randint(3, 20))
            ).strip()
        elif kind == "unrelated words":
            text = rng.choice(_UNRELATED)
        elif kind == "placeholder":
            text = rng.choice(_PLACEHOLDERS)
        else:
            text = rng.choice(_NOT_LISTED)
        return Text(
            text, None, "junk", f"junk: {kind}", rng.choice((Direction.OUTPUT, Direction.INPUT))
        )

    def text(self) -> Text:
        rng = self.rng
        source = SOURCES.pick(rng)
        if source == "junk":
            return self.junk()
        name, cat = rng.choice(self.names[source])
        writing = WRITINGS.pick(rng)
        while not self.applies(writing, name):
            writing = WRITINGS.pick(rng)
        text = self.write(writing, name, source[-2:], cat)
        # Needs are often written as a use; the API may be called without a direction.
        if cat.code.startswith("usages"):
            direction = Direction.INPUT if rng.random() < 0.8 else None
        else:
            roll = rng.random()
            direction = Direction.OUTPUT if roll < 0.6 else Direction.INPUT if roll < 0.9 else None
        return Text(text, cat.code, source, writing, direction)

    def texts(self, n: int) -> list[Text]:
        return [self.text() for _ in range(n)]


def exact_lookup(taxonomy: Taxonomy) -> dict[str, str]:
    """The baseline's dict: every label and synonym as written -> its code (labels first)."""
    names: dict[str, str] = {}
    for cat in taxonomy:
        names.setdefault(cat.label_fr, cat.code)
        names.setdefault(cat.label_en, cat.code)
    for cat in taxonomy:
        for synonym in (*cat.synonyms_fr, *cat.synonyms_en):
            names.setdefault(synonym, cat.code)
    return names


# --- measuring --------------------------------------------------------------------------------

Result = Classification | str | None
Runner = Callable[[Sequence[str], Sequence[Direction | None]], list[Result]]


def classifier_pass(classifier: Classifier) -> Runner:
    def run(texts: Sequence[str], directions: Sequence[Direction | None]) -> list[Result]:
        classify = classifier.classify
        return [classify(t, direction=d) for t, d in zip(texts, directions, strict=True)]

    return run


def baseline_pass(names: dict[str, str]) -> Runner:
    def run(texts: Sequence[str], directions: Sequence[Direction | None]) -> list[Result]:
        get = names.get
        return [get(t) for t in texts]

    return run


def code_of(result: Result) -> str | None:
    return result.code if isinstance(result, Classification) else result


@dataclass
class Pass:
    name: str
    best_s: float
    passes: int
    results: list[Result] = field(repr=False)

    def rate(self, n: int) -> float:
        return n / self.best_s if self.best_s > 0 else float("inf")

    def classified(self) -> int:
        return sum(code_of(r) is not None for r in self.results)

    def methods(self) -> Counter[str]:
        return Counter(r.method for r in self.results if isinstance(r, Classification))


def measure(
    name: str,
    make: Callable[[], Runner],
    texts: Sequence[str],
    directions: Sequence[Direction | None],
    min_seconds: float,
    max_passes: int,
) -> Pass:
    """Best wall time over passes repeated until ``min_seconds``.

    ``make`` is called before each pass, outside the timing: for the cold pass it builds a new
    classifier, so every pass starts with an empty fuzzy cache.
    """
    best, passes, total = float("inf"), 0, 0.0
    results: list[Result] = []
    while passes == 0 or (total < min_seconds and passes < max_passes):
        run = make()
        results = []
        gc.collect()
        started = time.perf_counter()
        results = run(texts, directions)
        elapsed = time.perf_counter() - started
        best, total, passes = min(best, elapsed), total + elapsed, passes + 1
    return Pass(name, best, passes, results)


def per_text_us(classifier: Classifier, texts: Sequence[Text]) -> list[float]:
    """Time every call on its own (µs): for percentiles and the breakdowns, not the rates."""
    out: list[float] = []
    clock = time.perf_counter_ns
    for t in texts:
        started = clock()
        classifier.classify(t.text, direction=t.direction)
        out.append((clock() - started) / 1000)
    return out


def traced(
    build: Callable[[], Runner], texts: Sequence[str], directions: Sequence[Direction | None]
) -> tuple[int, int]:
    """Return (bytes kept after building, peak bytes while building and running one pass)."""
    gc.collect()
    tracemalloc.start()
    try:
        run = build()
        kept = tracemalloc.get_traced_memory()[0]
        results = run(texts, directions)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del run, results
    return kept, peak


def percentiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}

    def rank(q: float) -> float:  # nearest rank
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {
        "mean": statistics.fmean(ordered),
        "p50": rank(0.50),
        "p95": rank(0.95),
        "p99": rank(0.99),
        "max": ordered[-1],
        "over_1ms": sum(v > 1000 for v in ordered) / len(ordered),
    }


def breakdown(
    texts: Sequence[Text], results: Sequence[Result], times_us: Sequence[float], attribute: str
) -> dict[str, dict[str, float]]:
    """Per value of ``attribute``: shares classified, sure, same category, and µs per text."""
    groups: dict[str, list[tuple[Text, Result, float]]] = {}
    for row in zip(texts, results, times_us, strict=True):
        groups.setdefault(getattr(row[0], attribute), []).append(row)
    table: dict[str, dict[str, float]] = {}
    for label, rows in sorted(groups.items(), key=lambda item: -len(item[1])):
        n = len(rows)
        times = [us for _, _, us in rows]
        table[label] = {
            "texts": n,
            "classified": sum(code_of(r) is not None for _, r, _ in rows) / n,
            "sure": sum(
                isinstance(r, Classification) and r.code is not None and r.confidence >= SURE
                for _, r, _ in rows
            )
            / n,
            "same_category": sum(code_of(r) == t.code for t, r, _ in rows) / n,
            "mean_us": statistics.fmean(times),
            "p95_us": percentiles(times)["p95"],
        }
    return table


# --- report -----------------------------------------------------------------------------------


def _pct(share: float) -> str:
    return f"{100 * share:5.1f} %"


def print_report(report: dict[str, Any]) -> None:
    meta, setup, n = report["meta"], report["setup"], report["meta"]["texts"]
    print("Material classifier throughput: Classifier.classify vs exact lookup of names as written")
    print(
        f"Python {meta['python']} on {meta['platform']}, {meta['cpus']} CPUs · "
        f"seed {meta['seed']} · {n:,} texts · data {meta['data_dir']}"
    )
    print()
    print("Set-up, once, not part of any timing:")
    print(
        f"  taxonomy        {setup['taxonomy_s']:7.3f} s  ({setup['categories']} categories, "
        f"{setup['names']:,} labels and synonyms)"
    )
    print(
        f"  classifier      {setup['classifier_s']:7.3f} s  (index build; each cold pass "
        f"builds its own, untimed)"
    )
    print(
        f"  exact lookup    {setup['baseline_s']:7.3f} s  ({setup['baseline_names']:,} "
        f"distinct names as written)"
    )
    print(f"  texts generated {setup['generate_s']:7.3f} s")
    print()
    head = (
        f"{'pass':<20}{'passes':>7}{'best s':>10}{'texts/s':>12}{'µs/text':>10}"
        f"{'classified':>12}{'unknown':>10}{'ratio':>10}"
    )
    print(head)
    print("-" * len(head))
    for p in report["passes"].values():
        ratio = f"{p['ratio']:,.0f}×" if p["ratio"] >= 10 else f"{p['ratio']:.1f}×"
        print(
            f"{p['name']:<20}{p['passes']:>7}{p['best_seconds']:>10.4f}"
            f"{p['texts_per_second']:>12,.0f}{p['us_per_text']:>10.2f}"
            f"{_pct(p['classified'] / n):>12}{_pct(1 - p['classified'] / n):>10}{ratio:>10}"
        )
    cold, warm = report["passes"]["cold"], report["passes"]["warm"]
    print(
        f"ratio = pass time ÷ exact-lookup time on the same texts: the classifier takes "
        f"{cold['ratio']:,.0f}× (cold)\nand {warm['ratio']:,.0f}× (warm) as long as a dict "
        f"lookup; warm is {cold['best_seconds'] / warm['best_seconds']:.2f}× faster than "
        f"cold."
    )
    print()
    shares = report["passes"]["warm"]["methods"]
    print(
        "Method (warm pass): "
        + " · ".join(f"{m} {_pct(shares.get(m, 0) / n).strip()}" for m in METHODS if shares.get(m))
    )
    print()
    print("Each call timed on its own (a fresh classifier, then the same texts again), µs:")
    head = f"{'':<8}{'mean':>9}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>10}{'> 1 ms':>10}"
    print(head)
    print("-" * len(head))
    for label, q in report["per_text_us"].items():
        print(
            f"{label:<8}{q['mean']:>9.1f}{q['p50']:>9.1f}{q['p95']:>9.1f}{q['p99']:>9.1f}"
            f"{q['max']:>10.1f}{_pct(q['over_1ms']):>10}"
        )
    for attribute, table in report["breakdowns"].items():
        print()
        print(
            f"Warm, by {attribute} (same cat. = the category of the name it was written "
            f"from; junk: left unknown)"
        )
        head = (
            f"{'':<34}{'texts':>7}{'classified':>12}{'sure':>9}{'same cat.':>11}"
            f"{'mean µs':>9}{'p95 µs':>9}"
        )
        print(head)
        print("-" * len(head))
        for label, row in table.items():
            print(
                f"{label[:34]:<34}{row['texts']:>7,}{_pct(row['classified']):>12}"
                f"{_pct(row['sure']):>9}{_pct(row['same_category']):>11}"
                f"{row['mean_us']:>9.1f}{row['p95_us']:>9.1f}"
            )
    memory = report["memory"]
    if memory:
        print()
        print(
            f"Memory (tracemalloc, a separate pass over the first {memory['texts']:,} texts, "
            f"results kept):"
        )
        print(
            f"  classifier    index {memory['classifier_kept'] / MIB:6.2f} MiB, peak with a "
            f"cold pass {memory['classifier_peak'] / MIB:6.2f} MiB"
        )
        print(
            f"  exact lookup  dict  {memory['baseline_kept'] / MIB:6.2f} MiB, peak with a "
            f"pass      {memory['baseline_peak'] / MIB:6.2f} MiB"
        )
    print(f"Process max RSS (getrusage, whole run): {meta['max_rss_mib']:.1f} MiB.")


# --- main -------------------------------------------------------------------------------------


def _max_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / MIB if sys.platform == "darwin" else rss / 1024  # bytes on macOS, else KiB


def _pass_json(p: Pass, n: int, baseline: Pass) -> dict[str, Any]:
    return {
        "name": p.name,
        "best_seconds": p.best_s,
        "passes": p.passes,
        "texts_per_second": p.rate(n),
        "us_per_text": 1e6 * p.best_s / n,
        "classified": p.classified(),
        "methods": dict(p.methods()),
        "ratio": p.best_s / baseline.best_s if baseline.best_s > 0 else float("inf"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.classify",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--texts", type=int, default=20_000, help="generated texts (default 20000)")
    parser.add_argument("--seed", type=int, default=2021, help="generator seed (default 2021)")
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / "data",
        help="reference data folder (default: the project's data/)",
    )
    parser.add_argument(
        "--min-time",
        type=float,
        default=8.0,
        help="repeat each timed pass until this many seconds (default 8); the best pass counts",
    )
    parser.add_argument(
        "--max-passes",
        type=int,
        default=50,
        help="at most this many timed passes of one kind (default 50)",
    )
    parser.add_argument(
        "--trace-texts",
        type=int,
        default=5_000,
        help="texts of the tracemalloc pass (default 5000; 0 skips it)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    args = parser.parse_args(argv)
    if args.texts < 1:
        parser.error(f"--texts: expected a whole number ≥ 1, got {args.texts}")
    if args.min_time < 0:
        parser.error(f"--min-time: expected seconds ≥ 0, got {args.min_time}")
    if args.max_passes < 1:
        parser.error(f"--max-passes: expected a whole number ≥ 1, got {args.max_passes}")
    if args.trace_texts < 0:
        parser.error(f"--trace-texts: expected a whole number ≥ 0, got {args.trace_texts}")
    data_dir: Path = args.data
    if not (data_dir / "materials" / "categories.csv").is_file():
        parser.error(f"--data: expected a folder with materials/categories.csv, got {data_dir}")

    started = time.perf_counter()
    try:
        taxonomy = Taxonomy.from_directory(data_dir)
    except TaxonomyError as exc:
        parser.error(f"--data {data_dir}: {exc}")
    taxonomy_s = time.perf_counter() - started
    started = time.perf_counter()
    classifier = Classifier(taxonomy)
    classifier_s = time.perf_counter() - started
    started = time.perf_counter()
    names = exact_lookup(taxonomy)
    baseline_s = time.perf_counter() - started
    started = time.perf_counter()
    texts = TextGenerator(taxonomy, args.seed).texts(args.texts)
    generate_s = time.perf_counter() - started
    strings = [t.text for t in texts]
    directions = [t.direction for t in texts]
    n = len(texts)

    # Warm-up on a throwaway classifier: regex and module caches stay out of the timings, and
    # the cold passes below still start with an empty fuzzy cache.
    classifier_pass(Classifier(taxonomy))(strings[:500], directions[:500])
    baseline_pass(names)(strings[:500], directions[:500])

    def timed(name: str, make: Callable[[], Runner]) -> Pass:
        return measure(name, make, strings, directions, args.min_time, args.max_passes)

    cold = timed("classifier, cold", lambda: classifier_pass(Classifier(taxonomy)))
    # Every call on its own, on the classifier not used so far; its first pass is also what
    # the warm passes need: every text seen once.
    cold_us = per_text_us(classifier, texts)
    warm_us = per_text_us(classifier, texts)
    warm = timed("classifier, warm", lambda: classifier_pass(classifier))
    baseline = timed("exact lookup", lambda: baseline_pass(names))

    memory: dict[str, int] = {}
    if args.trace_texts:
        k = min(args.trace_texts, n)
        kept, peak = traced(
            lambda: classifier_pass(Classifier(taxonomy)), strings[:k], directions[:k]
        )
        base_kept, base_peak = traced(
            lambda: baseline_pass(exact_lookup(taxonomy)), strings[:k], directions[:k]
        )
        memory = {
            "texts": k,
            "classifier_kept": kept,
            "classifier_peak": peak,
            "baseline_kept": base_kept,
            "baseline_peak": base_peak,
        }

    report: dict[str, Any] = {
        "meta": {
            "python": platform.python_version(),
            "platform": f"{platform.system()} {platform.machine()}",
            "cpus": os.cpu_count(),
            "seed": args.seed,
            "texts": n,
            "data_dir": str(data_dir),
            "min_time_s": args.min_time,
            "max_rss_mib": _max_rss_mib(),
        },
        "setup": {
            "taxonomy_s": taxonomy_s,
            "classifier_s": classifier_s,
            "baseline_s": baseline_s,
            "generate_s": generate_s,
            "categories": len(taxonomy),
            "names": sum(2 + len(c.synonyms_fr) + len(c.synonyms_en) for c in taxonomy),
            "baseline_names": len(names),
        },
        "passes": {
            key: _pass_json(p, n, baseline)
            for key, p in (("cold", cold), ("warm", warm), ("baseline", baseline))
        },
        "per_text_us": {"cold": percentiles(cold_us), "warm": percentiles(warm_us)},
        "breakdowns": {
            attribute: breakdown(texts, warm.results, warm_us, attribute)
            for attribute in ("writing", "source")
        },
        "memory": memory,
    }
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"Figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
