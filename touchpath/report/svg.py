"""Small inline-SVG chart primitives, drawn in Python (no JS libraries, no external resources).

Every chart is an `<svg class="chart" data-chart="NAME">` whose drawn marks (rect / path / circle)
carry a `data-tip` the page's script shows as a tooltip. Sizes are in px of the viewBox; the SVG
scales to its container's width.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

# One colour per channel, the same in every chart (unknown channels get the fallbacks in order).
CHANNEL_COLORS = {
    "paid_social": "#4f6bed",
    "paid_search": "#f2994a",
    "display": "#9b51e0",
    "affiliate": "#bb6bd9",
    "email": "#27ae60",
    "sms": "#6fcf97",
    "organic_search": "#2d9cdb",
    "organic_social": "#56ccf2",
    "referral": "#eb5757",
    "direct": "#828282",
    "influencer": "#f2c94c",
    "purchase": "#1d2333",
}
FALLBACK_COLORS = ["#219653", "#b5651d", "#e91e63", "#00897b", "#5c6bc0", "#8d6e63", "#c0ca33"]
SERIES_COLORS = ["#4f6bed", "#f2994a", "#27ae60", "#eb5757", "#9b51e0", "#2d9cdb", "#828282", "#f2c94c",
                 "#00897b", "#e91e63"]
PLATFORM_COLORS = {"meta": "#4f6bed", "google_ads": "#f2994a", "tiktok": "#111827", "bing_ads": "#00897b",
                   "microsoft_ads": "#00897b", "pinterest": "#e60023", "snapchat": "#f2c94c"}
MODEL_COLORS = {
    "first_touch": "#9ecae1",
    "last_touch": "#6baed6",
    "last_non_direct": "#3182bd",
    "linear": "#fdae6b",
    "time_decay": "#e6550d",
    "position_based": "#a1d99b",
    "markov": "#31a354",
    "shapley": "#756bb1",
    "ground truth": "#222222",
    "platform-reported": "#d62728",
}
FONT = "font-family:inherit"


def color_for(name: str, palette: dict[str, str] | None = None, _assigned: dict[str, str] = {}) -> str:  # noqa: B006
    palette = CHANNEL_COLORS if palette is None else palette
    if name in palette:
        return palette[name]
    if name not in _assigned:
        _assigned[name] = FALLBACK_COLORS[len(_assigned) % len(FALLBACK_COLORS)]
    return _assigned[name]


def e(value) -> str:
    return escape(str(value), quote=True)


def fmt_num(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1_000:.1f}k"
    return f"{value:,.{digits}f}"


def fmt_pct(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * 100:.{digits}f}%"


def nice_max(value: float, ticks: int = 4) -> float:
    """A round axis maximum at or above `value` that splits into `ticks` round steps."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    raw = value / ticks
    exp = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if step * exp * ticks >= value:
            return step * exp * ticks
    return 10 * exp * ticks


def svg_open(name: str, width: int, height: int, label: str) -> str:
    return (
        f'<svg class="chart" data-chart="{e(name)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{e(label)}" '
        f'preserveAspectRatio="xMinYMin meet">'
    )


def text(x: float, y: float, value: str, *, anchor: str = "start", size: int = 12, weight: str = "normal",
         fill: str = "#333", baseline: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="{baseline}" '
        f'font-size="{size}" font-weight="{weight}" fill="{fill}" style="{FONT}" {extra}>{e(value)}</text>'
    )


def rect(x: float, y: float, w: float, h: float, fill: str, tip: str = "", extra: str = "") -> str:
    w, h = max(w, 0.0), max(h, 0.0)
    tip_attr = f' data-tip="{e(tip)}"' if tip else ""
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"{tip_attr} {extra}/>'


def legend(items: Sequence[tuple[str, str]], x: float, y: float, width: float, swatch: int = 10) -> tuple[str, float]:
    """Legend items flowing left to right, wrapping at `width`; returns (svg, height used)."""
    parts, cx, cy = [], x, y
    for label, colour in items:
        w = swatch + 6 + 7 * len(label) + 16
        if cx + w > x + width and cx > x:
            cx, cy = x, cy + 18
        parts.append(rect(cx, cy, swatch, swatch, colour, extra='class="legend-swatch"'))
        parts.append(text(cx + swatch + 5, cy + swatch / 2, label, size=11))
        cx += w
    return "".join(parts), cy - y + 18


def hbar_chart(name: str, rows: Sequence[tuple[str, float, str, str]], *, width: int = 620,
               value_fmt: Callable[[float], str] = fmt_num, label_width: int = 150, bar_height: int = 22,
               label: str = "") -> str:
    """Horizontal bars: rows of (label, value, colour, tooltip)."""
    height = 10 + len(rows) * (bar_height + 8) + 10
    vmax = nice_max(max([r[1] for r in rows] + [0]))
    plot_w = width - label_width - 70
    out = [svg_open(name, width, height, label or name)]
    for i, (row_label, value, colour, tip) in enumerate(rows):
        y = 10 + i * (bar_height + 8)
        w = plot_w * (value / vmax) if vmax else 0
        out.append(text(label_width - 8, y + bar_height / 2, row_label, anchor="end"))
        out.append(rect(label_width, y, max(w, 1), bar_height, colour, tip or f"{row_label}: {value_fmt(value)}",
                        extra='rx="3"'))
        out.append(text(label_width + max(w, 1) + 6, y + bar_height / 2, value_fmt(value), size=11, fill="#555"))
    out.append("</svg>")
    return "".join(out)


def grouped_hbar_chart(name: str, categories: Sequence[str], series: Sequence[tuple[str, str]],
                       values: dict[tuple[str, str], float], *, width: int = 900,
                       value_fmt: Callable[[float], str] = fmt_pct, label_width: int = 140,
                       bar_height: int = 9, label: str = "", tips: dict[tuple[str, str], str] | None = None) -> str:
    """One group of horizontal bars per category, one bar per series: values[(category, series)]."""
    tips = tips or {}
    leg, leg_h = legend(series, label_width, 8, width - label_width - 20)
    top = 8 + leg_h + 6
    group_h = len(series) * (bar_height + 2) + 12
    height = int(top + len(categories) * group_h + 26)
    vmax = nice_max(max(list(values.values()) + [0]))
    plot_w = width - label_width - 60
    out = [svg_open(name, width, height, label or name), leg]
    for tick in range(5):
        gx = label_width + plot_w * tick / 4
        out.append(f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{height - 22}" stroke="#e6e6e6"/>')
        out.append(text(gx, height - 12, value_fmt(vmax * tick / 4), anchor="middle", size=10, fill="#777"))
    for ci, category in enumerate(categories):
        gy = top + ci * group_h
        out.append(text(label_width - 8, gy + (group_h - 12) / 2, category, anchor="end"))
        if ci:
            out.append(f'<line x1="10" y1="{gy - 6:.1f}" x2="{width - 10}" y2="{gy - 6:.1f}" stroke="#f0f0f0"/>')
        for si, (series_name, colour) in enumerate(series):
            value = values.get((category, series_name))
            y = gy + si * (bar_height + 2)
            if value is None:
                continue
            w = plot_w * value / vmax if vmax else 0
            tip = tips.get((category, series_name)) or f"{category} · {series_name}: {value_fmt(value)}"
            out.append(rect(label_width, y, max(w, 0.8), bar_height, colour, tip))
    out.append("</svg>")
    return "".join(out)


def line_chart(name: str, x_labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float | None]]], *,
               width: int = 440, height: int = 230, value_fmt: Callable[[float], str] = fmt_num,
               label: str = "", title: str = "") -> str:
    """Lines over a categorical x axis: series of (name, colour, values aligned to x_labels; None = gap)."""
    left, right, top, bottom = 52, 12, 28 if title else 12, 40
    leg, leg_h = legend([(s[0], s[1]) for s in series], left, height - 2, width - left - right)
    total_h = int(height + leg_h + 4)
    finite = [v for _, _, vs in series for v in vs if v is not None and math.isfinite(v)]
    vmax = nice_max(max(finite + [0]))
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(x_labels), 1)

    def px(i: int) -> float:
        return left + (plot_w * (i / (n - 1)) if n > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h * (1 - v / vmax)

    out = [svg_open(name, width, total_h, label or title or name)]
    if title:
        out.append(text(left, 12, title, size=13, weight="600"))
    for tick in range(5):
        v = vmax * tick / 4
        out.append(f'<line x1="{left}" y1="{py(v):.1f}" x2="{width - right}" y2="{py(v):.1f}" stroke="#ececec"/>')
        out.append(text(left - 6, py(v), value_fmt(v), anchor="end", size=10, fill="#777"))
    step = max(1, math.ceil(n / 8))
    for i, x_label in enumerate(x_labels):
        if i % step == 0 or i == n - 1:
            out.append(text(px(i), top + plot_h + 14, x_label, anchor="middle", size=10, fill="#777"))
    for series_name, colour, values in series:
        segments, current = [], []
        for i, v in enumerate(values):
            if v is None or not math.isfinite(v):
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((px(i), py(v), x_labels[i], v))
        if current:
            segments.append(current)
        for seg in segments:
            if len(seg) > 1:
                d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in seg)
                out.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2" '
                           f'data-tip="{e(series_name)}"/>')
            for x, y, x_label, v in seg:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}" '
                           f'data-tip="{e(series_name)} · {e(x_label)}: {e(value_fmt(v))}"/>')
    out.append(leg)
    out.append("</svg>")
    return "".join(out)


def sparkline(name: str, values: Sequence[float | None], *, width: int = 120, height: int = 26,
              colour: str = "#4f6bed", value_fmt: Callable[[float], str] = fmt_num, labels: Sequence[str] = ()) -> str:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    vmax = max(finite + [0]) or 1.0
    n = max(len(values), 1)
    out = [svg_open(name, width, height, name).replace('class="chart"', 'class="chart spark"')]
    out.append(f'<line x1="0" y1="{height - 1}" x2="{width}" y2="{height - 1}" stroke="#e3e3e3"/>')
    bw = width / n
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v):
            continue
        h = max((height - 3) * v / vmax, 1)
        tip = f"{labels[i] if i < len(labels) else i}: {value_fmt(v)}"
        out.append(rect(i * bw + 1, height - 1 - h, max(bw - 2, 1), h, colour, tip))
    out.append("</svg>")
    return "".join(out)


def heatmap(name: str, row_labels: Sequence[str], col_labels: Sequence[str], cells: dict[tuple[int, int], float],
            *, row_notes: Sequence[str] = (), width: int = 900, cell_h: int = 28, label: str = "",
            value_fmt: Callable[[float], str] = fmt_pct, x_title: str = "", y_title: str = "") -> str:
    """Cells coloured by value (0..1): cells[(row, col)]; missing cells are left blank."""
    left, top = 150, 40 if x_title else 26
    n_cols = max(len(col_labels), 1)
    cell_w = min(70.0, (width - left - 20) / n_cols)
    height = int(top + len(row_labels) * cell_h + 12)
    out = [svg_open(name, width, height, label or name)]
    if x_title:
        out.append(text(left, 10, x_title, size=11, fill="#555"))
    if y_title:
        out.append(text(8, top - 12, y_title, size=11, fill="#555"))
    for ci, col in enumerate(col_labels):
        out.append(text(left + ci * cell_w + cell_w / 2, top - 10, col, anchor="middle", size=10, fill="#555"))
    for ri, row in enumerate(row_labels):
        y = top + ri * cell_h
        note = f" ({row_notes[ri]})" if ri < len(row_notes) else ""
        out.append(text(left - 8, y + cell_h / 2, f"{row}{note}", anchor="end", size=11))
        for ci in range(len(col_labels)):
            value = cells.get((ri, ci))
            if value is None:
                continue
            shade = _blue(value)
            x = left + ci * cell_w
            out.append(rect(x + 1, y + 1, cell_w - 2, cell_h - 2, shade,
                            f"{row}, {col_labels[ci]}: {value_fmt(value)}", extra='rx="2"'))
            out.append(text(x + cell_w / 2, y + cell_h / 2, value_fmt(value), anchor="middle", size=10,
                            fill="#fff" if value > 0.45 else "#223"))
    out.append("</svg>")
    return "".join(out)


def _blue(value: float) -> str:
    """White-ish (0) to deep blue (1)."""
    v = min(max(value, 0.0), 1.0) ** 0.6
    lo, hi = (235, 243, 252), (23, 63, 140)
    r, g, b = (round(lo[k] + (hi[k] - lo[k]) * v) for k in range(3))
    return f"#{r:02x}{g:02x}{b:02x}"


def funnel_chart(name: str, stages: Sequence[dict], *, width: int = 900, label: str = "") -> str:
    """Centered bars per stage (people), with conversion to the next stage and drop-off between them."""
    row_h, gap, left = 34, 22, 180
    height = 12 + len(stages) * (row_h + gap)
    plot_w = width - left - 230
    vmax = max([s["people"] for s in stages] + [1])
    out = [svg_open(name, width, height, label or name)]
    cx = left + plot_w / 2
    for i, s in enumerate(stages):
        y = 6 + i * (row_h + gap)
        w = max(plot_w * s["people"] / vmax, 2)
        out.append(text(left - 10, y + row_h / 2, s["stage"], anchor="end", weight="600"))
        out.append(rect(cx - w / 2, y, w, row_h, "#4f6bed", f"{s['stage']}: {s['people']:,} people",
                        extra=f'rx="4" fill-opacity="{1 - i * 0.08:.2f}"'))
        out.append(text(cx, y + row_h / 2, f"{s['people']:,}", anchor="middle", fill="#fff" if w > 60 else "#333",
                        weight="600", size=12))
        share = s["people"] / vmax if vmax else 0
        out.append(text(left + plot_w + 14, y + row_h / 2, f"{fmt_pct(share, 1)} of {stages[0]['stage']}",
                        size=11, fill="#555"))
        if s.get("conversion_to_next") is not None and i < len(stages) - 1:
            conv = s["conversion_to_next"]
            out.append(text(cx, y + row_h + gap / 2 + 1,
                            f"↓ {fmt_pct(conv, 1)} continue · {fmt_pct(1 - conv, 1)} drop off",
                            anchor="middle", size=10, fill="#b04040" if conv < 0.3 else "#666"))
    out.append("</svg>")
    return "".join(out)


def sankey(name: str, columns: Sequence[str], links: dict[tuple[int, str, str], float], *, width: int = 1000,
           height: int = 420, label: str = "", node_colour: Callable[[str], str] = color_for) -> str:
    """Flow diagram over fixed columns. links[(col, source, target)] = flow from column col to col + 1.

    Flow may start at any column (a node's height is the larger of its in- and outflow).
    """
    n_cols = len(columns)
    inflow: dict[tuple[int, str], float] = {}
    outflow: dict[tuple[int, str], float] = {}
    for (col, src, dst), v in links.items():
        outflow[(col, src)] = outflow.get((col, src), 0) + v
        inflow[(col + 1, dst)] = inflow.get((col + 1, dst), 0) + v
    nodes: dict[int, list[str]] = {c: [] for c in range(n_cols)}
    size: dict[tuple[int, str], float] = {}
    for key in set(inflow) | set(outflow):
        size[key] = max(inflow.get(key, 0), outflow.get(key, 0))
        nodes[key[0]].append(key[1])
    for c in nodes:
        nodes[c].sort(key=lambda n, c=c: -size[(c, n)])
    top, bottom, node_w, pad = 24, 8, 14, 8
    left, right = 70, 110
    max_total = max((sum(size[(c, n)] for n in nodes[c]) for c in nodes if nodes[c]), default=1)
    max_nodes = max((len(nodes[c]) for c in nodes), default=1)
    scale = (height - top - bottom - pad * max_nodes) / max_total if max_total else 1
    col_x = [left + (width - left - right - node_w) * c / max(n_cols - 1, 1) for c in range(n_cols)]
    pos: dict[tuple[int, str], float] = {}
    for c in range(n_cols):
        total = sum(size[(c, n)] for n in nodes[c]) * scale + pad * max(len(nodes[c]) - 1, 0)
        y = top + (height - top - bottom - total) / 2
        for n in nodes[c]:
            pos[(c, n)] = y
            y += size[(c, n)] * scale + pad
    out = [svg_open(name, width, height, label or name)]
    for c, col in enumerate(columns):
        out.append(text(col_x[c] + node_w / 2, 10, col, anchor="middle", size=11, fill="#555"))
    # links: stack at source (by target order) and at target (by source order)
    src_off = {k: 0.0 for k in size}
    dst_off = {k: 0.0 for k in size}
    ordered = sorted(links.items(), key=lambda kv: (kv[0][0], _index(nodes, kv[0][0], kv[0][1]),
                                                    _index(nodes, kv[0][0] + 1, kv[0][2])))
    for (col, src, dst), v in ordered:
        h = v * scale
        y0 = pos[(col, src)] + src_off[(col, src)]
        y1 = pos[(col + 1, dst)] + dst_off[(col + 1, dst)]
        src_off[(col, src)] += h
        dst_off[(col + 1, dst)] += h
        x0, x1 = col_x[col] + node_w, col_x[col + 1]
        mx = (x0 + x1) / 2
        d = (f"M{x0:.1f},{y0:.1f} C{mx:.1f},{y0:.1f} {mx:.1f},{y1:.1f} {x1:.1f},{y1:.1f} "
             f"L{x1:.1f},{y1 + h:.1f} C{mx:.1f},{y1 + h:.1f} {mx:.1f},{y0 + h:.1f} {x0:.1f},{y0 + h:.1f} Z")
        out.append(f'<path class="link" d="{d}" fill="{node_colour(src)}" fill-opacity="0.28" '
                   f'data-tip="{e(src)} → {e(dst)} ({e(columns[col])} → {e(columns[col + 1])}): {v:,.0f} orders"/>')
    for (c, n), s in size.items():
        h = max(s * scale, 1)
        out.append(rect(col_x[c], pos[(c, n)], node_w, h, node_colour(n), f"{n} ({columns[c]}): {s:,.0f} orders",
                        extra='rx="2"'))
        if h >= 11:
            out.append(text(col_x[c] + node_w + 4, pos[(c, n)] + h / 2, n, size=10, fill="#333"))
    out.append("</svg>")
    return "".join(out)


def _index(nodes: dict[int, list[str]], col: int, name: str) -> int:
    try:
        return nodes[col].index(name)
    except (KeyError, ValueError):
        return 0


def path_chart(name: str, paths: Sequence[tuple[str, int, float]], *, width: int = 1000, max_steps: int = 10,
               label: str = "", value_label: str = "orders") -> str:
    """Top paths as rows of channel chips, each with a bar for its order count."""
    row_h = 26
    chip_w, chip_gap = 66, 4
    longest = min(max([len(p[0].split(" > ")) for p in paths] + [1]), max_steps)
    chips_w = longest * (chip_w + chip_gap) + (60 if longest == max_steps else 10)
    bar_left = chips_w + 20
    bar_w = width - bar_left - 90
    height = 8 + len(paths) * row_h + 4
    vmax = max([p[1] for p in paths] + [1])
    out = [svg_open(name, width, height, label or name)]
    for i, (path, count, revenue) in enumerate(paths):
        y = 6 + i * row_h
        steps = path.split(" > ")
        shown = steps if len(steps) <= max_steps else steps[: max_steps - 1]
        for si, step in enumerate(shown):
            x = 8 + si * (chip_w + chip_gap)
            out.append(rect(x, y, chip_w, row_h - 6, color_for(step), f"step {si + 1}: {step}", extra='rx="9"'))
            out.append(text(x + chip_w / 2, y + (row_h - 6) / 2, _short(step), anchor="middle", size=9,
                            fill="#fff", weight="600"))
        if len(steps) > max_steps:
            x = 8 + (max_steps - 1) * (chip_w + chip_gap)
            out.append(text(x + 4, y + (row_h - 6) / 2, f"… +{len(steps) - len(shown)} more", size=10, fill="#555"))
        w = max(bar_w * count / vmax, 2)
        out.append(rect(bar_left, y + 2, w, row_h - 10, "#4f6bed",
                        f"{path}: {count:,} {value_label}, revenue {revenue:,.0f}", extra='rx="2"'))
        out.append(text(bar_left + w + 6, y + (row_h - 6) / 2, f"{count:,}", size=11, fill="#444"))
    out.append("</svg>")
    return "".join(out)


def _short(channel: str) -> str:
    short = {"paid_social": "paid soc.", "paid_search": "paid srch", "organic_search": "org. srch",
             "organic_social": "org. soc.", "affiliate": "affiliate", "referral": "referral"}
    return short.get(channel, channel[:9])


def dot_range_chart(name: str, categories: Sequence[str], series: Sequence[tuple[str, str]],
                    values: dict[tuple[str, str], float], *, width: int = 1000, label_width: int = 140,
                    row_h: int = 30, value_fmt: Callable[[float], str] = fmt_pct, label: str = "",
                    tips: dict[tuple[str, str], str] | None = None) -> str:
    """One row per category: a grey bar from the smallest to the largest value and a dot per series.

    Compact way to show how much several estimates (attribution models) of one quantity disagree.
    """
    tips = tips or {}
    leg, leg_h = legend(series, label_width, 8, width - label_width - 20)
    top = 8 + leg_h + 8
    height = int(top + len(categories) * row_h + 26)
    vmax = nice_max(max(list(values.values()) + [0]))
    plot_w = width - label_width - 90
    out = [svg_open(name, width, height, label or name), leg]

    def px(v: float) -> float:
        return label_width + plot_w * v / vmax

    for tick in range(5):
        gx = px(vmax * tick / 4)
        out.append(f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{height - 22}" stroke="#e6e6e6"/>')
        out.append(text(gx, height - 12, value_fmt(vmax * tick / 4), anchor="middle", size=10, fill="#777"))
    for ci, category in enumerate(categories):
        cy = top + ci * row_h + row_h / 2
        present = [(s, values[(category, s)]) for s, _ in series if (category, s) in values]
        out.append(text(label_width - 8, cy, category, anchor="end"))
        out.append(f'<line x1="{label_width}" y1="{cy:.1f}" x2="{label_width + plot_w}" y2="{cy:.1f}" '
                   f'stroke="#f1f1f1"/>')
        if not present:
            continue
        lo, hi = min(v for _, v in present), max(v for _, v in present)
        out.append(rect(px(lo), cy - 4, max(px(hi) - px(lo), 1), 8, "#dfe3ec",
                        f"{category}: {value_fmt(lo)} – {value_fmt(hi)} across models", extra='rx="4"'))
        for s, colour in series:
            v = values.get((category, s))
            if v is None:
                continue
            tip = tips.get((category, s)) or f"{category} · {s}: {value_fmt(v)}"
            out.append(f'<circle cx="{px(v):.1f}" cy="{cy:.1f}" r="6" fill="{colour}" stroke="#fff" '
                       f'stroke-width="1.5" data-tip="{e(tip)}"/>')
        out.append(text(label_width + plot_w + 8, cy, f"{value_fmt(lo)}–{value_fmt(hi)}", size=10, fill="#666"))
    out.append("</svg>")
    return "".join(out)
