"""One person's journey in time order: sessions (with their touch), funnel events, orders, and for each
touch on an order's path the credit it gets under every attribution model. Plain text, for a terminal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from touchpath.report.data import MODELS, connect, rows, table_exists

MODEL_HEADERS = {"first_touch": "first", "last_touch": "last", "last_non_direct": "last_nd", "linear": "linear",
                 "time_decay": "decay", "position_based": "position", "markov": "markov", "shapley": "shapley"}


class UnknownCustomer(LookupError):
    pass


@dataclass
class Journey:
    customer_key: str
    profile: dict | None
    sessions: list[dict]
    events: list[dict]
    orders: list[dict]
    credits: dict[str, list[dict]]  # order_id -> touches with a credit per model
    models: list[str]


def fetch(warehouse: Path | str, customer_key: str) -> Journey:
    con = connect(warehouse)
    try:
        profile = rows(con, "select * from marts.dim_customers where customer_key = ?", [customer_key])
        sessions = rows(con, """
            select s.session_id, s.started_at, s.ended_at, s.channel, s.platform, s.source, s.medium, s.campaign,
                   s.referrer_host, s.landing_page_path, s.device_type, s.event_count, s.is_bounce,
                   s.has_add_to_cart, s.has_order, t.touchpoint_id, t.touch_type, t.campaign_id, t.campaign_name,
                   t.ad_id, t.ad_name
            from marts.fct_sessions as s
            left join marts.fct_touchpoints as t on t.session_id = s.session_id
            where s.customer_key = ?
            order by s.started_at, s.session_id
        """, [customer_key])
        orders = rows(con, """
            select order_id, ordered_at, revenue, currency, revenue_reporting, net_revenue_reporting,
                   is_first_order, order_number, is_cancelled, touchpoint_count, channel_path, days_to_convert
            from marts.fct_conversion_paths
            where customer_key = ?
            order by ordered_at, order_id
        """, [customer_key])
        if not (profile or sessions or orders):
            raise UnknownCustomer(customer_key)
        events = funnel_events(con, [s["session_id"] for s in sessions])
        credit_rows = rows(con, """
            select a.order_id, a.touchpoint_id, a.touched_at, a.touch_position, a.channel, a.platform,
                   coalesce(t.campaign_name, a.campaign_id) as campaign, a.model, a.credit, a.attributed_revenue
            from marts.fct_attribution as a
            left join marts.fct_touchpoints as t on t.touchpoint_id = a.touchpoint_id
            where a.customer_key = ?
            order by a.ordered_at, a.order_id, a.touch_position
        """, [customer_key])
        models = [m for m in MODELS if any(r["model"] == m for r in credit_rows)]
        models += sorted({r["model"] for r in credit_rows} - set(models))
        credits: dict[str, list[dict]] = {}
        for r in credit_rows:
            touches = credits.setdefault(r["order_id"], [])
            touch = next((t for t in touches if t["touchpoint_id"] == r["touchpoint_id"]), None)
            if touch is None:
                touch = {k: r[k] for k in ("touchpoint_id", "touched_at", "touch_position", "channel", "platform",
                                           "campaign")}
                touch["credit"] = {}
                touches.append(touch)
            touch["credit"][r["model"]] = r["credit"]
        for touches in credits.values():
            touches.sort(key=lambda t: t["touch_position"])
        return Journey(customer_key, profile[0] if profile else None, sessions, events, orders, credits, models)
    finally:
        con.close()


def funnel_events(con, session_ids: list[str]) -> list[dict]:
    """The session events that mark a funnel stage (funnel_stages seed); empty if the tables are absent."""
    if not session_ids or not table_exists(con, "intermediate", "int_events_sessionized"):
        return []
    seed_schema = next((s for (s,) in con.execute(
        "select table_schema from information_schema.tables where table_name = 'funnel_stages' "
        "order by table_schema").fetchall()), None)
    if seed_schema is None:
        return []
    return rows(con, f"""
        select e.session_id, e.event_at, e.event_name, min(f.stage) as stage, e.page_path, e.order_id,
               e.revenue, e.currency
        from intermediate.int_events_sessionized as e
        inner join "{seed_schema}".funnel_stages as f on e.event_name = f.event_name
        where e.session_id in (select unnest(?::varchar[]))
        group by all
        order by e.event_at, e.event_name
    """, [session_ids])


def collapse_events(events: list[dict]) -> list[dict]:
    """Funnel events beyond awareness (a session is the awareness), one line per session and event name
    at its first occurrence, with how many times it happened; events about an order are kept apart."""
    out: dict[tuple, dict] = {}
    for ev in events:
        if ev["stage"] == "awareness":
            continue
        key = (ev["session_id"], ev["event_name"], ev["order_id"])
        if key in out:
            out[key]["times"] += 1
        else:
            out[key] = {**ev, "times": 1}
    return list(out.values())


def _ts(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _cut(value, width: int) -> str:
    s = "" if value is None else str(value)
    return s if len(s) <= width else s[: width - 1] + "…"


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def format_journey(j: Journey) -> str:
    out: list[str] = []
    p = j.profile or {}
    out.append(f"customer {j.customer_key}")
    facts = [
        f"segment {p.get('segment', '-')}",
        f"type {p.get('customer_type', '-')}",
        f"acquisition channel {p.get('acquisition_channel') or '-'}",
        f"furthest stage {p.get('furthest_stage', '-')}",
        f"{len(j.sessions)} sessions",
        f"{len(j.orders)} orders",
        f"lifetime revenue {_money(p.get('lifetime_revenue'))}",
    ]
    out.append("  " + " · ".join(facts))
    out.append("")
    out.append("TIMELINE (UTC) · sessions with their touch, funnel events beyond awareness, orders")
    header = f"  {'time':<19}  {'what':<8}  {'channel':<14}  {'source / medium / campaign':<40}  detail"
    out += [header, "  " + "-" * (len(header) + 20)]

    timeline: list[tuple] = []
    for s in j.sessions:
        src = " / ".join(x for x in (s["source"], s["medium"], s["campaign_name"] or s["campaign"]) if x) \
            or (s["referrer_host"] or "(none)")
        detail = [f"{s['event_count']} event{'' if s['event_count'] == 1 else 's'}"]
        if s["touch_type"]:
            detail.append(f"touch {s['touch_type']}")
        if s["platform"]:
            detail.append(f"platform {s['platform']}")
        if s["ad_name"] or s["ad_id"]:
            detail.append(f"ad {s['ad_name'] or s['ad_id']}")
        if s["landing_page_path"]:
            detail.append(f"landing {s['landing_page_path']}")
        if s["is_bounce"]:
            detail.append("bounce")
        timeline.append((s["started_at"], 0, f"  {_ts(s['started_at']):<19}  {'session':<8}  {_cut(s['channel'], 14):<14}"
                                            f"  {_cut(src, 40):<40}  {', '.join(detail)}"))
    for ev in collapse_events(j.events):
        detail = ev["stage"]
        if ev["order_id"]:
            detail += f", order {ev['order_id']}"
        name = ev["event_name"] + (f" ×{ev['times']}" if ev["times"] > 1 else "")
        timeline.append((ev["event_at"], 1, f"  {_ts(ev['event_at']):<19}  {'  event':<8}  {'':<14}  "
                                           f"{_cut(name, 40):<40}  {detail}"))
    for o in j.orders:
        flags = ["first order" if o["is_first_order"] else f"order #{o['order_number']}"]
        if o["is_cancelled"]:
            flags.append("cancelled")
        flags.append(f"{o['touchpoint_count']} touches on path")
        timeline.append((o["ordered_at"], 2, f"  {_ts(o['ordered_at']):<19}  {'ORDER':<8}  {'':<14}  "
                                            f"{_cut('order ' + str(o['order_id']), 40):<40}  "
                                            f"{_money(o['revenue'])} {o['currency']} · {', '.join(flags)}"))
    timeline.sort(key=lambda t: (t[0] or datetime.min, t[1]))
    out += [line for _, _, line in timeline]

    for o in j.orders:
        out.append("")
        out.append(f"ORDER {o['order_id']} · {_ts(o['ordered_at'])} · {_money(o['revenue'])} {o['currency']} "
                   f"({_money(o['revenue_reporting'])} reporting) · "
                   f"{'first order' if o['is_first_order'] else 'repeat order'}")
        out.append(f"  path: {o['channel_path']}")
        touches = j.credits.get(o["order_id"], [])
        if not touches:
            out.append("  no touch in the lookback window: unattributed (see marts.fct_unattributed_orders)")
            continue
        if o["days_to_convert"] is not None:
            out.append(f"  days from first touch to order: {o['days_to_convert']:.1f}")
        heads = [MODEL_HEADERS.get(m, m[:8]) for m in j.models]
        head = f"  {'#':>2}  {'touched at':<19}  {'channel':<14}  {'platform':<10}  {'campaign':<24}" + "".join(
            f"  {h:>8}" for h in heads)
        out += ["  credit per model:", head, "  " + "-" * (len(head) - 2)]
        totals = {m: 0.0 for m in j.models}
        for t in touches:
            cells = []
            for m in j.models:
                c = t["credit"].get(m)
                totals[m] += c or 0.0
                cells.append(f"  {c:>8.3f}" if c is not None else f"  {'-':>8}")
            out.append(f"  {t['touch_position']:>2}  {_ts(t['touched_at']):<19}  {_cut(t['channel'], 14):<14}  "
                       f"{_cut(t['platform'] or '-', 10):<10}  {_cut(t['campaign'] or '-', 24):<24}" + "".join(cells))
        out.append(f"  {'':>2}  {'sum':<19}  {'':<14}  {'':<10}  {'':<24}" + "".join(
            f"  {totals[m]:>8.3f}" for m in j.models))
    if j.orders and j.credits:
        out.append("")
        out.append("  models: " + ", ".join(f"{MODEL_HEADERS.get(m, m)} = {m}" for m in j.models))
    return "\n".join(out)
