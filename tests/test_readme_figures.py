"""The figures the README gives about the demo are those of the demo data, so they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

README = Path(__file__).resolve().parents[1] / "README.md"


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_the_readme_counts_the_demo_as_it_is(demo_sqlite):
    text = " ".join(README.read_text(encoding="utf-8").split())
    said = re.search(
        r"les ([\d  ]+) membres fictifs de démonstration \(([\d  ]+) sites, "
        r"([\d  ]+) offres et besoins\)",
        text,
    )
    assert said, "the README no longer says how many demo members, sites and flows there are"
    engine = sa.create_engine(f"sqlite:///{demo_sqlite}")
    with engine.connect() as db:
        counts = [
            db.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("members", "sites", "flows")
        ]
    engine.dispose()
    assert [_number(n) for n in said.groups()] == counts
