"""The board's benchmark runs end to end on a small registry (it is not timed here)."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_the_board_benchmark_times_every_case_and_agrees_with_the_old_board(tmp_path, capsys):
    from bench import board

    out = tmp_path / "board.json"
    args = ["--candidates", "300", "--others", "40", "--sites", "60", "--repeat", "1"]
    assert board.main([*args, "--json", str(out)]) == 0
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["seeded"]["stored"] == 340 and figures["seeded"]["moved"] == 40
    assert len(figures["cases"]) >= 20
    first = figures["cases"][0]
    assert first["case"] == "no filter" and first["counts"]["candidate"] == 300
    assert all(c["median_ms"] > 0 for c in figures["cases"])
    assert [v["same_cards"] for v in figures["views"]] == [True, True]
    said = capsys.readouterr().out
    assert "slowest case" in said and "faster" in said
