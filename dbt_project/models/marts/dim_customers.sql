-- One row per person (`customer_key`): buyers and visitors who never bought. Lifetime value,
-- acquisition channel (first touch of the first order's path, else of their first session),
-- segments (domain.md) and the furthest funnel stage they reached.
{#- Sessions are read three times, each from the table (docs/decisions.md, "A CTE read twice is not free"). -#}
{%- set sessions = ref('int_sessions') %}
with

orders as (
    select * from {{ ref('int_orders') }}
),

paths as (
    select * from {{ ref('int_order_touchpoints') }}
),

person_stages as (
    select * from {{ ref('int_person_stages') }}
),

stages as (
    select stage, min(stage_order) as stage_order from {{ ref('funnel_stages') }} group by stage
),

people as (
    select customer_key from {{ sessions }}
    union
    select customer_key from orders
),

order_facts as (
    select
        customer_key,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        count(*) as order_count,
        sum(net_revenue_reporting) as lifetime_revenue,
        {% for days in [30, 60, 90, 365] %}
        sum(case when ordered_at <= {{ dbt.dateadd('day', days, 'first_ordered_at') }}
            then net_revenue_reporting else 0 end) as ltv_{{ days }}d,
        {% endfor %}
        count(*) - 1 as repeat_order_count
    from (
        select
            orders.*,
            min(orders.ordered_at) over (partition by orders.customer_key) as first_ordered_at
        from orders
    ) as orders_with_first
    group by customer_key
),

first_order_touch as (
    select customer_key, channel
    from paths
    where touch_position = 1
        and order_id in (select order_id from orders where is_first_order)
),

first_session as (
    {{ first_row_per(sessions, 'customer_key', ['started_at', 'session_id'], ['channel', 'started_at']) }}
),

session_facts as (
    select
        customer_key,
        count(*) as session_count,
        max(case when has_add_to_cart then 1 else 0 end) = 1 as has_carted,
        max(started_at) as last_seen_at
    from {{ sessions }}
    group by customer_key
),

furthest as (
    select customer_key, max(stage_order) as furthest_stage_order
    from person_stages
    group by customer_key
),

final as (
    select
        people.customer_key,
        first_session.started_at as first_seen_at,
        session_facts.last_seen_at,
        coalesce(session_facts.session_count, 0) as session_count,
        order_facts.first_order_at,
        order_facts.last_order_at,
        coalesce(order_facts.order_count, 0) as order_count,
        coalesce(order_facts.lifetime_revenue, 0) as lifetime_revenue,
        order_facts.lifetime_revenue / nullif(order_facts.order_count, 0) as average_order_value,
        order_facts.ltv_30d,
        order_facts.ltv_60d,
        order_facts.ltv_90d,
        order_facts.ltv_365d,
        {{ dbt.datediff('order_facts.first_order_at', 'order_facts.last_order_at', 'day') }}
            / nullif(order_facts.order_count - 1, 0) as days_between_orders,
        coalesce(first_order_touch.channel, first_session.channel) as acquisition_channel,
        case
            when coalesce(order_facts.order_count, 0) > 0 then 'purchased'
            when session_facts.has_carted then 'abandoned_cart'
            else 'browsed_never_carted'
        end as segment,
        case
            when coalesce(order_facts.order_count, 0) = 0 then 'prospect'
            when order_facts.order_count = 1 then 'new'
            else 'returning'
        end as customer_type,
        coalesce(order_facts.order_count, 0) >= 2 as is_vip,
        order_facts.last_order_at is not null
            and order_facts.last_order_at < {{ dbt.dateadd('day', -1 * var('lapsed_after_days'), '(select max(ordered_at) from ' ~ ref('int_orders') ~ ')') }}
            as is_lapsed,
        coalesce(stages.stage, 'awareness') as furthest_stage
    from people
    left join order_facts
        on people.customer_key = order_facts.customer_key
    left join first_order_touch
        on people.customer_key = first_order_touch.customer_key
    left join first_session
        on people.customer_key = first_session.customer_key
    left join session_facts
        on people.customer_key = session_facts.customer_key
    left join furthest
        on people.customer_key = furthest.customer_key
    left join stages
        on furthest.furthest_stage_order = stages.stage_order
)

select * from final
