"""Assemble the report: one self-contained HTML page (inline CSS, inline SVG, a few lines of vanilla JS)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from touchpath.report import svg
from touchpath.report.data import MODELS, ReportData, date_range
from touchpath.report.svg import e, fmt_num, fmt_pct

CSS = """
:root { --ink:#1d2333; --muted:#5b6375; --line:#e4e7ee; --bg:#f5f6fa; --card:#fff; --accent:#4f6bed; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { background:#1d2333; color:#fff; padding:28px 0 22px; }
.wrap { max-width:1180px; margin:0 auto; padding:0 24px; }
header h1 { margin:0 0 4px; font-size:26px; letter-spacing:-0.01em; }
header p { margin:0; color:#c4c9d8; }
nav { position:sticky; top:0; z-index:5; background:rgba(255,255,255,.96); border-bottom:1px solid var(--line); }
nav .wrap { display:flex; flex-wrap:wrap; gap:4px 18px; padding-top:10px; padding-bottom:10px; }
nav a { color:var(--muted); text-decoration:none; font-size:13px; }
nav a:hover { color:var(--accent); }
.kpis { display:grid; grid-template-columns:repeat(auto-fit, minmax(122px, 1fr)); gap:12px; margin:22px 0 6px; }
.kpi { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.kpi .v { font-size:22px; font-weight:650; }
.kpi .l { color:var(--muted); font-size:12px; }
section.card { background:var(--card); border:1px solid var(--line); border-radius:12px; padding:20px 22px 18px;
  margin:18px 0; }
section.card h2 { margin:0 0 4px; font-size:18px; }
section.card h3 { margin:18px 0 4px; font-size:14px; }
p.explain { margin:0 0 14px; color:var(--muted); max-width:900px; }
p.note { color:var(--muted); font-size:12px; margin:8px 0 0; }
.empty { padding:18px; border:1px dashed #c9cfdd; border-radius:8px; color:var(--muted); background:#fafbfd; }
svg.chart { max-width:100%; height:auto; display:block; overflow:visible; }
svg.spark { display:inline-block; vertical-align:middle; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit, minmax(460px, 1fr)); gap:14px 28px; }
table { border-collapse:collapse; width:100%; font-size:12.5px; }
th, td { padding:5px 8px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
th { color:var(--muted); font-weight:600; background:#fafbfd; }
th:first-child, td:first-child, td.l, th.l { text-align:left; }
td.wrap { white-space:normal; min-width:260px; }
.scroll { overflow-x:auto; }
.chip { display:inline-block; width:10px; height:10px; border-radius:3px; margin-right:6px; vertical-align:-1px; }
.tag { display:inline-block; padding:1px 7px; border-radius:9px; font-size:11px; font-weight:600; }
.tag.pause { background:#fde2e2; color:#a12626; } .tag.scale { background:#dff5e6; color:#1c7a3c; }
.tag.review { background:#fff1d6; color:#8a5a00; }
#tip { position:fixed; pointer-events:none; background:#1d2333; color:#fff; padding:5px 8px; border-radius:6px;
  font-size:12px; display:none; z-index:10; max-width:420px; }
footer { color:var(--muted); font-size:12px; padding:10px 0 40px; }
"""

HEAD_JS = """
(function () {
  var errors = [];
  function record(message) {
    errors.push(String(message));
    if (document.body) { document.body.setAttribute('data-errors', JSON.stringify(errors)); }
  }
  window.__touchpathErrors = errors;
  window.onerror = function (message, source, line, column) { record(message + ' at ' + line + ':' + column); };
  window.addEventListener('unhandledrejection', function (ev) { record('unhandled rejection: ' + ev.reason); });
  var consoleError = console.error;
  console.error = function () { record(Array.prototype.join.call(arguments, ' ')); return consoleError.apply(console, arguments); };
})();
"""

BODY_JS = """
(function () {
  var body = document.body;
  body.setAttribute('data-errors', JSON.stringify(window.__touchpathErrors || []));
  // Tooltips: any mark with data-tip.
  var tip = document.getElementById('tip');
  document.addEventListener('mousemove', function (ev) {
    var target = ev.target.closest ? ev.target.closest('[data-tip]') : null;
    if (!target) { tip.style.display = 'none'; return; }
    tip.textContent = target.getAttribute('data-tip');
    tip.style.display = 'block';
    tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8) + 'px';
    tip.style.top = (ev.clientY + 14) + 'px';
  });
  // Self-check: how many marks of each chart the browser actually laid out with a non-zero size.
  var charts = document.querySelectorAll('svg.chart');
  var drawnCharts = 0;
  for (var i = 0; i < charts.length; i++) {
    var marks = charts[i].querySelectorAll('rect, path, circle');
    var drawn = 0;
    for (var j = 0; j < marks.length; j++) {
      var box = marks[j].getBoundingClientRect();
      if (box.width > 0 && box.height > 0) { drawn++; }
    }
    charts[i].setAttribute('data-drawn', String(drawn));
    if (drawn > 0) { drawnCharts++; }
  }
  body.setAttribute('data-charts', String(charts.length));
  body.setAttribute('data-charts-drawn', String(drawnCharts));
  body.setAttribute('data-ready', '1');
})();
"""

STAGE_LABEL = {"awareness": "awareness", "interest": "interest", "consideration": "consideration",
               "intent": "intent (cart)", "evaluation": "evaluation (checkout)", "purchase": "purchase",
               "retention": "retention", "advocacy": "advocacy"}


def money(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return "$" + fmt_num(value, 0 if abs(value) >= 10 else 2)


def ratio(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.2f}×"


def section(anchor: str, title: str, explain: str, body: str) -> str:
    return (f'<section class="card" id="{anchor}"><h2>{e(title)}</h2><p class="explain">{explain}</p>'
            f"{body}</section>")


def empty(message: str) -> str:
    return f'<div class="empty">{e(message)}</div>'


def render_html(d: ReportData) -> str:
    start, end = d.period
    period = f"{start} – {end}" if start else "no data"
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        ("funnel", "Funnel", funnel_section(d)),
        ("paths", "Conversion paths", paths_section(d)),
        ("attribution", "Attribution models", attribution_section(d)),
        ("truth", "Against ground truth", truth_section(d)),
        ("performance", "ROAS, CPA, CAC", performance_section(d)),
        ("cohorts", "Cohort retention", cohort_section(d)),
        ("ltv", "LTV by channel", ltv_section(d)),
        ("recommendations", "Recommendations", recommendations_section(d)),
    ]
    nav = "".join(f'<a href="#{a}">{e(t)}</a>' for a, t, _ in sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>touchpath report · {e(period)}</title>
<script>{HEAD_JS}</script>
<style>{CSS}</style>
</head>
<body data-errors="[]">
<header><div class="wrap">
<h1>touchpath · customer-journey report</h1>
<p>{e(period)} · warehouse <code>{e(d.warehouse)}</code> · generated {e(generated)} ·
money in the reporting currency</p>
</div></header>
<nav><div class="wrap">{nav}</div></nav>
<main class="wrap">
{kpi_cards(d)}
{"".join(body for _, _, body in sections)}
</main>
<footer class="wrap">Built from the <code>marts</code> schema by <code>touchpath report</code>.
Every figure can be reproduced with the SQL in docs/analysts.md.</footer>
<div id="tip"></div>
<script>{BODY_JS}</script>
</body>
</html>
"""


def kpi_cards(d: ReportData) -> str:
    k = d.kpis
    cards = [
        (fmt_num(k.get("orders")), "orders"),
        (money(k.get("revenue")), "revenue"),
        (money(k.get("spend")), "ad spend"),
        (ratio(k.get("roas")), "blended ROAS (revenue / spend)"),
        (fmt_num(k.get("new_customers")), "new customers"),
        (money(k.get("blended_cac")), "blended CAC (spend / new customers)"),
        (fmt_num(k.get("median_touches"), 0) if k.get("median_touches") is not None else "–",
         "median touches per order"),
        (f"{k['median_days']:.1f} d" if k.get("median_days") is not None else "–",
         "median days, first touch → first order"),
    ]
    return '<div class="kpis">' + "".join(
        f'<div class="kpi"><div class="v">{e(v)}</div><div class="l">{e(label)}</div></div>' for v, label in cards
    ) + "</div>"


def funnel_section(d: ReportData) -> str:
    if not d.funnel:
        return section("funnel", "Funnel", "People per funnel stage.", empty("fct_funnel_daily is empty."))
    stages = [{**s, "stage": STAGE_LABEL.get(s["stage"], s["stage"]), "people": int(s["people"] or 0)}
              for s in d.funnel]
    chart = svg.funnel_chart("funnel", stages, label="Funnel: people per stage")
    stage_names = [s["stage"] for s in d.funnel]
    channels: dict[str, dict[str, float]] = {}
    for r in d.funnel_by_channel:
        channels.setdefault(r["channel"], {})[r["stage"]] = r["people"] or 0
    order = sorted(channels, key=lambda c: -channels[c].get(stage_names[0], 0))
    cells = {}
    for ri, channel in enumerate(order):
        top = channels[channel].get(stage_names[0], 0)
        for ci, stage in enumerate(stage_names):
            if top:
                cells[(ri, ci)] = channels[channel].get(stage, 0) / top
    heat = svg.heatmap("funnel_by_channel", order, [STAGE_LABEL.get(s, s).split(" ")[0] for s in stage_names],
                       cells, row_notes=[fmt_num(channels[c].get(stage_names[0], 0)) for c in order],
                       width=1100, value_fmt=lambda v: fmt_pct(v, 1),
                       x_title="share of the channel's visitors (awareness) who reached each stage",
                       label="Funnel by channel")
    return section(
        "funnel", "Funnel: where people drop out",
        "Each bar counts people who reached <b>at least</b> that stage on a day through a session of a channel "
        "(summed over days and channels), so the funnel never widens. Between bars: the share that went one "
        "stage further and the share that dropped off — red where fewer than 30% continue.",
        chart + '<h3>By channel of the session</h3><p class="explain">Rows are session channels (visitor-days in '
        "brackets); a pale row means the channel's traffic leaks early.</p>" + heat,
    )


def paths_section(d: ReportData) -> str:
    if not d.top_paths:
        return section("paths", "Conversion paths", "", empty("No attributed orders yet."))
    sankey = svg.sankey("path_flow", d.sankey_columns, d.sankey_links, width=1100, height=440,
                        label="Flow of the last five touches into each purchase")
    paths = [(p["channel_path"], int(p["orders"]), float(p["revenue"] or 0)) for p in d.top_paths]
    chart = svg.path_chart("top_paths", paths, width=1100, label="Most common conversion paths")
    lengths = [(f"{r['touches']}{'+' if r['touches'] == 15 else ''} touch{'' if r['touches'] == 1 else 'es'}", float(r["orders"]), "#9aa8f0", "")
               for r in d.path_length]
    length_chart = svg.hbar_chart("path_length", lengths, width=560, label_width=90, bar_height=14,
                                  label="Orders by number of touches on the path")
    return section(
        "paths", "Conversion paths: how people get to a purchase",
        "Every attributed order's last five touches, aligned on the purchase (right). Bands are orders moving "
        "from one touch to the next; a band that starts mid-way is a shorter path. Hover a band for its count.",
        sankey + "<h3>Most common complete paths</h3>"
        '<p class="explain">Each row is a full channel path in time order (fct_conversion_paths.channel_path) '
        "and the number of orders that followed it exactly.</p>" + chart
        + '<h3>Path length</h3><p class="explain">Orders by the number of touches in the 30-day lookback; '
        "long paths are the norm, which is why single-touch models mislead.</p>" + length_chart,
    )


def attribution_section(d: ReportData) -> str:
    if not d.attribution:
        return section("attribution", "Attribution models", "", empty("fct_attribution is empty."))
    values = {(r["channel"], r["model"]): r["revenue_share"] or 0.0 for r in d.attribution}
    revenue = {(r["channel"], r["model"]): r["revenue"] or 0.0 for r in d.attribution}
    models = [m for m in MODELS if any(k[1] == m for k in values)]
    channels = sorted({k[0] for k in values}, key=lambda c: -values.get((c, d.headline_model), 0))
    tips = {k: f"{k[0]} · {k[1]}: {fmt_pct(v, 1)} of attributed revenue ({money(revenue[k])})"
            for k, v in values.items()}
    chart = svg.dot_range_chart(
        "attribution_models", channels, [(m, svg.MODEL_COLORS.get(m, "#999")) for m in models], values, width=1100,
        tips=tips, label="Share of attributed revenue per channel under each model",
        value_fmt=lambda v: fmt_pct(v, 0))
    head = "".join(f"<th>{e(m)}</th>" for m in models)
    body = "".join(
        f'<tr><td><span class="chip" style="background:{svg.color_for(c)}"></span>{e(c)}</td>'
        + "".join(f"<td>{money(revenue.get((c, m)))}</td>" for m in models) + "</tr>" for c in channels)
    k = d.kpis
    note = (f'<p class="note">{fmt_num(k.get("unattributed_orders"))} orders ({money(k.get("unattributed_revenue"))}) '
            "had no touch in the lookback window and are in fct_unattributed_orders, not in these figures.</p>")
    return section(
        "attribution", "Attribution models side by side",
        "The same orders credited under eight models: each dot is the channel's share of attributed revenue "
        "under one model, the grey bar the range between models. Where a channel's dots spread, the channel's value depends on the question you ask: first "
        "touch favours openers, last touch closers, Markov and Shapley weigh what each channel adds to "
        "paths that convert.",
        chart + '<h3>Attributed revenue</h3><div class="scroll"><table><thead><tr><th class="l">channel</th>'
        + head + "</tr></thead><tbody>" + body + "</tbody></table></div>" + note,
    )


def truth_section(d: ReportData) -> str:
    title = "Against the simulator's ground truth"
    if d.ground_truth is None:
        msg = ("No ground truth given: this panel appears when the report runs on a sandbox world "
               "(touchpath report --ground-truth WORLD_DIR, or the asset on the sandbox).")
        if d.ground_truth_note:
            msg += f" ({d.ground_truth_note})"
        return section("truth", title, "Only a simulated world knows each channel's true effect.", empty(msg))
    models = ["last_touch", "linear", "markov", "shapley"]
    values: dict[tuple[str, str], float] = {}
    tips: dict[tuple[str, str], str] = {}
    for g in d.ground_truth:
        if g["revenue_share"] is not None:
            values[(g["channel"], "ground truth")] = g["revenue_share"]
            tips[(g["channel"], "ground truth")] = (f"{g['channel']} · ground truth: {fmt_pct(g['revenue_share'], 1)} of "
                                                    f"incremental revenue ({fmt_num(g['revenue'])} store currency)")
    for r in d.attribution:
        if r["model"] in models:
            values[(r["channel"], r["model"])] = r["revenue_share"] or 0.0
    channels = sorted({k[0] for k in values}, key=lambda c: -values.get((c, "ground truth"), 0))
    series = [("ground truth", svg.MODEL_COLORS["ground truth"])] + [(m, svg.MODEL_COLORS[m]) for m in models]
    chart = svg.grouped_hbar_chart("ground_truth", channels, series, values, width=1100, tips=tips,
                                   label="Share of revenue: ground truth vs models", value_fmt=lambda v: fmt_pct(v, 0))
    err = []
    for m in models:
        gaps = [abs(values.get((c, m), 0) - values.get((c, "ground truth"), 0)) for c in channels
                if (c, "ground truth") in values]
        if gaps:
            err.append((m, sum(gaps) / 2))
    err_txt = " · ".join(f"{m}: {fmt_pct(v, 0)}" for m, v in sorted(err, key=lambda x: x[1]))
    return section(
        "truth", title,
        "The sandbox knows each channel's true incremental revenue (the world replayed with the channel switched "
        "off). Bars compare each channel's share of that with its share of attributed revenue under four models. "
        "Shares, not amounts: incremental revenue excludes orders that would have happened anyway.",
        chart + f'<p class="note">Share of revenue misplaced vs ground truth (half the sum of absolute gaps, lower '
        f"is better): {e(err_txt)}. Source: <code>{e(d.ground_truth_note)}</code>.</p>",
    )


def performance_section(d: ReportData) -> str:
    model = d.headline_model
    title = "ROAS, CPA, CAC and new-customer CAC by channel and campaign"
    if not d.performance:
        return section("performance", title, "", empty("No ad spend in fct_channel_performance_daily."))
    start, end = d.period
    buckets = date_range(start, end, d.bucket)
    labels = [b.strftime("%m-%d") for b in buckets]
    series_keys = sorted({(r["channel"], r["platform"]) for r in d.performance})
    by_key: dict[tuple, dict] = {}
    for r in d.performance:
        by_key.setdefault((r["channel"], r["platform"]), {})[r["bucket"]] = r
    colours = {key: svg.PLATFORM_COLORS.get(key[1]) or svg.SERIES_COLORS[i % len(svg.SERIES_COLORS)]
               for i, key in enumerate(series_keys)}
    charts = []
    metrics = [("roas", "ROAS (attributed revenue / spend)", ratio),
               ("cpa", "CPA (spend / attributed orders)", money),
               ("cac", "CAC (spend / attributed customers)", money),
               ("new_customer_cac", "New-customer CAC (spend / attributed first orders)", money)]
    for metric, metric_title, fmt in metrics:
        series = []
        for key in series_keys:
            vals = [by_key[key].get(b, {}).get(metric) for b in buckets]
            series.append((f"{key[1]} ({key[0]})", colours[key], [float(v) if v is not None else None for v in vals]))
        charts.append(svg.line_chart(f"perf_{metric}", labels, series, width=540, height=240, value_fmt=fmt,
                                     title=metric_title, label=f"{metric_title} per {d.bucket}"))
    platform_chart = ""
    if d.platform_vs_ours:
        pv = {}
        for r in d.platform_vs_ours:
            pv[(r["platform"], "platform-reported")] = float(r["platform_reported"] or 0)
            pv[(r["platform"], "last_touch")] = float(r["last_touch"] or 0)
            pv[(r["platform"], model)] = float(r["headline"] or 0)
        platform_chart = (
            "<h3>What the platforms claim vs what we credit</h3>"
            '<p class="explain">Conversions each ad platform reports for itself beside the orders our last-touch '
            f"and {e(model)} models credit to it. Platforms count view-throughs and overlap each other.</p>"
            + svg.grouped_hbar_chart(
                "platform_vs_ours", [r["platform"] for r in d.platform_vs_ours],
                [("platform-reported", svg.MODEL_COLORS["platform-reported"]),
                 ("last_touch", svg.MODEL_COLORS["last_touch"]), (model, svg.MODEL_COLORS.get(model, "#31a354"))],
                pv, width=1100, bar_height=12, value_fmt=lambda v: fmt_num(v), label="Platform-reported vs ours"))
    rows = []
    for i, c in enumerate(d.campaigns):
        series = [c["roas_series"].get(b) for b in buckets]
        colour = svg.PLATFORM_COLORS.get(c["platform"]) or svg.color_for(c["channel"])
        spark = svg.sparkline(f"spark_{i}", [float(v) if v is not None else None for v in series], labels=labels,
                              value_fmt=ratio, colour=colour)
        rows.append(
            f'<tr><td class="l"><span class="chip" style="background:{colour}"></span>'
            f'{e(c["campaign_name"] or c["campaign_id"])}</td><td class="l">{e(c["platform"])}</td>'
            f'<td>{money(c["spend"])}</td><td>{money(c["revenue"])}</td><td>{ratio(c["roas"])}</td>'
            f'<td>{ratio(c["roas_last_touch"])}</td><td>{money(c["cpa"])}</td>'
            f'<td>{money(c["new_customer_cac"])}</td><td>{fmt_num(c["platform_conversions"])}</td>'
            f"<td>{spark}</td></tr>")
    table = (
        f'<h3>Campaigns (top {len(d.campaigns)} by spend)</h3><p class="explain">Totals over the period under '
        f"{e(model)}, with last-touch ROAS beside it and {e(model)} ROAS per {d.bucket} as a sparkline.</p>"
        '<div class="scroll"><table><thead><tr><th class="l">campaign</th><th class="l">platform</th><th>spend</th>'
        f"<th>revenue ({e(model)})</th><th>ROAS</th><th>ROAS last touch</th><th>CPA</th><th>new-cust. CAC</th>"
        f"<th>platform conv.</th><th>ROAS per {d.bucket}</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table></div>")
    return section(
        "performance", title,
        f"Paid channels per {d.bucket} under the <b>{e(model)}</b> model. CAC divides spend by the buying "
        "customers the model credits to the channel (each counted once per period); new-customer CAC counts "
        "first orders only. Gaps are periods without spend or without credited orders.",
        '<div class="grid2">' + "".join(charts) + "</div>" + platform_chart + table,
    )


def cohort_section(d: ReportData) -> str:
    c = d.cohorts
    title = "Cohort retention"
    if not c.get("rows"):
        return section("cohorts", title, "", empty("No customers with orders yet."))
    unit = c["unit"]
    chart = svg.heatmap("cohort_retention", c["rows"], c["cols"], c["cells"], row_notes=c["sizes"],
                        width=1100, x_title=f"{unit}s since the first order →", y_title=f"first-order {unit}",
                        label=f"Retention by acquisition {unit}", value_fmt=lambda v: fmt_pct(v, 0))
    extra = ("" if unit == "month" else
             f" The history is shorter than two months, so cohorts are by {unit} instead of month.")
    return section(
        "cohorts", title,
        f"Customers grouped by the {unit} of their first order (cohort size in brackets); each cell is the share "
        f"of the cohort that ordered in the n-th {unit} after it. Column 0 is the acquisition {unit} itself."
        + extra, chart)


def ltv_section(d: ReportData) -> str:
    title = "Lifetime value by acquisition channel"
    if not d.ltv:
        return section("ltv", title, "", empty("No customers with orders yet."))
    channels = [r["channel"] for r in d.ltv]
    values, tips = {}, {}
    for r in d.ltv:
        for key, name in (("ltv_30d", "30-day LTV"), ("ltv_90d", "90-day LTV"), ("ltv", "lifetime to date")):
            if r[key] is not None:
                values[(r["channel"], name)] = float(r[key])
                tips[(r["channel"], name)] = (f"{r['channel']} · {name}: {money(r[key])} per customer "
                                              f"({r['customers']:,} customers)")
    labels = {c: f"{c} ({r['customers']:,})" for c, r in zip(channels, d.ltv, strict=True)}
    chart = svg.grouped_hbar_chart(
        "ltv_by_channel", [labels[c] for c in channels],
        [("30-day LTV", "#a9b8f5"), ("90-day LTV", "#6f86ee"), ("lifetime to date", "#283f9e")],
        {(labels[k[0]], k[1]): v for k, v in values.items()}, width=1100, bar_height=11, value_fmt=money,
        tips={(labels[k[0]], k[1]): v for k, v in tips.items()}, label="LTV by acquisition channel")
    body = "".join(
        f'<tr><td><span class="chip" style="background:{svg.color_for(r["channel"])}"></span>{e(r["channel"])}</td>'
        f'<td>{r["customers"]:,}</td><td>{money(r["ltv"])}</td><td>{r["orders_per_customer"]:.2f}</td>'
        f'<td>{fmt_pct(r["repeat_rate"], 1)}</td></tr>' for r in d.ltv)
    return section(
        "ltv", title,
        "Net revenue per buying customer (after refunds), by the channel that first touched their first "
        "order's path (customer count in brackets). Compare with the channel's new-customer CAC above.",
        chart + '<div class="scroll"><table><thead><tr><th class="l">acquisition channel</th><th>customers</th>'
        "<th>LTV to date</th><th>orders / customer</th><th>repeat rate</th></tr></thead><tbody>" + body
        + "</tbody></table></div>")


ACTION_COLORS = {"pause": "#d64545", "scale": "#2f9e5b", "review": "#e0a21a"}


def recommendations_section(d: ReportData) -> str:
    title = "Automation-rule recommendations"
    r = d.recommendations
    explain = ("Actions the KPI rules recommend per ad or campaign and day, with the figures that fired them. "
               "touchpath only recommends; nothing is changed on the ad platforms.")
    if not r.get("exists"):
        return section("recommendations", title, explain, empty("No recommendations table yet "
                                                                "(marts.fct_ad_recommendations does not exist)."))
    if not r["rows"]:
        return section("recommendations", title, explain, empty("No rule fired: the table is empty."))
    cols, names = r["columns"], r.get("names", {})
    chart = ""
    if r.get("summary"):
        bars = [(f"{s['rule_id']}", float(s["n"]), ACTION_COLORS.get(s["action"], "#888"),
                 f"{s['rule_id']} ({s['action']}): fired {s['n']:,} times") for s in r["summary"][:12]]
        chart = ("<h3>How often each rule fired</h3>"
                 '<p class="explain">Over the whole history; colour is the action '
                 '(<span class="tag pause">pause</span> <span class="tag scale">scale</span> '
                 '<span class="tag review">review</span>).</p>'
                 + svg.hbar_chart("recommendations_by_rule", bars, width=900, label_width=230, bar_height=16,
                                  label="Recommendations per rule"))

    def because(row: dict) -> str:
        def num(v) -> str:
            try:
                return fmt_num(float(v), 2)
            except (TypeError, ValueError):
                return "–"
        out = f"{row.get('metric')} {num(row.get('metric_value'))} {row.get('comparator')} {num(row.get('threshold'))}"
        if row.get("window_days") is not None:
            out += f" over {row['window_days']} d"
        if row.get("spend_in_window") is not None:
            out += f", spend {money(float(row['spend_in_window']))}"
        return out

    def cell(col: str, value, row: dict) -> str:
        if col == "fired_because":
            return f'<td class="l wrap">{e(because(row))}</td>'
        if col == "action" and value is not None:
            return f'<td class="l"><span class="tag {e(value)}">{e(value)}</span></td>'
        if col in ("campaign_id", "ad_id", "entity_id") and value is not None:
            name = names.get(str(value))
            label = f"{name}" if name else str(value)
            return f'<td class="l" title="{e(value)}">{e(label)}</td>'
        if isinstance(value, bool) or value is None:
            return f'<td class="l">{e("" if value is None else value)}</td>'
        if isinstance(value, int):
            return f"<td>{value:,}</td>"
        try:
            number = float(value)
        except (TypeError, ValueError):
            return f'<td class="l">{e(value)}</td>'
        return f"<td>{fmt_num(number, 2)}</td>"

    numeric = ("metric_value", "threshold", "window_days", "spend_in_window")
    head = "".join(f'<th class="{"" if c in numeric else "l"}">{e(c.replace("_id", "").replace("_", " "))}</th>'
                   for c in cols)
    body = "".join("<tr>" + "".join(cell(c, row.get(c), row) for c in cols) + "</tr>" for row in r["rows"])
    latest = f" on {r['latest_day']}" if r.get("latest_day") else ""
    return section(
        "recommendations", title, explain + f" {r['total']:,} recommendations in total.",
        chart + f"<h3>Latest day{e(latest)}</h3>"
        f'<p class="explain">Up to {len(r["rows"])} recommendations of the latest day, pause first; hover an id '
        "for the raw value.</p>"
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')
