"""One score formula: the scalar and the vectorised answers are the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

from mapservice.domain.model import Direction, Flow, Unit
from mapservice.matching import arrays, scoring


def _table(seed: int, n: int = 2_000) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    amounts = rng.choice([0.0, 0.5, 1.0, 3.0, 40.0, 1e4], size=(2, n))
    amounts = np.where(rng.random((2, n)) < 0.5, rng.lognormal(2.0, 2.0, (2, n)), amounts)
    return {
        "strength": rng.choice([0.5, 0.54, 0.6, 0.8, 0.9, 1.0], size=n),
        "kind_a": rng.integers(-1, 3, n).astype(np.int8),
        "kind_b": rng.integers(-1, 3, n).astype(np.int8),
        "amount_a": amounts[0],
        "amount_b": amounts[1],
        "distance_m": rng.uniform(0.0, 300_000.0, n),
        "max_m": rng.choice([2_000.0, 25_000.0, 50_000.0, 150_000.0, 500_000.0], size=n),
        # Quality masks over 4 bits: every case (met, partly, unsaid, neutral, contrary) occurs.
        "asked": rng.integers(0, 16, n).astype(np.int64),
        "offered": rng.integers(0, 16, n).astype(np.int64),
        "contrary": rng.integers(0, 16, n).astype(np.int64),
    }


@pytest.mark.parametrize("seed", [0, 1, 2021])
def test_scalar_and_vectorised_forms_agree_on_a_random_table(seed):
    t = _table(seed)
    q_vec = scoring.quantity_fits(t["kind_a"], t["amount_a"], t["kind_b"], t["amount_b"])
    g_vec = scoring.quality_fits(t["asked"], t["offered"], t["contrary"])
    s_vec = scoring.scores(t["strength"], q_vec, t["distance_m"], t["max_m"], g_vec)
    r_vec = scoring.rounded_scores(s_vec)
    bound = scoring.quality_bounds(t["offered"])
    for i in range(t["strength"].size):
        q = scoring.quantity_fit(
            int(t["kind_a"][i]),
            float(t["amount_a"][i]),
            int(t["kind_b"][i]),
            float(t["amount_b"][i]),
        )
        g = scoring.quality_fit(int(t["asked"][i]), int(t["offered"][i]), int(t["contrary"][i]))
        s = scoring.score(
            float(t["strength"][i]), q, float(t["distance_m"][i]), float(t["max_m"][i]), g
        )
        assert q == q_vec[i] and g == g_vec[i] and s == s_vec[i], i
        assert scoring.rounded(s) == r_vec[i], i
        assert g <= bound[i], i  # the bound bulk matching prunes with
    assert set(g_vec.tolist()) == {
        scoring.QUALITY_MET,
        scoring.QUALITY_PARTLY,
        scoring.QUALITY_NEUTRAL,
        scoring.QUALITY_UNSAID,
        scoring.QUALITY_CONTRARY,
    }


def test_rounding_agrees_on_halves_where_pythons_round_may_not():
    rng = np.random.default_rng(5)
    halves = (rng.integers(0, 10_000, 5_000) + 0.5) / 10_000  # x.xxxx5, as near as floats get
    values = np.concatenate([halves, rng.random(5_000)])
    expected = scoring.rounded_scores(values)
    assert [scoring.rounded(float(v)) for v in values] == expected.tolist()


def test_a_pair_broadcast_against_a_group_scores_as_each_pair_alone():
    t = _table(7, 50)
    own_kind, own_amount = 0, 12.5
    q_vec = scoring.quantity_fits(own_kind, own_amount, t["kind_b"], t["amount_b"])
    g_vec = scoring.quality_fits(t["asked"], 5, 2)
    s_vec = scoring.scores(0.8, q_vec, t["distance_m"], 80_000.0, g_vec)
    for i in range(50):
        q = scoring.quantity_fit(own_kind, own_amount, int(t["kind_b"][i]), float(t["amount_b"][i]))
        g = scoring.quality_fit(int(t["asked"][i]), 5, 2)
        assert scoring.score(0.8, q, float(t["distance_m"][i]), 80_000.0, g) == s_vec[i]


@pytest.mark.parametrize(
    ("kind_a", "amount_a", "kind_b", "amount_b", "fit"),
    [
        (0, 10.0, 0, 40.0, 0.25),
        (0, 40.0, 0, 10.0, 0.25),
        (1, 5.0, 1, 5.0, 1.0),
        (0, 10.0, 1, 10.0, scoring.UNCOMPARABLE_FIT),  # t/an against kW
        (-1, 0.0, -1, 0.0, scoring.UNCOMPARABLE_FIT),  # no quantity on either side
        (0, 0.0, 0, 0.0, scoring.UNCOMPARABLE_FIT),  # both zero
    ],
)
def test_quantity_fit(kind_a, amount_a, kind_b, amount_b, fit):
    assert scoring.quantity_fit(kind_a, amount_a, kind_b, amount_b) == fit


@pytest.mark.parametrize(
    ("strength", "q_fit", "distance_m", "max_m", "quality", "expected"),
    [
        (1.0, 1.0, 0.0, 50_000.0, 1.0, 1.0),
        (1.0, 1.0, 50_000.0, 50_000.0, 1.0, 0.75),
        (1.0, 1.0, 90_000.0, 50_000.0, 1.0, 0.75),  # past the scale the distance counts 0
        (0.5, 0.5, 25_000.0, 50_000.0, 0.5, 0.45 * 0.5 + 0.15 * 0.5 + 0.25 * 0.5 + 0.15 * 0.5),
        (1.0, 1.0, 0.0, 50_000.0, 0.0, 0.85),  # the offer contradicts what the need asks
    ],
)
def test_score_weighs_category_quantity_distance_and_quality(
    strength, q_fit, distance_m, max_m, quality, expected
):
    assert scoring.score(strength, q_fit, distance_m, max_m, quality) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("asked", "offered", "contrary", "fit"),
    [
        (0b011, 0b011, 0, scoring.QUALITY_MET),
        (0b011, 0b001, 0, scoring.QUALITY_PARTLY),
        (0, 0b111, 0, scoring.QUALITY_NEUTRAL),  # the need asks for nothing
        (0b100, 0b001, 0, scoring.QUALITY_UNSAID),
        (0b100, 0b001, 0b100, scoring.QUALITY_CONTRARY),
        (0b100, 0b101, 0b100, scoring.QUALITY_MET),  # states both: not a contradiction
    ],
)
def test_quality_fit(asked, offered, contrary, fit):
    assert scoring.quality_fit(asked, offered, contrary) == fit


def _flow(quantity, unit, direction=Direction.OUTPUT):
    return Flow(
        id=1,
        site_id=1,
        direction=direction,
        category_code="bois.sciure",
        description="",
        quantity=quantity,
        unit=unit,
    )


@pytest.mark.parametrize(
    ("out_q", "out_unit", "in_q", "in_unit"),
    [
        (10.0, Unit.T_PER_YEAR, 40.0, Unit.T_PER_YEAR),
        (10.0, Unit.KW, 40.0, Unit.T_PER_YEAR),
        (None, None, 40.0, Unit.T_PER_YEAR),
        (300.0, Unit.KW, 120.0, Unit.KW),
    ],
)
def test_the_explained_quantity_fit_is_the_formula(out_q, out_unit, in_q, in_unit):
    out_f, in_f = _flow(out_q, out_unit), _flow(in_q, in_unit, Direction.INPUT)
    fit, _tonnes, reason = arrays.quantity_fit(out_f, in_f, None, None)
    qa, qb = arrays.comparable_quantity(out_f, None), arrays.comparable_quantity(in_f, None)
    expected = scoring.quantity_fit(
        scoring.UNIT_KINDS[qa[0]] if qa else -1,
        qa[1] if qa else 0.0,
        scoring.UNIT_KINDS[qb[0]] if qb else -1,
        qb[1] if qb else 0.0,
    )
    assert fit == expected and reason
