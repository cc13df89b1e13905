{{
    config(
        materialized='incremental',
        incremental_strategy='delete_from+insert',
        delete_key='customer_key',
        delete_from='occurred_at',
        insert_where='item_type is not null',
        on_schema_change='fail',
    )
}}
-- One row per item of a person's journey, in time order: every session (with the touch that
-- started it), every funnel event past a page view, and every order. One customer's whole path,
-- from the first ad click to the purchase and after, is
--     select * from marts.fct_customer_journeys where customer_key = '...' order by journey_step
--
-- Incremental by person, from a time (journey_step numbers a person's whole journey): a run rebuilds
-- each affected person from the earliest item that can have changed, and numbers the new items after
-- the person's stored items before it (those are unchanged). Affected are the persons, as they are now
-- and as stored, of every device with events of newer loads (from the first session those events can
-- touch), of every device identity stitching moved (from its first item), and of every order whose item
-- changed (new, edited, re-keyed or renumbered; from its earlier time). The strategy deletes a person's
-- stored items from that time on; one marker row per person, never inserted, carries the time, so a
-- person left with no new items (their device now belongs to someone else) loses the old ones.
-- depends_on: {{ ref('int_event_sessions') }}
-- depends_on: {{ ref('int_identity_map') }}
-- depends_on: {{ ref('stg_tracking__events') }}
{%- set order_fields = ['customer_key', 'occurred_at', 'funnel_stage', 'revenue_reporting', 'detail'] %}
{#- Journeys keep the events past a page view (event_items): only those are joined to their sessions
    (page views are half of all events; joining them first and filtering after cost 10% of a full build
    of this model). -#}
{%- set funnel_events -%}
    (select * from {{ ref('stg_tracking__events') }}
    where event_name in (select event_name from {{ ref('funnel_stages') }} where stage_order > 1)
    {%- if is_incremental() %}
        -- the reprocessed devices' only: a cheap filter before the join by event id (few distinct keys)
        and {{ event_device_key() }} in (select device_key from person_devices)
    {%- endif %})
{%- endset %}
with

stages as (
    select * from {{ ref('funnel_stages') }}
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
        orders.order_name as detail,
        cast(null as {{ dbt.type_string() }}) as device_key,
        cast(null as {{ dbt.type_string() }}) as load_id
    from {{ ref('int_orders') }} as orders
),

{% if is_incremental() %}

new_events as (
    {{ devices_with_new_events(this) }}
),

current_sessions as (
    select device_key, started_at, ended_at from {{ ref('int_sessions') }}
),

grown_devices as (
    -- from the first session the new events can touch. Sessions are compared as they are now: events
    -- before the earliest new one keep their sessions, so a stored session those events can change still
    -- starts where it did and ends within the timeout before that event (or starts after it).
    {{ session_reprocess_from('new_events', 'current_sessions') }}
),

restitched as (
    -- from the device's first stored item that stitching gave to another person: before it, neither
    -- the old nor the new person's journey changes
    {{ restitched_devices(this, from_column='occurred_at') }}
),

changed_devices as (
    select device_key, min(reprocess_from_at) as reprocess_from_at
    from (
        select device_key, reprocess_from_at from grown_devices
        union all
        select device_key, reprocess_from_at from restitched
    ) as reasons
    group by device_key
),

changed_orders as (
    -- order items that differ from the stored ones, either way, from the earlier of their two times
    select
        current_items.customer_key as current_customer_key,
        stored_items.customer_key as stored_customer_key,
        case
            when stored_items.occurred_at is null or current_items.occurred_at < stored_items.occurred_at
                then current_items.occurred_at
            else stored_items.occurred_at
        end as reprocess_from_at
    from order_items as current_items
    full outer join (select * from {{ this }} where item_type = 'order') as stored_items
        on current_items.item_id = stored_items.item_id
    where current_items.item_id is null
        or stored_items.item_id is null
        or {{ rows_differ('current_items', 'stored_items', order_fields) }}
),

persons as (
    -- each affected person and the time their journey is rebuilt from
    select customer_key, min(reprocess_from_at) as reprocess_from_at
    from (
        select person_sessions.customer_key, changed_devices.reprocess_from_at
        from {{ ref('int_sessions') }} as person_sessions
        inner join changed_devices
            on person_sessions.device_key = changed_devices.device_key
        union all
        select stored.customer_key, changed_devices.reprocess_from_at
        from {{ this }} as stored
        inner join changed_devices
            on stored.device_key = changed_devices.device_key
        union all
        select current_customer_key, reprocess_from_at from changed_orders where current_customer_key is not null
        union all
        select stored_customer_key, reprocess_from_at from changed_orders where stored_customer_key is not null
    ) as reasons
    group by customer_key
),

steps_before as (
    -- the person's stored items before that time: unchanged, so the new items are numbered after them
    select stored.customer_key, count(*) as journey_steps
    from {{ this }} as stored
    inner join persons
        on stored.customer_key = persons.customer_key
    where stored.occurred_at < persons.reprocess_from_at
    group by stored.customer_key
),

sessions as (
    -- the persons' sessions that can hold an item from that time on
    select all_sessions.*, persons.reprocess_from_at
    from {{ ref('int_sessions') }} as all_sessions
    inner join persons
        on all_sessions.customer_key = persons.customer_key
    where all_sessions.ended_at >= persons.reprocess_from_at
),

person_devices as (
    select distinct device_key from sessions
),

person_device_events as {{ materialized_cte() }} (
    -- the sessionization rows of those sessions' devices (a device's sessions can belong to more than
    -- one person: the join to sessions below keeps the persons' own)
    select narrow.*
    from {{ ref('int_event_sessions') }} as narrow
    where narrow.device_key in (select device_key from person_devices)
),

events as (
    {{ sessionized_events('person_device_events', funnel_events) }}
),

orders as (
    select order_items.*
    from order_items
    inner join persons
        on order_items.customer_key = persons.customer_key
    where order_items.occurred_at >= persons.reprocess_from_at
),

{% else %}

sessions as (
    select * from {{ ref('int_sessions') }}
),

orders as (
    select * from order_items
),

events as (
    {{ sessionized_events(ref('int_event_sessions'), funnel_events) }}
),

{% endif %}

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
        sessions.landing_page_path as detail,
        sessions.device_key,
        sessions.load_id
    from sessions
    {%- if is_incremental() %}
    where sessions.started_at >= sessions.reprocess_from_at
    {%- endif %}
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
        coalesce(events.product_id, events.page_path) as detail,
        events.device_key,
        events.load_id
    from events
    inner join sessions
        on events.session_id = sessions.session_id
    inner join stages
        on events.event_name = stages.event_name
    where stages.stage_order > 1
    {%- if is_incremental() %}
        and events.event_at >= sessions.reprocess_from_at
    {%- endif %}
),

unioned as (
    select * from session_items
    union all
    select * from event_items
    union all
    select * from orders
),

final as (
    select
        {{ surrogate_key(['unioned.item_type', 'unioned.item_id']) }} as journey_item_id,
        unioned.*,
        {% if is_incremental() -%}
        coalesce(steps_before.journey_steps, 0) +
        {%- endif %}
        row_number() over (
            partition by unioned.customer_key
            order by unioned.occurred_at,
                case unioned.item_type when 'session' then 0 when 'event' then 1 else 2 end,
                unioned.item_id
        ) as journey_step
    from unioned
    {%- if is_incremental() %}
    left join steps_before
        on unioned.customer_key = steps_before.customer_key
    {%- endif %}
)

select * from final
{%- if is_incremental() %}
union all
-- the markers: the person and the time the strategy deletes their stored items from
select
    cast(null as {{ dbt.type_string() }}) as journey_item_id,
    persons.customer_key,
    persons.reprocess_from_at as occurred_at,
    {%- for column in ['item_type', 'item_id', 'session_id', 'channel', 'platform', 'source', 'medium',
                       'campaign', 'event_name', 'funnel_stage', 'order_id'] %}
    cast(null as {{ dbt.type_string() }}) as {{ column }},
    {%- endfor %}
    cast(null as {{ dbt.type_numeric() }}) as revenue_reporting,
    cast(null as {{ dbt.type_string() }}) as detail,
    cast(null as {{ dbt.type_string() }}) as device_key,
    cast(null as {{ dbt.type_string() }}) as load_id,
    cast(null as {{ dbt.type_bigint() }}) as journey_step
from persons
{%- endif %}
