-- One row per day × channel × campaign: the session-level rates of the funnel (domain.md):
-- bounce rate, signup rate, cart abandonment (carts with no order by the same person within
-- var('cart_abandonment_window_hours')), and conversion rate.
{#- Sessions are read twice, each from the table (docs/decisions.md, "A CTE read twice is not free"). -#}
{%- set sessions = ref('int_sessions') %}
with

orders as (
    select customer_key, ordered_at from {{ ref('int_orders') }}
),

carts as (
    select
        sessions.session_id,
        max(case when orders.ordered_at is not null then 1 else 0 end) = 1 as is_recovered
    from {{ sessions }} as sessions
    left join orders
        on sessions.customer_key = orders.customer_key
        and orders.ordered_at >= sessions.started_at
        and orders.ordered_at <= {{ dbt.dateadd('hour', var('cart_abandonment_window_hours'), 'sessions.ended_at') }}
    where sessions.has_add_to_cart
    group by sessions.session_id
),

daily as (
    select
        cast(sessions.started_at as date) as day,
        sessions.channel,
        coalesce(sessions.campaign, '(none)') as campaign,
        count(*) as sessions,
        count(distinct sessions.customer_key) as people,
        sum(case when sessions.is_bounce then 1 else 0 end) as bounced_sessions,
        sum(case when sessions.has_signup then 1 else 0 end) as signup_sessions,
        sum(case when sessions.has_add_to_cart then 1 else 0 end) as cart_sessions,
        sum(case when sessions.has_add_to_cart and not carts.is_recovered then 1 else 0 end) as abandoned_carts,
        sum(case when sessions.has_order then 1 else 0 end) as order_sessions
    from {{ sessions }} as sessions
    left join carts
        on sessions.session_id = carts.session_id
    group by 1, 2, 3
),

final as (
    select
        {{ surrogate_key(['day', 'channel', 'campaign']) }} as funnel_rate_id,
        daily.*,
        bounced_sessions * 1.0 / nullif(sessions, 0) as bounce_rate,
        signup_sessions * 1.0 / nullif(sessions, 0) as signup_rate,
        abandoned_carts * 1.0 / nullif(cart_sessions, 0) as cart_abandonment_rate,
        order_sessions * 1.0 / nullif(sessions, 0) as conversion_rate
    from daily
)

select * from final
