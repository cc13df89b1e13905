"""A markdown digest of the report for the Dagster asset's metadata."""

from __future__ import annotations

from pathlib import Path

from touchpath.report.data import connect, funnel, rows


def preview(warehouse_path: Path | str, models: tuple[str, ...] = ("last_touch", "markov"), top: int = 5) -> str:
    con = connect(warehouse_path)
    try:
        lines = ["**Top channels by attributed revenue**", ""]
        header = "| channel | " + " | ".join(f"{m} revenue | {m} ROAS" for m in models) + " |"
        lines += [header, "|" + "---|" * (1 + 2 * len(models))]
        data = rows(con, f"""
            select channel, model, sum(attributed_revenue) as revenue, sum(spend) as spend
            from marts.fct_channel_performance_daily
            where model in ({", ".join("?" for _ in models)})
            group by channel, model
        """, list(models))
        by = {(r["channel"], r["model"]): r for r in data}
        channels = sorted({r["channel"] for r in data}, key=lambda c: -(by.get((c, models[0]), {}).get("revenue") or 0))
        for channel in channels[:top]:
            cells = []
            for m in models:
                r = by.get((channel, m), {})
                revenue, spend = r.get("revenue") or 0, r.get("spend") or 0
                cells += [f"{revenue:,.0f}", f"{revenue / spend:.2f}" if spend else "–"]
            lines.append(f"| {channel} | " + " | ".join(cells) + " |")
        lines += ["", "**Funnel** (people per stage, summed over days and channels)", "",
                  "| stage | people | to next | drop-off |", "|---|---|---|---|"]
        for s in funnel(con):
            conv = s["conversion_to_next"]
            lines.append(f"| {s['stage']} | {int(s['people'] or 0):,} | "
                         f"{f'{conv:.1%}' if conv is not None else '–'} | "
                         f"{f'{1 - conv:.1%}' if conv is not None else '–'} |")
        return "\n".join(lines)
    finally:
        con.close()
