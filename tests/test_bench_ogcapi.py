"""The OGC API paging benchmark runs end to end on a small membership (it is not timed here)."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_the_paging_benchmark_walks_both_ways_and_reports(tmp_path, capsys):
    from bench import ogcapi

    out = tmp_path / "ogcapi.json"
    assert ogcapi.main(["--sites", "40", "--limit", "7", "--json", str(out)]) == 0
    rows = {r["layer"]: r for r in json.loads(out.read_text(encoding="utf-8"))}
    assert set(rows) == {"sites", "flows"}
    assert rows["sites"]["features"] == 40 and rows["sites"]["pages"] == 6
    for r in rows.values():
        assert r["kept_s"] > 0 and r["rebuilt_s"] > 0
    assert "ratio" in capsys.readouterr().out
