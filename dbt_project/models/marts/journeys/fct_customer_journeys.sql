-- One row per item of a person's journey, in time order: every session (with the touch that
-- started it), every funnel event past a page view, and every order. One customer's whole path,
-- from the first ad click to the purchase and after, is
--     select * from marts.fct_customer_journeys where customer_key = '...' order by journey_step
with

sessions as (
    select * from {{ ref('int_sessions') }}
),

events as (
    select * from {{ ref('int_events_sessionized') }}
),

stages as (
    select * from {{ ref('funnel_stages') }}
),

orders as (
    select * from {{ ref('int_orders') }}
),

session_items as (
    select
        sessions.customer_key,
        sessions.started_at as occurred_at,
        'session' as item_type,
        sessions.session_id as item_id,
        sessions.session_id,
        sessions.channel,
        sessions.platform,
        sessions.source,
        sessions.medium,
        sessions.campaign,
        cast(null as {{ dbt.type_string() }}) as event_name,
        'awareness' as funnel_stage,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as {{ dbt.type_numeric() }}) as revenue_reporting,
        sessions.landing_page_path as detail
    from sessions
),

event_items as (
    select
        sessions.customer_key,
        events.event_at as occurred_at,
        'event' as item_type,
        events.event_id as item_id,
        events.session_id,
        sessions.channel,
        sessions.platform,
        sessions.source,
        sessions.medium,
        sessions.campaign,
        events.event_name,
        stages.stage as funnel_stage,
        events.order_id,
        cast(null as {{ dbt.type_numeric() }}) as revenue_reporting,
        coalesce(events.product_id, events.page_path) as detail
    from events
    inner join sessions
        on events.session_id = sessions.session_id
    inner join stages
        on events.event_name = stages.event_name
    where stages.stage_order > 1
),

order_items as (
    select
        orders.customer_key,
        orders.ordered_at as occurred_at,
        'order' as item_type,
        orders.order_id as item_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as platform,
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as medium,
        cast(null as {{ dbt.type_string() }}) as campaign,
        cast(null as {{ dbt.type_string() }}) as event_name,
        case when orders.is_first_order then 'purchase' else 'retention' end as funnel_stage,
        orders.order_id,
        orders.revenue_reporting,
        orders.order_name as detail
    from orders
),

unioned as (
    select * from session_items
    union all
    select * from event_items
    union all
    select * from order_items
),

final as (
    select
        {{ surrogate_key(['unioned.item_type', 'unioned.item_id']) }} as journey_item_id,
        unioned.*,
        row_number() over (
            partition by unioned.customer_key
            order by unioned.occurred_at,
                case unioned.item_type when 'session' then 0 when 'event' then 1 else 2 end,
                unioned.item_id
        ) as journey_step
    from unioned
)

select * from final
