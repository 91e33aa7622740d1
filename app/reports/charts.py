"""Horizontal bar charts drawn on the server as SVG: no script, no inline styles (the CSP forbids them).

Each chart compares this period (solid bars) with the previous one (outlined bars), so the two differ by shape as
well as colour. A chart is an image with a <title> and <desc>; the table beside it carries the same figures for
screen readers and for anyone who wants the numbers, so every chart names its table.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from safeguarding.suppression import display

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 110  # room after the longest bar for its value ("not shown")
BAR = 14
BAR_GAP = 3
ROW_GAP = 12
LEGEND = 34
LABEL_CHARS = 26
CURRENT_FILL = "#1d70b8"  # GOV.UK blue
PREVIOUS_FILL = "#ffffff"
PREVIOUS_STROKE = "#0b0c0c"
TEXT_FILL = "#0b0c0c"


@dataclass(frozen=True)
class Bar:
    label: str
    current: int | float | None  # None: suppressed, drawn as no bar and the words "not shown"
    previous: int | float | None


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "\u2026"


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar]) -> Markup:
    """An SVG bar chart of this period against the previous one; the page puts the table of its figures after it."""
    known = [v for b in bars for v in (b.current, b.previous) if v is not None]
    scale = max(known, default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    row_height = 2 * BAR + BAR_GAP + ROW_GAP
    height = LEGEND + row_height * len(bars) + 4
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="sc-chart" id="{id}" role="img" '
            'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
            'preserveAspectRatio="xMinYMin meet" focusable="false">'
        ).format(id=chart_id, w=WIDTH, h=height),
        Markup('<title id="{}-title">{}</title>').format(chart_id, title),
        Markup(
            '<desc id="{}-desc">Bar chart of this period (solid bars) against the previous period (outlined bars). '
            "The table after it has the same figures.</desc>"
        ).format(chart_id),  # fmt: skip
        _legend(),
    ]
    for index, bar in enumerate(bars):
        top = LEGEND + index * row_height
        parts.append(
            Markup('<text class="sc-chart__label" x="{}" y="{}" text-anchor="end" fill="{}">{}</text>').format(
                LABEL_WIDTH - 8, top + BAR + 4, TEXT_FILL, _short(bar.label)
            )
        )
        parts.append(_bar(top, bar.current, scale, span, "current"))
        parts.append(_bar(top + BAR + BAR_GAP, bar.previous, scale, span, "previous"))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _bar(y: int, value: int | float | None, scale: float, span: int, which: str) -> Markup:
    length = 0 if value is None else max(round(span * value / scale), 1 if value else 0)
    fill, stroke = (CURRENT_FILL, CURRENT_FILL) if which == "current" else (PREVIOUS_FILL, PREVIOUS_STROKE)
    rect = Markup(
        '<rect class="sc-chart__bar sc-chart__bar--{}" x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" '
        'stroke-width="1"/>'
    ).format(which, LABEL_WIDTH, y, length, BAR, fill, stroke)
    text = Markup('<text class="sc-chart__value" x="{}" y="{}" fill="{}">{}</text>').format(
        LABEL_WIDTH + length + 6, y + BAR - 3, TEXT_FILL, display(value)
    )
    return (rect if length else Markup("")) + text


def _legend() -> Markup:
    swatches = (("This period", CURRENT_FILL, CURRENT_FILL), ("Previous period", PREVIOUS_FILL, PREVIOUS_STROKE))
    parts = []
    x = LABEL_WIDTH
    for text, fill, stroke in swatches:
        parts.append(
            Markup(
                '<rect x="{}" y="8" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="1"/>'
                '<text class="sc-chart__legend" x="{}" y="{}" fill="{}">{}</text>'
            ).format(x, BAR, BAR, fill, stroke, x + BAR + 6, 8 + BAR - 3, TEXT_FILL, escape(text))
        )
        x += 160
    return Markup("").join(parts)
