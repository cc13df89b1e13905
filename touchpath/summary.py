"""A short, readable summary of the warehouse: rows per mart, revenue, spend, top channels."""

from pathlib import Path

import duckdb

MARTS = (
    "fct_sessions",
    "fct_touchpoints",
    "fct_conversion_paths",
    "fct_attribution",
    "fct_unattributed_orders",
    "fct_channel_performance_daily",
    "fct_funnel_daily",
    "dim_customers",
)


def summarize(warehouse: Path, models: tuple[str, ...] = ("last_touch", "markov"), top: int = 5) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        lines = ["touchpath warehouse: " + str(warehouse), "", "rows per mart:"]
        for table in MARTS:
            (count,) = con.execute(f"select count(*) from marts.{table}").fetchone()
            lines.append(f"  {table:<32} {count:>10,}")
        orders, revenue = con.execute(
            "select count(*), coalesce(sum(revenue_reporting), 0) from marts.fct_conversion_paths"
        ).fetchone()
        (spend,) = con.execute(
            "select coalesce(sum(spend), 0) from marts.fct_channel_performance_daily where model = 'last_touch'"
        ).fetchone()
        lines += ["", f"orders: {orders:,}   revenue: {revenue:,.2f}   ad spend: {spend:,.2f}"]
        for model in models:
            lines += ["", f"top channels by attributed revenue ({model}):"]
            rows = con.execute(
                """
                select channel, sum(attributed_revenue) as revenue, sum(spend) as spend
                from marts.fct_channel_performance_daily
                where model = ?
                group by channel
                order by revenue desc
                limit ?
                """,
                [model, top],
            ).fetchall()
            for channel, attributed, channel_spend in rows:
                roas = f"{attributed / channel_spend:6.2f}" if channel_spend else "     -"
                lines.append(f"  {channel:<16} {attributed:>12,.2f}   ROAS {roas}")
        return "\n".join(lines)
    finally:
        con.close()
