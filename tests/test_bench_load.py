"""The load benchmark (bench/load.py) runs end to end on a tiny registry, and its check of the
acknowledged writes notices one that went missing. Nothing here is timed."""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Sequence
from typing import Any

import pytest

from bench import load
from bench.load_clients import Write

FIELDS = {
    "requests",
    "rps",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "errors",
    "target",
    "alone_p50_ms",
}


class RemoveTwoWrites:
    """A ``before_verify`` hook: undoes one acknowledged correction and one acknowledged
    synergy move behind the app's back, and remembers which."""

    def __init__(self) -> None:
        self.text = ""
        self.synergy_id = 0

    def __call__(self, database_url: str, writes: Sequence[Write]) -> None:
        correction = next(w for w in writes if w.kind == "correction")
        synergy = next(w for w in writes if w.kind == "synergy")
        with sqlite3.connect(database_url.split(":///", 1)[1]) as conn:
            conn.execute("DELETE FROM category_corrections WHERE text = ?", (correction.text,))
            conn.execute(
                "UPDATE synergies SET status = 'candidate' WHERE id = ?", (synergy.synergy_id,)
            )
        self.text, self.synergy_id = correction.text, synergy.synergy_id


REMOVED = RemoveTwoWrites()


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return load.run(
        clients=4,
        threads=4,
        duration_s=3.0,
        warmup_s=0.5,
        alone_requests=2,
        think_s=0.0,
        sites="40",
        seed=7,
        timeout_s=20.0,
        mix=load.parse_mix("write.synergy=25,write.correction=25"),
        before_verify=REMOVED,
    )


@pytest.mark.slow
def test_the_report_has_every_route_class_and_the_cpu_split(report: dict[str, Any]) -> None:
    assert set(report["routes"]) == {*load.ROUTES, "total"}
    for name, figures in report["routes"].items():
        assert set(figures) >= FIELDS, name
        assert figures["requests"] > 0, name
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    total = report["routes"]["total"]
    assert total["requests"] == sum(
        r["requests"] for n, r in report["routes"].items() if n != "total"
    )
    assert total["rps"] == pytest.approx(total["requests"] / 3.0)
    assert report["errors"] == {"measured": 0, "warmup": 0, "baseline": 0, "hung_clients": 0}
    assert report["database"]["sites"] == 40 and report["database"]["candidate_pairs"] > 0
    assert {"generator_cores", "server_cores", "other_cores", "server_ms_per_request"} <= set(
        report["cpu"]
    )
    assert report["timeline"] and report["timeline"][0]["t_s"] == 0


@pytest.mark.slow
def test_a_write_missing_from_the_database_is_counted_as_lost(report: dict[str, Any]) -> None:
    writes = report["writes"]
    assert writes["synergies"] > 0 and writes["corrections"] > 0
    assert writes["acknowledged"] == writes["synergies"] + writes["corrections"]
    assert writes["lost"] == 2
    assert any(REMOVED.text in line for line in writes["lost_examples"])
    assert any(
        f"synergy {REMOVED.synergy_id}: status candidate" in line
        for line in writes["lost_examples"]
    )
    lost_check = next(c for c in report["checks"] if c["name"] == "lost writes = 0")
    assert not lost_check["ok"] and not report["pass"]


@pytest.mark.slow
def test_the_printed_report_has_the_table_and_the_verdicts(
    report: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    load.print_report(report)
    out = capsys.readouterr().out
    assert "p95 ms" in out and "alone p50" in out
    for name in load.ROUTES:
        assert f"\n{name} " in out
    assert "FAIL  lost writes = 0  (2 of " in out
    assert "PASS  errors = 0" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("map=0,site=5", {"map": 0.0, "site": 5.0}),
        (" write.correction = 1.5 ", {"write.correction": 1.5}),
    ],
)
def test_mix_weights_override_the_defaults(text: str, expected: dict[str, float]) -> None:
    weights = load.parse_mix(text)
    assert set(weights) == set(load.ROUTES)
    for name, weight in expected.items():
        assert weights[name] == weight


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("maps=3", "unknown route class 'maps'"),
        ("map=-1", "must be a number ≥ 0"),
        ("map=x", "must be a number ≥ 0"),
        (",".join(f"{name}=0" for name in load.ROUTES), "every weight is 0"),
    ],
)
def test_a_wrong_mix_says_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        load.parse_mix(text)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == 50.0
    assert load.percentile(values, 95) == 95.0
    assert load.percentile(values, 99) == 99.0
    assert load.percentile([7.0], 99) == 7.0
