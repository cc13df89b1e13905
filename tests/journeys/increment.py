"""A crafted increment for the golden test: the cases that make incremental runs hard, written into the
raw tables as one new load, the way the tracker and Shopify would deliver them.

- a late page view between two sessions of a device, within the timeout of both: they merge, and the
  second session's id disappears;
- an anonymous device identifies as an existing customer: its anonymous person disappears;
- an identified device gets an identify earlier than its first one, as another customer: it moves from
  one existing person to another (the old one keeps their other items);
- a customer's second order is edited to before their first: the two orders swap purchase/retention;
- another order's total is edited: its path keeps the same touches, only its revenue changes (what an
  incremental model keyed on paths must still notice);
- events are delivered again: a second raw copy (as a re-export appends one) received earlier than the
  staged one (it replaces it, with the new load's id), one received later (it changes nothing), and one
  re-delivered through the API, whose merge replaces the raw row in place (the event now carries the new
  load's id, as a full refresh would say);
- Meta restates an ad that is on conversion paths into another campaign (its latest day re-read): the paths
  keep their touches, only the touches' campaign changes (no new event, no order edit);
- an anonymous device identifies by email only, and a guest checkout with that email follows (its person
  is `email:<hash>`, its path the device's sessions); then, in a second load with no tracking events
  (`craft_email_customer`), an order of a Shopify customer carries the email: the email, the device and
  the guest order all become that customer's, with no new event on the device.

`craft_increment` picks the cases from the warehouse as built so far and returns what the next build must
show; `assert_increment_applied` checks it did (else the comparison would prove nothing).
"""

from dataclasses import dataclass
from datetime import timedelta

import duckdb

# Copies of existing raw events keep their device's context (user agent, page); these fields are reset.
CLEARED = ("event", "traits__email_hash", "context__traits__email_hash", "properties__order_id",
           "properties__revenue", "properties__currency", "properties__product_id")


@dataclass
class Increment:
    merged_away_session: str
    anonymous_device: str
    identified_as: str
    moved_device: str
    moved_from: str
    moved_to: str
    swapped_order: str
    repriced_order: str
    redelivered_earlier: str
    redelivered_later: str
    merged_again: str
    restated_ad: str
    email_device: str
    guest_order: str
    load_id: str


def _later_load(load_id: str) -> str:
    """A dlt load id (its start time) newer than `load_id`, for a crafted load."""
    return f"{int(float(load_id)) + 100}.0000000"


def _scalar(con, sql: str, *params):
    return con.execute(sql, list(params)).fetchone()[0]


def _one(con, sql: str, what: str, params=()) -> tuple:
    row = con.execute(sql, params).fetchone()
    assert row is not None, f"the world has no {what}: the golden test would prove nothing"
    return row


def _copy_event(con, load_id: str, received_at, source_id: str, new_id: str, at, type_: str, user_id=None):
    cleared = "".join(f", null as {column}" for column in CLEARED)
    con.execute(
        f"""
        insert into raw_tracking.events by name
        select * replace (
            ? as message_id, ? as type, cast(? as timestamptz) as "timestamp",
            cast(? as timestamptz) as received_at, ? as _dlt_load_id, ? as _dlt_id,
            cast(? as varchar) as user_id{cleared}
        )
        from raw_tracking.events where message_id = ? limit 1
        """,
        [new_id, type_, at, received_at, load_id, new_id, user_id, source_id],
    )


def _redeliver(con, load_id: str, message_id: str, received_at) -> None:
    con.execute(
        """
        insert into raw_tracking.events by name
        select * replace (cast(? as timestamptz) as received_at, ? as _dlt_load_id, ? || '-again' as _dlt_id)
        from raw_tracking.events where message_id = ? limit 1
        """,
        [received_at, load_id, message_id, message_id],
    )


# a made-up email hash, 64 hex characters like staging's sha256 ones; no order or event carries it yet
GOLDEN_EMAIL_HASH = "5d41402abc4b2a76b9719d911017c592" * 2
GOLDEN_CUSTOMER_ID = 990_000_001


def _new_order(con, load_id: str, at, customer_id: int | None) -> int:
    """A new raw Shopify order with the golden email, copied from an existing one (as the API's merge
    would write it); no line items. Returns its id."""
    order_id, = con.execute("select max(id) + 1 from raw_shopify.orders").fetchone()
    con.execute(
        """
        insert into raw_shopify.orders by name
        select * replace (
            ? as id, '#golden-' || ? as name, cast(? as timestamptz) as created_at,
            cast(? as timestamptz) as updated_at, cast(? as timestamptz) as processed_at, null as cancelled_at,
            0 as total_refunded, ? as email_hash, ? as contact_email_hash, cast(? as bigint) as customer__id,
            ? as customer__email_hash, ? as _dlt_load_id, 'golden-order-' || ? as _dlt_id
        )
        from raw_shopify.orders order by id limit 1
        """,
        [order_id, order_id, at, at, at, GOLDEN_EMAIL_HASH, GOLDEN_EMAIL_HASH, customer_id,
         GOLDEN_EMAIL_HASH if customer_id is not None else None, load_id, order_id],
    )
    return order_id


def craft_email_customer(warehouse, inc: Increment) -> str:
    """The second crafted load (Shopify only): a Shopify customer's order with the golden email, after the
    guest order. Returns that customer's key."""
    con = duckdb.connect(str(warehouse))
    try:
        guest_at, = _one(con, "select created_at from raw_shopify.orders where id = ?", "guest order",
                         [int(inc.guest_order)])
        _new_order(con, _later_load(inc.load_id), guest_at + timedelta(minutes=5), customer_id=GOLDEN_CUSTOMER_ID)
        return str(GOLDEN_CUSTOMER_ID)
    finally:
        con.close()


def craft_increment(warehouse) -> Increment:
    con = duckdb.connect(str(warehouse))
    try:
        (newest_load, newest_received) = _one(
            con, "select max(_dlt_load_id), max(received_at) from raw_tracking.events", "tracking load")
        load_id = _later_load(newest_load)
        received = newest_received + timedelta(days=1)

        # 1. two sessions 31-55 minutes apart, the second without a campaign of its own: one event between merges them
        merged_device, second_session, first_ended, second_started = _one(con, """
            with ordered as (
                select *, lag(session_id) over (partition by device_key order by started_at, session_id) as previous_id,
                    lag(ended_at) over (partition by device_key order by started_at, session_id) as previous_ended_at
                from intermediate.int_sessions
            )
            select device_key, session_id, previous_ended_at, started_at from ordered
            where anonymous_id is not null and click_id is null
                and source is null and medium is null and campaign is null
                and started_at - previous_ended_at between interval 31 minute and interval 55 minute
            order by session_id limit 1""", "pair of mergeable sessions")
        _copy_event(con, load_id, received, second_session, "golden-late-bridge",
                    first_ended + (second_started - first_ended) / 2, "page")

        # 2. a never-identified device identifies as a customer with orders and sessions
        customer, = _one(con, """
            select orders.customer_key from intermediate.int_orders as orders
            where orders.shopify_customer_id is not null
                and orders.customer_key in (select customer_key from intermediate.int_sessions)
            order by orders.customer_key limit 1""", "customer with orders and sessions")
        device, last_event = _one(con, """
            select device_key, max(event_at) from intermediate.int_event_sessions
            where device_key in (select anonymous_id from intermediate.int_identity_map where not is_identified)
                and device_key <> ?
            group by device_key order by device_key limit 1""", "anonymous device", [merged_device])
        last_id, = _one(con, "select event_id from intermediate.int_event_sessions where device_key = ? "
                             "order by event_at desc, event_id desc limit 1", "event", [device])
        _copy_event(con, load_id, received, last_id, "golden-identify", last_event + timedelta(minutes=1),
                    "identify", user_id=customer)

        # 3. an identified device whose person keeps other devices gets an earlier identify as someone else
        moved, moved_from, first_id, first_at = _one(con, """
            with people as (
                select customer_key from intermediate.int_identity_map
                where is_identified group by customer_key having count(*) > 1
            ),
            firsts as (
                select device_key, event_id, event_at,
                    row_number() over (partition by device_key order by event_at, event_id) as position
                from intermediate.int_event_sessions
            )
            select map.anonymous_id, map.customer_key, firsts.event_id, firsts.event_at
            from intermediate.int_identity_map as map
            inner join people on map.customer_key = people.customer_key
            inner join firsts on map.anonymous_id = firsts.device_key and firsts.position = 1
            where not map.has_identity_conflict and map.anonymous_id <> ? and map.customer_key <> ?
            order by map.anonymous_id limit 1""", "person with two identified devices", [merged_device, customer])
        moved_to, = _one(con, """
            select customer_key from intermediate.int_orders
            where shopify_customer_id is not null and customer_key not in (?, ?)
            order by customer_key desc limit 1""", "second customer", [moved_from, customer])
        _copy_event(con, load_id, received, first_id, "golden-earlier-identify",
                    first_at - timedelta(hours=2), "identify", user_id=moved_to)

        # 4. a customer's second order (both with an Order Completed event) edited to before the first
        swapped, first_ordered = _one(con, """
            with tracked as (
                select orders.*, min(orders.ordered_at) over (partition by orders.customer_key) as first_ordered_at
                from intermediate.int_orders as orders
                where orders.order_id in (
                    select order_id from staging.stg_tracking__events where event_name = 'Order Completed')
            )
            select order_id, first_ordered_at from tracked
            where order_number = 2 and customer_key in (select customer_key from tracked where order_number = 1)
            order by order_id limit 1""", "customer with two tracked orders")
        con.execute(
            "update raw_shopify.orders set created_at = cast(? as timestamptz), _dlt_load_id = ? where id = ?",
            [first_ordered - timedelta(minutes=1), load_id, int(swapped)],
        )

        # 5. an order with touches and a single order (no renumbering) gets a new total
        repriced, = _one(con, """
            select orders.order_id from intermediate.int_orders as orders
            where orders.order_id in (select order_id from intermediate.int_order_touchpoints)
                and orders.customer_key not in (select customer_key from intermediate.int_orders where order_number > 1)
                and orders.customer_key not in (?, ?, ?)
            order by orders.order_id limit 1""", "single order with touches", [customer, moved_from, moved_to])
        con.execute(
            "update raw_shopify.orders set total_price = total_price + 10, _dlt_load_id = ? where id = ?",
            [load_id, int(repriced)],
        )

        # 6. events delivered again, one copy received before the staged one, one after
        earlier, later, merged = (row[0] for row in con.execute(
            "select event_id from staging.stg_tracking__events where event_type = 'page' "
            "order by event_id limit 3").fetchall())
        _redeliver(con, load_id, earlier, _one(
            con, "select received_at - interval 1 second from raw_tracking.events where message_id = ?",
            "event", [earlier])[0])
        _redeliver(con, load_id, later, received)
        con.execute("update raw_tracking.events set _dlt_load_id = ? where message_id = ?", [load_id, merged])

        # 7. an ad on conversion paths moves to another campaign in the platform's latest report of it
        restated_ad, = _one(con, """
            select ad_id from intermediate.int_order_touchpoints
            where platform = 'meta' and ad_id is not null
            order by ad_id limit 1""", "Meta ad on a conversion path")
        con.execute("""
            update raw_meta_ads.insights set campaign_id = campaign_id || '-restated', _dlt_load_id = ?
            where ad_id = ? and date_start = (select max(date_start) from raw_meta_ads.insights where ad_id = ?)
            """, [load_id, restated_ad, restated_ad])
        # 8. an anonymous device identifies by email only, then checks out as a guest with that email
        email_device, email_last_event = _one(con, """
            select device_key, max(event_at) from intermediate.int_event_sessions
            where device_key in (select anonymous_id from intermediate.int_identity_map where not is_identified)
                and device_key not in (?, ?, ?)
            group by device_key order by device_key desc limit 1""", "second anonymous device",
            [merged_device, device, moved])
        email_last_id, = _one(con, "select event_id from intermediate.int_event_sessions where device_key = ? "
                                   "order by event_at desc, event_id desc limit 1", "event", [email_device])
        _copy_event(con, load_id, received, email_last_id, "golden-email-identify",
                    email_last_event + timedelta(minutes=1), "identify")
        con.execute("update raw_tracking.events set traits__email_hash = ? where message_id = 'golden-email-identify'",
                    [GOLDEN_EMAIL_HASH])
        guest_order = _new_order(con, load_id, email_last_event + timedelta(minutes=2), customer_id=None)
        return Increment(second_session, device, customer, moved, moved_from, moved_to, swapped, repriced, earlier,
                         later, merged, restated_ad, email_device, str(guest_order), load_id)
    finally:
        con.close()


def assert_increment_applied(warehouse, inc: Increment) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert _scalar(con, "select count(*) from intermediate.int_sessions where session_id = ?",
                      inc.merged_away_session) == 0, "the late event did not merge the two sessions"
        assert _scalar(con, "select count(distinct customer_key) from intermediate.int_sessions where device_key = ?",
                      inc.anonymous_device) == 1
        assert _scalar(con, "select min(customer_key) from intermediate.int_sessions where device_key = ?",
                      inc.anonymous_device) == inc.identified_as, "the identify did not stitch the device"
        assert _scalar(con, "select count(*) from marts.fct_customer_journeys where customer_key = ?",
                      inc.anonymous_device) == 0, "the anonymous person outlived their device"
        assert _scalar(con, "select min(customer_key) from intermediate.int_sessions where device_key = ?",
                      inc.moved_device) == inc.moved_to, "the earlier identify did not move the device"
        assert _scalar(con, "select count(*) from marts.fct_customer_journeys where customer_key = ?", inc.moved_from) > 0
        assert _scalar(con, "select funnel_stage from marts.fct_customer_journeys where item_type = 'order' and item_id = ?",
                      inc.swapped_order) == "purchase", "the edited order did not become the first"
        assert _scalar(con, "select load_id from staging.stg_shopify__orders where order_id = ?",
                      inc.repriced_order) == inc.load_id, "the repriced order was not reloaded"
        assert _scalar(con, "select load_id from staging.stg_tracking__events where event_id = ?",
                      inc.redelivered_earlier) == inc.load_id, "the earlier copy did not replace the staged one"
        assert _scalar(con, "select load_id from staging.stg_tracking__events where event_id = ?",
                      inc.redelivered_later) != inc.load_id, "a later copy replaced the staged one"
        assert _scalar(con, "select load_id from staging.stg_tracking__events where event_id = ?",
                      inc.merged_again) == inc.load_id, "the event merged again kept its old load"
        assert _scalar(con, "select count(*) from intermediate.int_order_touchpoints where ad_id = ? "
                      "and campaign_id not like '%-restated'", inc.restated_ad) == 0, "the ad's paths kept its old campaign"
        email_person = "email:" + GOLDEN_EMAIL_HASH
        assert _scalar(con, "select min(customer_key) from intermediate.int_sessions where device_key = ?",
                      inc.email_device) == email_person, "the email-only identify did not stitch the device"
        assert _scalar(con, "select count(*) from intermediate.int_order_touchpoints where order_id = ? "
                      "and customer_key = ?", inc.guest_order, email_person) > 0, "the guest order has no path"
    finally:
        con.close()


def assert_email_customer_applied(warehouse, inc: Increment, customer_key: str) -> None:
    """After the second load: the device and the guest order's path belong to the customer now."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert _scalar(con, "select min(customer_key) from intermediate.int_sessions where device_key = ?",
                      inc.email_device) == customer_key, "the customer's order did not move the email's device"
        assert _scalar(con, "select count(*) from intermediate.int_order_touchpoints where order_id = ? "
                      "and customer_key = ?", inc.guest_order, customer_key) > 0, "the guest order's path did not move"
        assert _scalar(con, "select count(*) from intermediate.int_order_touchpoints where customer_key = ?",
                      "email:" + GOLDEN_EMAIL_HASH) == 0, "the email's person kept a path"
    finally:
        con.close()
