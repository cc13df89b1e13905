-- One row per order × touch on its conversion path: the person's touches at or before the order,
-- inside var('attribution_lookback_days'), and (var 'attribution_reset_on_order') after their
-- previous order, so a touch is credited to one order only. Ordered by time, ties by touch id.
with

orders as (
    select * from {{ ref('int_orders') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints') }}
),

joined as (
    select
        orders.order_id,
        orders.customer_key,
        orders.ordered_at,
        orders.revenue_reporting,
        touchpoints.touchpoint_id,
        touchpoints.touched_at,
        touchpoints.channel,
        touchpoints.platform,
        touchpoints.campaign_id,
        touchpoints.ad_id
    from orders
    inner join touchpoints
        on orders.customer_key = touchpoints.customer_key
        and touchpoints.touched_at <= orders.ordered_at
        and touchpoints.touched_at > {{ dbt.dateadd('day', -1 * var('attribution_lookback_days'), 'orders.ordered_at') }}
        {% if var('attribution_reset_on_order') %}
        and (orders.previous_ordered_at is null or touchpoints.touched_at > orders.previous_ordered_at)
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
