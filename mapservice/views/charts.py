"""Bar charts as geometry: labelled values in; bars, axis ticks and labels out. Pure.

A Jinja macro (``web/templates/_charts.html``) draws the geometry as inline SVG, so a chart
needs no JavaScript, no chart library and no network. Coordinates are SVG user units inside a
``0 0 width height`` view box, y growing downward; the page scales the box to its column.

Every chart has a zero line and takes negative values (a net CO2e can be negative): a bar
always runs from zero to its value, positive ones in Okabe–Ito blue, negative ones in
vermillion, each with its value written past its end. Text widths are estimated from the
number of characters (no font metrics here), which errs wide.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

#: The Okabe–Ito palette (Okabe & Ito 2008), distinguishable with every common colour-vision
#: deficiency. Yellow is too pale for marks on white; it is listed for completeness only.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
POSITIVE = OKABE_ITO["blue"]
NEGATIVE = OKABE_ITO["vermillion"]
TEXT = "#1a1a1a"

#: ``fmt(value, digits)`` -> text; the web passes the locale's number format.
Formatter = Callable[[float, int], str]


def plain_format(value: float, digits: int) -> str:
    """Format with ``digits`` decimals and no grouping: the default, locale-free."""
    text = f"{value:.{digits}f}"
    return "0" if float(text) == 0 else text


@dataclass(frozen=True)
class Bar:
    """One bar: its rectangle, its category label and its value label."""

    label: str
    #: ``label`` cut to fit, with an ellipsis (the full one goes in a tooltip); on a vertical
    #: chart a label may hold line breaks ("avr.\n2026"), each line cut on its own.
    short_label: str
    value: float
    text: str  # the formatted value
    x: float
    y: float
    width: float
    height: float
    colour: str
    label_x: float
    label_y: float
    label_anchor: str  # SVG text-anchor: start | middle | end
    value_x: float
    value_y: float
    value_anchor: str
    show_label: bool = True  # crowded vertical charts label every n-th bar only
    show_value: bool = True

    @property
    def negative(self) -> bool:
        return self.value < 0

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.short_label.split("\n"))


@dataclass(frozen=True)
class Tick:
    """An axis graduation: its grid line (x1, y1)–(x2, y2) and its text."""

    value: float
    text: str
    x1: float
    y1: float
    x2: float
    y2: float
    text_x: float
    text_y: float
    anchor: str


@dataclass(frozen=True)
class BarChart:
    orientation: str  # "horizontal": bars grow rightward; "vertical": upward
    width: float
    height: float
    font_size: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    zero: tuple[float, float, float, float]  # the zero line, x1, y1, x2, y2
    low: float  # the value range the axis spans
    high: float
    step: float

    @property
    def empty(self) -> bool:
        return not self.bars

    @property
    def largest(self) -> Bar | None:
        return max(self.bars, key=lambda b: b.value, default=None)

    @property
    def smallest(self) -> Bar | None:
        return min(self.bars, key=lambda b: b.value, default=None)

    @property
    def has_negative(self) -> bool:
        return any(b.negative for b in self.bars)


# --- scales -----------------------------------------------------------------------------------


#: Round steps, as mantissas of a power of ten.
MANTISSAS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_step(span: float, max_intervals: int = 6) -> float:
    """Return the smallest step of 1, 2, 2.5 or 5 × 10^k that cuts ``span`` in at most
    ``max_intervals`` intervals."""
    if not (math.isfinite(span) and span > 0):
        raise ValueError(f"span must be a positive finite number, got {span!r}")
    if max_intervals < 1:
        raise ValueError(f"max_intervals must be at least 1, got {max_intervals!r}")
    raw = span / max_intervals
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for mantissa in MANTISSAS:
        if mantissa * magnitude >= raw * (1 - 1e-9):
            return _clean(mantissa * magnitude)
    raise AssertionError("unreachable: 10 × magnitude always exceeds raw")  # pragma: no cover


def _next_step(step: float) -> float:
    magnitude = 10.0 ** math.floor(math.log10(step) + 1e-9)
    mantissa = round(step / magnitude, 1)
    bigger = next((m for m in MANTISSAS if m > mantissa + 1e-9), 10.0)
    return _clean(bigger * magnitude)


def _clean(value: float) -> float:
    """Drop binary noise: 0.30000000000000004 -> 0.3."""
    return float(f"{value:.12g}")


def nice_scale(low: float, high: float, max_intervals: int = 6) -> tuple[float, float, float]:
    """Return ``(lo, hi, step)``: a range on round multiples of ``step`` that holds ``low``,
    ``high`` and zero, cut into at most ``max_intervals`` intervals. All zero gives 0..1."""
    for name, value in (("low", low), ("high", high)):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
    low, high = min(low, 0.0), max(high, 0.0)
    if low == high:
        high = 1.0
    step = nice_step(high - low, max_intervals)
    while True:
        k0 = math.floor(low / step + 1e-9)
        k1 = math.ceil(high / step - 1e-9)
        if k1 - k0 <= max_intervals:
            return _clean(k0 * step), _clean(k1 * step), step
        step = _next_step(step)


def step_digits(step: float) -> int:
    """Decimals needed to write every multiple of ``step`` exactly: 0.25 -> 2, 50 -> 0."""
    exponent = Decimal(repr(_clean(step))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def _shorten(text: str, max_chars: int) -> str:
    """Cut each line of ``text`` to ``max_chars``, ending a cut one with an ellipsis."""
    out = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if len(line) > max_chars:
            line = line[: max(1, max_chars - 1)].rstrip() + "…"
        out.append(line)
    return "\n".join(out)


def _check(data: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    out = []
    for i, (label, value) in enumerate(data):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"value {i} ({label!r}) must be finite, got {value!r}")
        out.append((str(label), number))
    return out


# --- charts -----------------------------------------------------------------------------------


def horizontal_bars(
    data: Sequence[tuple[str, float]],
    *,
    width: float = 720,
    font_size: float = 14,
    band: float = 34,
    digits: int = 1,
    fmt: Formatter = plain_format,
    max_intervals: int = 6,
) -> BarChart:
    """Lay out one horizontal bar per ``(label, value)``, in the order given.

    Suited to long category labels (parks, materials): they sit in a column on the left, cut
    with an ellipsis past ``0.45 × width``. The height follows the number of bars.
    """
    rows = _check(data)
    char_w = 0.6 * font_size
    texts = [fmt(v, digits) for _, v in rows]
    lo, hi, step = nice_scale(
        min((v for _, v in rows), default=0.0),
        max((v for _, v in rows), default=0.0),
        max_intervals,
    )
    label_col = min(max((len(label) for label, _ in rows), default=4) * char_w + 12, 0.45 * width)
    max_chars = max(4, int((label_col - 12) / char_w))
    tick_digits = step_digits(step)
    tick_texts = [
        fmt(_clean(lo + i * step), tick_digits) for i in range(round((hi - lo) / step) + 1)
    ]
    value_room = max((len(t) for t in texts), default=1) * char_w + 8
    edge = max(len(tick_texts[0]), len(tick_texts[-1])) * char_w / 2 + 2
    left_room = max(value_room if lo < 0 else 0.0, edge)
    right_room = max(value_room if hi > 0 else 0.0, edge)
    x0 = label_col + left_room
    x1 = width - right_room
    top = 8.0
    plot_bottom = top + band * len(rows)
    height = plot_bottom + font_size + 14

    def px(value: float) -> float:
        return x0 + (value - lo) / (hi - lo) * (x1 - x0)

    thickness = band * 0.66
    zero_x = px(0.0)
    bars = []
    for i, ((label, value), text) in enumerate(zip(rows, texts, strict=True)):
        end = px(value)
        centre = top + band * i + band / 2
        baseline = centre + font_size * 0.35
        negative = value < 0
        bars.append(
            Bar(
                label=label,
                short_label=_shorten(label.replace("\n", " "), max_chars),
                value=value,
                text=text,
                x=min(zero_x, end),
                y=centre - thickness / 2,
                width=abs(end - zero_x),
                height=thickness,
                colour=NEGATIVE if negative else POSITIVE,
                label_x=label_col - 8,
                label_y=baseline,
                label_anchor="end",
                value_x=end - 5 if negative else end + 5,
                value_y=baseline,
                value_anchor="end" if negative else "start",
            )
        )
    ticks = tuple(
        Tick(
            value=_clean(lo + i * step),
            text=text,
            x1=px(lo + i * step),
            y1=top,
            x2=px(lo + i * step),
            y2=plot_bottom,
            text_x=px(lo + i * step),
            text_y=plot_bottom + font_size + 6,
            anchor="middle",
        )
        for i, text in enumerate(tick_texts)
    )
    return BarChart(
        orientation="horizontal",
        width=width,
        height=height,
        font_size=font_size,
        bars=tuple(bars),
        ticks=ticks,
        zero=(zero_x, top, zero_x, plot_bottom),
        low=lo,
        high=hi,
        step=step,
    )


def vertical_bars(
    data: Sequence[tuple[str, float]],
    *,
    width: float = 720,
    height: float = 320,
    font_size: float = 14,
    digits: int = 1,
    fmt: Formatter = plain_format,
    max_intervals: int = 6,
) -> BarChart:
    """Lay out one vertical bar per ``(label, value)``, left to right in the order given.

    Suited to a time series (months); a label may break into lines with ``\n``. When the
    bars are too narrow for their labels, only every n-th category label is shown, counting
    back from the last bar (the latest month), and value labels that do not fit are left out
    (the page's data table has every number).
    """
    rows = _check(data)
    char_w = 0.6 * font_size
    texts = [fmt(v, digits) for _, v in rows]
    lo, hi, step = nice_scale(
        min((v for _, v in rows), default=0.0),
        max((v for _, v in rows), default=0.0),
        max_intervals,
    )
    tick_digits = step_digits(step)
    tick_values = [_clean(lo + i * step) for i in range(round((hi - lo) / step) + 1)]
    tick_texts = [fmt(v, tick_digits) for v in tick_values]
    axis_w = max(len(t) for t in tick_texts) * char_w + 12
    x0, x1 = axis_w, width - 8
    n_lines = max((label.count("\n") + 1 for label, _ in rows), default=1)
    label_area = font_size * (1 + 1.2 * (n_lines - 1)) + 12
    room = font_size + 8  # for value labels past the tallest (or deepest) bar
    y_top = 6 + (room if hi > 0 else font_size / 2)
    y_bottom = height - label_area - (room if lo < 0 else 0.0)

    def py(value: float) -> float:
        return y_top + (hi - value) / (hi - lo) * (y_bottom - y_top)

    n = max(len(rows), 1)
    band = (x1 - x0) / n
    bar_w = min(band * 0.7, 64.0)
    longest = max((len(line) for label, _ in rows for line in label.split("\n")), default=1)
    max_chars = min(longest, 14)
    every = max(1, math.ceil((max_chars * char_w + 10) / band))
    zero_y = py(0.0)
    bars = []
    for i, ((label, value), text) in enumerate(zip(rows, texts, strict=True)):
        end = py(value)
        centre = x0 + band * i + band / 2
        negative = value < 0
        bars.append(
            Bar(
                label=label,
                short_label=_shorten(label, max_chars),
                value=value,
                text=text,
                x=centre - bar_w / 2,
                y=min(zero_y, end),
                width=bar_w,
                height=abs(end - zero_y),
                colour=NEGATIVE if negative else POSITIVE,
                label_x=centre,
                label_y=height - label_area + font_size + 2,
                label_anchor="middle",
                value_x=centre,
                value_y=end + font_size + 3 if negative else end - 5,
                value_anchor="middle",
                show_label=(len(rows) - 1 - i) % every == 0,
                show_value=len(text) * char_w <= band + 2,
            )
        )
    ticks = tuple(
        Tick(
            value=v,
            text=text,
            x1=x0,
            y1=py(v),
            x2=x1,
            y2=py(v),
            text_x=x0 - 6,
            text_y=py(v) + font_size * 0.35,
            anchor="end",
        )
        for v, text in zip(tick_values, tick_texts, strict=True)
    )
    return BarChart(
        orientation="vertical",
        width=width,
        height=height,
        font_size=font_size,
        bars=tuple(bars),
        ticks=ticks,
        zero=(x0, zero_y, x1, zero_y),
        low=lo,
        high=hi,
        step=step,
    )
