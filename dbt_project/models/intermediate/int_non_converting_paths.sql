-- One row per person with touches that lead to no order: the touches after their last order (or all
-- of them if they never ordered) inside var('attribution_lookback_days') before their latest touch.
-- Data-driven attribution needs these: a channel that shows up on many journeys that never convert
-- deserves less credit than one that appears only on converting ones.
with

touchpoints as (
    select * from {{ ref('int_touchpoints') }}
),

orders as (
    select customer_key, max(ordered_at) as last_ordered_at
    from {{ ref('int_orders') }}
    group by customer_key
),

open_touches as (
    select touchpoints.*
    from touchpoints
    left join orders
        on touchpoints.customer_key = orders.customer_key
    where orders.last_ordered_at is null or touchpoints.touched_at > orders.last_ordered_at
),

windowed as (
    select
        open_touches.*,
        max(open_touches.touched_at) over (partition by open_touches.customer_key) as last_touched_at
    from open_touches
),

in_window as (
    select *
    from windowed
    where touched_at > {{ dbt.dateadd('day', -1 * var('attribution_lookback_days'), 'last_touched_at') }}
),

final as (
    select
        customer_key,
        {{ dbt.listagg('channel', "' > '", 'order by touched_at, touchpoint_id') }} as channel_path,
        count(*) as touchpoint_count,
        min(touched_at) as first_touch_at,
        max(touched_at) as last_touch_at
    from in_window
    group by customer_key
)

select * from final
