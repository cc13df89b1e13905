{{
    config(
        materialized='incremental',
        incremental_strategy='delete_any+insert',
        delete_keys=['customer_key'],
        insert_where='touchpoint_id is not null',
        on_schema_change='fail',
    )
}}
-- One row per order × touch on its conversion path: the person's touches at or before the order,
-- inside var('attribution_lookback_days'), and (var 'attribution_reset_on_order') after their
-- previous order, so a touch is credited to one order only. Ordered by time, ties by touch id.
--
-- Incremental by person (delete_any+insert on customer_key; docs/decisions.md, "Incremental models"): an
-- order's rows depend only on its own fields, its previous order and its person's touches, so a run
-- recomputes every order of each person something can have changed for:
--   - persons with orders or touches of loads newer than this table's (`load_id`: the newer of the order's
--     and the touch's): new and edited orders, new events, re-sessionized devices, devices moved by a new
--     identify, and devices moved because a new or edited order made their email a customer's (the device
--     joins that order's customer, whose order is of a newer load);
--   - stored orders that are gone or differ now (person, time, previous order, revenue), for the person
--     they had and the one they have (a guest order whose email now maps to a customer, new FX rates);
--   - stored touches that are gone or differ now (person, time, channel, platform, campaign, ad), for the
--     person they had and the one they have (stitching moved the device, the ads were restated, a late
--     event merged the session away).
-- A touch on no stored path joins one only through one of these. One row per recomputed person without a
-- touch (never inserted) makes the strategy delete the stored rows of a person with no path left.
-- A change of the attribution vars needs `dbt build --full-refresh -s int_order_touchpoints+`.
{%- set order_fields = ['customer_key', 'ordered_at', 'previous_ordered_at', 'revenue_reporting'] %}
{%- set touch_fields = ['customer_key', 'touched_at', 'channel', 'platform', 'campaign_id', 'ad_id'] %}
with

orders as (
    select * from {{ ref('int_orders') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints') }}
),

{% if is_incremental() %}
{#- (a unit test's `this` is a CTE name, not a relation: nothing stored to check) -#}
{%- if execute and this is not string
    and 'load_id' not in (adapter.get_columns_in_relation(this) | map(attribute='name') | list) %}
    {{ exceptions.raise_compiler_error(
        this ~ ' was built by an older touchpath (a table without load_id): run `dbt build --full-refresh -s '
        ~ 'int_order_touchpoints+` once (README, Migration notes).') }}
{%- endif %}

stored_orders as (
    select distinct order_id, {{ order_fields | join(', ') }}
    from {{ this }}
),

changed_orders as (
    select
        stored_orders.customer_key as stored_customer_key,
        orders.customer_key as current_customer_key
    from stored_orders
    left join orders
        on stored_orders.order_id = orders.order_id
    where orders.order_id is null
        or {{ rows_differ('stored_orders', 'orders', order_fields) }}
),

changed_touches as (
    select
        stored.customer_key as stored_customer_key,
        touchpoints.customer_key as current_customer_key
    from {{ this }} as stored
    left join touchpoints
        on stored.touchpoint_id = touchpoints.touchpoint_id
    where touchpoints.touchpoint_id is null
        or {{ rows_differ('stored', 'touchpoints', touch_fields) }}
),

affected_customers as (
    select customer_key from orders where load_id > {{ load_watermark(this) }}
    union
    select customer_key from touchpoints where load_id > {{ load_watermark(this) }}
    union
    select stored_customer_key from changed_orders
    union
    select current_customer_key from changed_orders where current_customer_key is not null
    union
    select stored_customer_key from changed_touches
    union
    select current_customer_key from changed_touches where current_customer_key is not null
),

scoped_orders as (
    select orders.*
    from orders
    where orders.customer_key in (select customer_key from affected_customers)
),

scoped_touchpoints as (
    select touchpoints.*
    from touchpoints
    where touchpoints.customer_key in (select customer_key from affected_customers)
),

{% else %}

scoped_orders as (
    select * from orders
),

scoped_touchpoints as (
    select * from touchpoints
),

{% endif %}

joined as (
    select
        scoped_orders.order_id,
        scoped_orders.customer_key,
        scoped_orders.ordered_at,
        scoped_orders.previous_ordered_at,
        scoped_orders.revenue_reporting,
        scoped_touchpoints.touchpoint_id,
        scoped_touchpoints.touched_at,
        scoped_touchpoints.channel,
        scoped_touchpoints.platform,
        scoped_touchpoints.campaign_id,
        scoped_touchpoints.ad_id,
        -- lineage: the newer of the order's and the touch's dlt load (the incremental watermark)
        greatest(scoped_orders.load_id, scoped_touchpoints.load_id) as load_id
    from scoped_orders
    inner join scoped_touchpoints
        on scoped_orders.customer_key = scoped_touchpoints.customer_key
        and scoped_touchpoints.touched_at <= scoped_orders.ordered_at
        and scoped_touchpoints.touched_at > {{ dbt.dateadd('day', -1 * var('attribution_lookback_days'), 'scoped_orders.ordered_at') }}
        {% if var('attribution_reset_on_order') %}
        and (scoped_orders.previous_ordered_at is null or scoped_touchpoints.touched_at > scoped_orders.previous_ordered_at)
        {% endif %}
),

positioned as (
    select
        joined.*,
        row_number() over (
            partition by joined.order_id order by joined.touched_at, joined.touchpoint_id
        ) as touch_position,
        count(*) over (partition by joined.order_id) as touch_count,
        {{ dbt.datediff('joined.touched_at', 'joined.ordered_at', 'second') }} / 86400.0 as days_before_order
    from joined
)

select * from positioned
{% if is_incremental() %}
union all
-- one row per recomputed person: deletes their stored rows (and is not inserted)
select
    {%- for column in ['order_id', 'customer_key', 'ordered_at', 'previous_ordered_at', 'revenue_reporting',
        'touchpoint_id', 'touched_at', 'channel', 'platform', 'campaign_id', 'ad_id', 'load_id',
        'touch_position', 'touch_count', 'days_before_order'] %}
    {{ 'affected_customers.customer_key' if column == 'customer_key' else 'null' }} as {{ column }}
    {{- ',' if not loop.last }}
    {%- endfor %}
from affected_customers
{% endif %}
