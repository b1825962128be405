"""Small server-side SVG charts: no JavaScript, no CDN, readable by screen readers.

    {{ chart }}  where  chart = bar_chart([("янв 2025", Decimal("1520.10")), ...], unit="₽",
                                          title="Начислено по месяцам")

Each chart is an <svg role="img"> with a <title> and a <desc> that lists every value, so a
screen reader gets the numbers; pages should still offer the same data as a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from kabinet.lib import l10n

# A narrow drawing with large type: shrunk to a 360 px phone (about 330 px wide) the labels are
# still 12 px or more; on a wide screen the figure is capped (.chart-figure) so they stay modest.
WIDTH, HEIGHT = 400, 250
LEFT, RIGHT, TOP, BOTTOM = 62, 8, 22, 46
FONT = 15
CHAR_WIDTH = 0.6  # of the font size: room one character of a label needs, roughly
PALETTE = ("#1f5f99", "#c0612b", "#2e7d4f")  # contrast ≥ 4.5:1 on white


def _nice_max(value: Decimal) -> Decimal:
    """A round upper bound for the axis: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (1, 2, 5, 10):
        bound = Decimal(step).scaleb(exponent)
        if bound >= value:
            return bound
    return Decimal(10).scaleb(exponent)


def _fmt(value: Decimal) -> str:
    """«1 234,5» in Russian, «1,234.5» in English; whole numbers without «,00»."""
    text = l10n.money(value).replace("\xa0", " ")
    return text[:-3] if text[-3:-2] in ",." and text.endswith("00") else text


def bar_chart(
    series: Sequence[tuple[str, Decimal]] | Sequence[tuple[str, Sequence[Decimal]]],
    *,
    title: str,
    unit: str = "",
    legend: Sequence[str] = (),
    chart_id: str = "chart",
) -> SafeString:
    """Bars per label; a label may carry several values (stacked, e.g. day/night zones).

    `chart_id` must differ between charts of one page: it names the title and description.
    """
    rows: list[tuple[str, list[Decimal]]] = []
    for label, value in series:
        values: Sequence[Decimal] = value if isinstance(value, (list, tuple)) else [value]  # type: ignore[list-item]
        rows.append((label, [max(Decimal(v), Decimal(0)) for v in values]))
    top = _nice_max(max((sum(v, Decimal(0)) for _, v in rows), default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(rows), 1)
    bar_w = max(slot * 0.7, 2)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">'
        + escape("; ".join(f"{label}: {' + '.join(_fmt(v) for v in values)} {unit}".strip() for label, values in rows))
        + "</desc>",
    ]
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d4d9"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{FONT}" fill="#333">{escape(_fmt(value))}</text>'
        )
    # Thin the month labels so that neighbours never overlap at this font size.
    longest = max((len(label) for label, _ in rows), default=1)
    label_every = max(1, math.ceil((longest * FONT * CHAR_WIDTH + 4) / slot))
    for index, (label, bars) in enumerate(rows):
        x = LEFT + slot * index + (slot - bar_w) / 2
        base = float(TOP + plot_h)
        for zone, amount in enumerate(bars):
            h = float(plot_h * amount / top) if top else 0.0
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[zone % len(PALETTE)]}"><title>{escape(label)}: {escape(_fmt(amount))} {escape(unit)}</title></rect>'
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="{FONT}" fill="#333">{escape(label)}</text>'
            )
    for zone, name in enumerate(legend):
        x = LEFT + zone * 110
        parts.append(f'<rect x="{x}" y="{HEIGHT - 18}" width="12" height="12" fill="{PALETTE[zone % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 16}" y="{HEIGHT - 7}" font-size="{FONT}" fill="#333">{escape(name)}</text>')
    if unit:
        parts.append(f'<text x="4" y="{TOP - 7}" font-size="{FONT}" fill="#333">{escape(unit)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
