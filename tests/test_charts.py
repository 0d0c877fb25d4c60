"""Bar chart geometry: round axis steps, bars from zero, negative values, labels that fit."""

from __future__ import annotations

import math
import random
from itertools import pairwise

import pytest

from mapservice.views import charts
from mapservice.views.charts import (
    NEGATIVE,
    OKABE_ITO,
    POSITIVE,
    horizontal_bars,
    nice_scale,
    nice_step,
    step_digits,
    vertical_bars,
)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 96, (0, 100, 20)),
        (0, 100, (0, 100, 20)),
        (-3, 96, (-20, 100, 20)),
        (0, 1234.5, (0, 1250, 250)),
        (-12.5, -1, (-12.5, 0, 2.5)),
        (0, 0, (0, 1, 0.2)),
        (0, 0.013, (0, 0.015, 0.0025)),
        (3, 7, (0, 8, 2)),
        (-0.3, 0.7, (-0.4, 0.8, 0.2)),
        (0, 3.4e6, (0, 4e6, 1e6)),
    ],
)
def test_nice_scale_cases(low, high, expected):
    assert nice_scale(low, high) == pytest.approx(expected)


def test_nice_scale_properties_on_random_ranges():
    rng = random.Random(20260301)
    for _ in range(2000):
        scale = 10 ** rng.uniform(-4, 7)
        a, b = sorted((rng.uniform(-1, 1) * scale, rng.uniform(-1, 1) * scale))
        if rng.random() < 0.3:
            a, b = max(a, 0.0), max(b, a, 0.0)
        lo, hi, step = nice_scale(a, b)
        assert lo <= min(a, 0) and hi >= max(b, 0)
        intervals = (hi - lo) / step
        assert abs(intervals - round(intervals)) < 1e-6 and 1 <= round(intervals) <= 6
        assert abs(lo / step - round(lo / step)) < 1e-6  # ticks on multiples of the step
        mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
        assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5)) < 1e-6
        # Not wastefully wide: at most a part of a step of margin at each end.
        assert hi - lo < max(b, 0) - min(a, 0) + 2 * step * 1.000001 or a == b == 0


@pytest.mark.parametrize(
    ("step", "digits"), [(20, 0), (0.2, 1), (2.5, 1), (0.25, 2), (250, 0), (0.0025, 4), (1e6, 0)]
)
def test_step_digits(step, digits):
    assert step_digits(step) == digits


@pytest.mark.parametrize("bad", [0, -1, math.inf, math.nan])
def test_nice_step_refuses_degenerate_spans(bad):
    with pytest.raises(ValueError, match="span"):
        nice_step(bad)


@pytest.mark.parametrize("layout", [horizontal_bars, vertical_bars])
def test_non_finite_values_are_refused_with_their_label(layout):
    with pytest.raises(ValueError, match="'Parc B'"):
        layout([("Parc A", 1.0), ("Parc B", math.nan)])


def _scale_of(chart):
    """Value -> pixel, recovered from the chart's own ticks (first and last)."""
    first, last = chart.ticks[0], chart.ticks[-1]
    a = first.x1 if chart.orientation == "horizontal" else first.y1
    b = last.x1 if chart.orientation == "horizontal" else last.y1
    return lambda v: a + (v - first.value) / (last.value - first.value) * (b - a)


def test_horizontal_bars_run_from_zero_both_ways():
    data = [("Scieries", 120.0), ("Alumineries", -30.0), ("Fermes", 0.0), ("Serres", 60.0)]
    chart = horizontal_bars(data, width=600)
    assert [b.label for b in chart.bars] == [d[0] for d in data]  # order kept
    px = _scale_of(chart)
    zero = px(0)
    assert chart.zero[0] == pytest.approx(zero) == chart.zero[2]
    for bar, (_, value) in zip(chart.bars, data, strict=True):
        if value >= 0:
            assert bar.x == pytest.approx(zero) and bar.x + bar.width == pytest.approx(px(value))
            assert bar.colour == POSITIVE and bar.value_anchor == "start"
            assert bar.value_x > bar.x + bar.width
        else:
            assert bar.x == pytest.approx(px(value)) and bar.x + bar.width == pytest.approx(zero)
            assert bar.colour == NEGATIVE and bar.value_anchor == "end" and bar.negative
            assert bar.value_x < bar.x
        assert bar.x >= 0 and bar.x + bar.width <= chart.width
        assert bar.y > 0 and bar.y + bar.height < chart.height
    assert chart.bars[0].width == pytest.approx(2 * chart.bars[3].width)
    assert chart.bars[2].width == 0
    # Bars do not overlap and stack top to bottom.
    assert all(a.y + a.height < b.y for a, b in pairwise(chart.bars))
    assert chart.largest.label == "Scieries" and chart.smallest.label == "Alumineries"
    assert chart.has_negative


def test_horizontal_labels_are_cut_to_their_column_and_value_labels_stay_inside():
    long = "Parc industriel de la zone industrialo-portuaire de Grande-Anse (La Baie)"
    chart = horizontal_bars([(long, 1234.5), ("Court", -987.6)], width=720)
    first = chart.bars[0]
    assert first.label == long and first.short_label.endswith("…")
    assert len(first.short_label) < len(long)
    assert chart.bars[1].short_label == "Court"
    char_w = 0.6 * chart.font_size
    label_right = first.label_x
    assert len(first.short_label) * char_w <= label_right + 1  # fits left of the bars
    for bar in chart.bars:
        assert label_right < min(bar.x, bar.value_x - len(bar.text) * char_w)
        if bar.value_anchor == "start":
            assert bar.value_x + len(bar.text) * char_w <= chart.width + 0.5


def test_vertical_bars_with_negative_months():
    data = [(f"2026-{m:02d}", v) for m, v in enumerate([5, -2.5, 0, 12.25, -8], start=1)]
    chart = vertical_bars(data, width=500, height=300)
    py = _scale_of(chart)
    zero = py(0)
    assert chart.zero[1] == pytest.approx(zero)
    for bar, (_, value) in zip(chart.bars, data, strict=True):
        top, bottom = bar.y, bar.y + bar.height
        if value >= 0:
            assert bottom == pytest.approx(zero) and top == pytest.approx(py(value))
            assert bar.value_y < top
        else:
            assert top == pytest.approx(zero) and bottom == pytest.approx(py(value))
            assert bar.value_y > bottom and bar.colour == NEGATIVE
        assert 0 < top <= bottom < chart.height
        assert bar.label_y > max(zero, py(chart.low))  # category labels below the plot
    assert all(a.x + a.width < b.x for a, b in pairwise(chart.bars))
    assert chart.low <= -8 and chart.high >= 12.25


def test_crowded_vertical_charts_thin_their_labels():
    months = [(f"{2020 + m // 12}-{m % 12 + 1:02d}", float(m * 1000)) for m in range(60)]
    chart = vertical_bars(months, width=720)
    shown = [b for b in chart.bars if b.show_label]
    assert 3 <= len(shown) < 60 and chart.bars[-1].show_label  # the latest month
    xs = [b.label_x for b in shown]
    gap = min(b - a for a, b in pairwise(xs))
    assert gap >= len(shown[0].short_label) * 0.6 * chart.font_size
    assert not all(b.show_value for b in chart.bars)  # 5-digit numbers do not fit 60 bars
    few = vertical_bars(months[:4], width=720)
    assert all(b.show_label and b.show_value for b in few.bars)


def test_vertical_labels_may_break_into_lines():
    two = vertical_bars([("avr.\n2026", 1.0), ("septembre\n2026", 2.0)], width=400)
    one = vertical_bars([("2026-04", 1.0), ("2026-09", 2.0)], width=400)
    assert two.bars[0].lines == ("avr.", "2026") and two.bars[1].lines == ("septembre", "2026")
    assert one.bars[0].lines == ("2026-04",)
    # Room is made below the plot for the second line.
    assert two.bars[0].label_y < one.bars[0].label_y
    assert two.bars[1].height < one.bars[1].height
    flat = horizontal_bars([("avr.\n2026", 1.0)])
    assert flat.bars[0].lines == ("avr. 2026",)


def test_ticks_are_formatted_with_the_digits_their_step_needs():
    seen = []

    def fmt(value, digits):
        seen.append(digits)
        return f"{value:.{digits}f}".replace(".", ",")

    chart = horizontal_bars([("a", 0.3), ("b", 0.05)], fmt=fmt, digits=2)
    assert [t.text for t in chart.ticks] == ["0,00", "0,05", "0,10", "0,15", "0,20", "0,25", "0,30"]
    assert chart.bars[0].text == "0,30"
    assert all(t.y1 < t.y2 for t in chart.ticks)  # grid lines span the plot
    assert 2 in seen


@pytest.mark.parametrize("layout", [horizontal_bars, vertical_bars])
def test_empty_and_all_zero_charts(layout):
    empty = layout([])
    assert empty.empty and empty.largest is None and len(empty.ticks) >= 2
    zeros = layout([("a", 0.0), ("b", 0.0)])
    assert not zeros.empty and all(
        (b.width if zeros.orientation == "horizontal" else b.height) == 0 for b in zeros.bars
    )
    assert zeros.low == 0 and zeros.high == 1


def test_the_palette_is_okabe_ito_and_dark_text():
    assert POSITIVE == OKABE_ITO["blue"] == "#0072B2"
    assert NEGATIVE == OKABE_ITO["vermillion"] == "#D55E00"
    assert set(OKABE_ITO.values()) == {
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
        "#000000",
    }
    assert charts.TEXT == "#1a1a1a"


def test_plain_format_never_writes_minus_zero():
    assert charts.plain_format(-0.01, 1) == "0" and charts.plain_format(2.25, 1) == "2.2"
