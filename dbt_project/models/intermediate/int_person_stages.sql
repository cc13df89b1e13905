-- One row per person × day × session channel × funnel stage reached that day (funnel_stages seed).
-- Retention is a second or later order; it comes from the orders, not from an event.
with

events as (
    select * from {{ ref('int_events_sessionized') }}
),

sessions as (
    select session_id, customer_key, channel from {{ ref('int_sessions') }}
),

stages as (
    select * from {{ ref('funnel_stages') }}
),

orders as (
    select order_id, order_number from {{ ref('int_orders') }}
),

event_stages as (
    select
        sessions.customer_key,
        cast(events.event_at as date) as day,
        sessions.channel,
        case
            when stages.stage = 'purchase' and orders.order_number > 1 then 'retention'
            else stages.stage
        end as stage
    from events
    inner join sessions
        on events.session_id = sessions.session_id
    inner join stages
        on events.event_name = stages.event_name
    left join orders
        on events.order_id = orders.order_id
)

select distinct
    event_stages.customer_key,
    event_stages.day,
    event_stages.channel,
    event_stages.stage,
    stage_orders.stage_order
from event_stages
inner join (select stage, min(stage_order) as stage_order from stages group by stage) as stage_orders
    on event_stages.stage = stage_orders.stage
