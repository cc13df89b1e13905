{{
    config(
        materialized='incremental',
        incremental_strategy='delete_from+insert',
        delete_key='device_key',
        delete_from='day',
        on_schema_change='fail',
    )
}}
-- One row per person × device × day × session channel × funnel stage reached that day (funnel_stages
-- seed). Retention is a second or later order; it comes from the orders, not from an event. Readers
-- take the furthest stage per person (and day, channel): the device is there for reprocessing.
--
-- Incremental by device, from a day (delete_from+insert: a device's stored rows from that day on are
-- replaced): a row depends only on its device's events of that day, their sessions' person and channel,
-- and the number of the order an order event placed. A run rebuilds every device with events of newer
-- loads (from the day of the earliest: earlier events keep their sessions, so their person and channel),
-- every device identity stitching moved to another person (from its first day the stored person differs:
-- its old and new person both change), and every device whose order stages no longer match the orders
-- (an order became or stopped being a repeat order; from the first such day). Each reason is read from
-- this table's own rows.
-- depends_on: {{ ref('int_event_sessions') }}
-- depends_on: {{ ref('int_identity_map') }}
-- depends_on: {{ ref('stg_tracking__events') }}
{%- set stage_of_event -%}
    case
        when stages.stage = 'purchase' and orders.order_number > 1 then 'retention'
        else stages.stage
    end
{%- endset %}
{#- The sessions' person and channel, read in two places, each from the table (docs/decisions.md, "A CTE
    read twice is not free"). -#}
{%- set sessions = ref('int_sessions') %}
with

stages as (
    select * from {{ ref('funnel_stages') }}
),

orders as (
    select order_id, order_number from {{ ref('int_orders') }}
),

{% if is_incremental() %}

order_events as (
    -- the (few) staged events that reach an order stage, sessionized ones only (as int_event_sessions)
    select
        staged.event_id,
        staged.event_at,
        staged.event_name,
        staged.order_id,
        {{ event_device_key('staged.anonymous_id', 'staged.user_id') }} as device_key
    from {{ ref('stg_tracking__events') }} as staged
    where staged.event_name in (select event_name from stages where stage in ('purchase', 'retention'))
        and {{ is_sessionized_event('staged') }}
),

order_event_sessions as (
    -- each order event's session, found among its device's sessions instead of in the sessionization
    -- rows (every event): a device's sessions split its events, in (time, event id) order, into runs,
    -- and a session's id is its first event's, so an event's session is the last one that starts at
    -- or before it (ending before it rules a session out early)
    select
        events.event_id,
        events.event_at,
        events.event_name,
        events.order_id,
        sessions.customer_key,
        sessions.device_key,
        sessions.channel,
        row_number() over (
            partition by events.event_id
            order by sessions.started_at desc, sessions.session_id desc
        ) as candidate_rank
    from order_events as events
    inner join {{ sessions }} as sessions
        on events.device_key = sessions.device_key
        and events.event_at <= sessions.ended_at
        and (
            sessions.started_at < events.event_at
            or (sessions.started_at = events.event_at and sessions.session_id <= events.event_id)
        )
),

order_stages as (
    -- the order stages as the orders number them now, to compare with the stored ones
    select distinct
        events.customer_key,
        events.device_key,
        cast(events.event_at as date) as day,
        events.channel,
        {{ stage_of_event }} as stage
    from order_event_sessions as events
    inner join stages
        on events.event_name = stages.event_name
        and stages.stage in ('purchase', 'retention')
    left join orders
        on events.order_id = orders.order_id
    where events.candidate_rank = 1
),

stored_order_stages as (
    select distinct customer_key, device_key, day, channel, stage
    from {{ this }}
    where stage in ('purchase', 'retention')
),

new_events as (
    {{ devices_with_new_events(this) }}
),

reprocess as (
    select device_key, min(reprocess_from_day) as reprocess_from_day
    from (
        -- from the day of the earliest new event: events before it keep their sessions, and so their
        -- person and channel (a session's come from its landing, its first event)
        select device_key, cast(earliest_new_event_at as date) as reprocess_from_day from new_events
        union all
        select device_key, reprocess_from_at from ({{ restitched_devices(this, from_column='day') }}) as restitched
        union all
        -- devices whose order stages changed, from the day: rows on one side only (a symmetric difference)
        select
            coalesce(order_stages.device_key, stored_order_stages.device_key),
            coalesce(order_stages.day, stored_order_stages.day)
        from order_stages
        full outer join stored_order_stages
            on order_stages.customer_key = stored_order_stages.customer_key
            and order_stages.device_key = stored_order_stages.device_key
            and order_stages.day = stored_order_stages.day
            and order_stages.channel = stored_order_stages.channel
            and order_stages.stage = stored_order_stages.stage
        where order_stages.device_key is null or stored_order_stages.device_key is null
    ) as reasons
    group by device_key
),

reprocessed_sessions as {{ materialized_cte() }} (
    select narrow.*
    from {{ ref('int_event_sessions') }} as narrow
    inner join reprocess
        on narrow.device_key = reprocess.device_key
        and cast(narrow.event_at as date) >= reprocess.reprocess_from_day
    -- redundant with the join, but engines filter the narrow table on it before joining
    where narrow.device_key in (select device_key from reprocess)
),

events as (
    {{ sessionized_events('reprocessed_sessions') }}
),

{% else %}

events as (
    select * from {{ ref('int_events_sessionized') }}
),

{% endif %}

event_stages as (
    select
        sessions.customer_key,
        events.device_key,
        cast(events.event_at as date) as day,
        sessions.channel,
        {{ stage_of_event }} as stage,
        events.load_id
    from events
    inner join {{ sessions }} as sessions
        on events.session_id = sessions.session_id
    inner join stages
        on events.event_name = stages.event_name
    left join orders
        on events.order_id = orders.order_id
),

stage_orders as (
    select stage, min(stage_order) as stage_order
    from stages
    group by stage
)

select
    event_stages.customer_key,
    event_stages.device_key,
    event_stages.day,
    event_stages.channel,
    event_stages.stage,
    stage_orders.stage_order,
    -- lineage: the newest load among the row's events (the watermark of incremental runs)
    max(event_stages.load_id) as load_id
from event_stages
inner join stage_orders
    on event_stages.stage = stage_orders.stage
group by 1, 2, 3, 4, 5, 6
