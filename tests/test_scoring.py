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
    }


@pytest.mark.parametrize("seed", [0, 1, 2021])
def test_scalar_and_vectorised_forms_agree_on_a_random_table(seed):
    t = _table(seed)
    q_vec = scoring.quantity_fits(t["kind_a"], t["amount_a"], t["kind_b"], t["amount_b"])
    s_vec = scoring.scores(t["strength"], q_vec, t["distance_m"], t["max_m"])
    r_vec = scoring.rounded_scores(s_vec)
    for i in range(t["strength"].size):
        q = scoring.quantity_fit(
            int(t["kind_a"][i]),
            float(t["amount_a"][i]),
            int(t["kind_b"][i]),
            float(t["amount_b"][i]),
        )
        s = scoring.score(
            float(t["strength"][i]), q, float(t["distance_m"][i]), float(t["max_m"][i])
        )
        assert q == q_vec[i] and s == s_vec[i], i
        assert scoring.rounded(s) == r_vec[i], i


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
    s_vec = scoring.scores(0.8, q_vec, t["distance_m"], 80_000.0)
    for i in range(50):
        q = scoring.quantity_fit(own_kind, own_amount, int(t["kind_b"][i]), float(t["amount_b"][i]))
        assert scoring.score(0.8, q, float(t["distance_m"][i]), 80_000.0) == s_vec[i]


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
    ("strength", "q_fit", "distance_m", "max_m", "expected"),
    [
        (1.0, 1.0, 0.0, 50_000.0, 1.0),
        (1.0, 1.0, 50_000.0, 50_000.0, 0.70),
        (1.0, 1.0, 90_000.0, 50_000.0, 0.70),  # past the scale the distance counts 0, not less
        (0.5, 0.5, 25_000.0, 50_000.0, 0.45 * 0.5 + 0.25 * 0.5 + 0.30 * 0.5),
    ],
)
def test_score_weighs_category_quantity_and_distance(strength, q_fit, distance_m, max_m, expected):
    assert scoring.score(strength, q_fit, distance_m, max_m) == pytest.approx(expected)


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
