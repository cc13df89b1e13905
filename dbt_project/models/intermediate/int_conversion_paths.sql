-- One row per order: its conversion path (channels of its touches in time order) and its shape.
-- Orders with no touch keep `touchpoint_count = 0` and the path '(none)'.
with

orders as (
    select * from {{ ref('int_orders') }}
),

order_touchpoints as (
    select * from {{ ref('int_order_touchpoints') }}
),

paths as (
    select
        order_id,
        {{ dbt.listagg('channel', "' > '", 'order by touch_position') }} as channel_path,
        count(*) as touchpoint_count,
        count(distinct channel) as distinct_channel_count,
        min(touched_at) as first_touch_at,
        max(touched_at) as last_touch_at
    from order_touchpoints
    group by order_id
),

final as (
    select
        orders.order_id,
        orders.customer_key,
        orders.ordered_at,
        orders.revenue,
        orders.net_revenue,
        orders.currency,
        orders.revenue_reporting,
        orders.net_revenue_reporting,
        orders.is_first_order,
        orders.order_number,
        orders.is_cancelled,
        coalesce(paths.touchpoint_count, 0) as touchpoint_count,
        coalesce(paths.distinct_channel_count, 0) as distinct_channel_count,
        coalesce(paths.channel_path, '(none)') as channel_path,
        paths.first_touch_at,
        paths.last_touch_at,
        {{ dbt.datediff('paths.first_touch_at', 'orders.ordered_at', 'second') }} / 86400.0 as days_to_convert
    from orders
    left join paths
        on orders.order_id = paths.order_id
)

select * from final
