{{
    config(
        materialized='incremental',
        incremental_strategy='delete_any+insert',
        delete_keys=['customer_key', 'device_key', 'journey_item_id'],
        on_schema_change='fail',
    )
}}
-- One row per item of a person's journey, in time order: every session (with the touch that
-- started it), every funnel event past a page view, and every order. One customer's whole path,
-- from the first ad click to the purchase and after, is
--     select * from marts.fct_customer_journeys where customer_key = '...' order by journey_step
--
-- Incremental by person (journey_step numbers a person's whole journey): a run rebuilds the persons,
-- as they are now and as stored, of every device with events of newer loads or that identity
-- stitching moved, and of every order whose item changed (new, edited, re-keyed or renumbered). The
-- strategy deletes the stored rows sharing a person, a device or an item with the new rows, so a
-- person left with no items (their only device now belongs to someone else) goes with the device.
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

changed_devices as (
    select device_key from ({{ devices_with_new_events(this) }}) as grown
    union
    select device_key from ({{ restitched_devices(this) }}) as restitched
),

changed_orders as (
    -- order items that differ from the stored ones, either way
    select
        current_items.customer_key as current_customer_key,
        stored_items.customer_key as stored_customer_key
    from order_items as current_items
    full outer join (select * from {{ this }} where item_type = 'order') as stored_items
        on current_items.item_id = stored_items.item_id
    where current_items.item_id is null
        or stored_items.item_id is null
        or {{ rows_differ('current_items', 'stored_items', order_fields) }}
),

persons as (
    select current_sessions.customer_key
    from {{ ref('int_sessions') }} as current_sessions
    inner join changed_devices
        on current_sessions.device_key = changed_devices.device_key
    union
    select stored.customer_key
    from {{ this }} as stored
    inner join changed_devices
        on stored.device_key = changed_devices.device_key
    union
    select current_customer_key from changed_orders where current_customer_key is not null
    union
    select stored_customer_key from changed_orders where stored_customer_key is not null
),

sessions as (
    select all_sessions.*
    from {{ ref('int_sessions') }} as all_sessions
    inner join persons
        on all_sessions.customer_key = persons.customer_key
),

person_devices as (
    select distinct device_key from sessions
),

person_device_events as {{ materialized_cte() }} (
    -- the sessionization rows of the persons' devices (a device's sessions can belong to more than one
    -- person: the join to sessions below keeps the persons' own)
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
        row_number() over (
            partition by unioned.customer_key
            order by unioned.occurred_at,
                case unioned.item_type when 'session' then 0 when 'event' then 1 else 2 end,
                unioned.item_id
        ) as journey_step
    from unioned
)

select * from final
