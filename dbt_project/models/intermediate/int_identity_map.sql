{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='anonymous_id',
        on_schema_change='fail',
    )
}}
-- One row per anonymous id (device): the person (`customer_key`) it belongs to.
-- Rule (see docs/decisions.md): a device belongs to the FIRST person it was identified as (earliest
-- identify / login / checkout event, ties broken by event id). A person is their user id (the Shopify
-- customer id); an email-only identify maps through the shop's orders to that customer id, or else
-- to `email:<hash>`. Devices never identified are their own person.
--
-- Incremental by device (delete+insert on anonymous_id), a diff of what can move a device: a row depends
-- only on the device's events and on the email -> customer mapping of its email-only identifies. A run
-- re-derives the devices with events of loads newer than this table's (`load_id`: the newest load among
-- a device's events), and the devices with an email-only identify whose email is on an order of a newer
-- load (a new or edited order is the only way an email's customer changes). Shopify's and the tracker's
-- load ids are both dlt's load start times, so orders loaded since this table's newest tracking load are
-- re-read (possibly once more than needed, never missed while loads finish before dbt runs). Not followed:
-- an order whose email is edited away from an email it was the first customer order of (the old email
-- is no longer on any new order); `dbt build --full-refresh -s int_identity_map+` repairs that.
-- depends_on: {{ ref('stg_shopify__orders') }}
{%- set event_columns = 'anonymous_id, user_id, email_hash, event_at, event_id, load_id' %}
with

email_to_customer as (
    select * from {{ ref('int_customer_emails') }}
),

{% if is_incremental() %}

changed_emails as (
    -- emails on orders of newer loads: their customer may be another one now
    select distinct email_hash
    from {{ ref('stg_shopify__orders') }}
    where load_id > {{ load_watermark(this) }}
        and email_hash is not null
),

reprocess as (
    select anonymous_id
    from {{ ref('stg_tracking__events') }}
    where load_id > {{ load_watermark(this) }}
        and anonymous_id is not null
    union
    select anonymous_id
    from {{ ref('stg_tracking__events') }}
    where email_hash in (select email_hash from changed_emails)
        and user_id is null
        and anonymous_id is not null
),

events as (
    select {{ event_columns }}
    from {{ ref('stg_tracking__events') }}
    where anonymous_id in (select anonymous_id from reprocess)
),

{% else %}

events as (
    select {{ event_columns }}
    from {{ ref('stg_tracking__events') }}
    where anonymous_id is not null
),

{% endif %}

identifications as (
    select
        events.anonymous_id,
        coalesce(
            events.user_id,
            email_to_customer.shopify_customer_id,
            {{ dbt.concat(["'email:'", 'events.email_hash']) }}
        ) as person_id,
        events.event_at,
        events.event_id
    from events
    left join email_to_customer
        on events.email_hash = email_to_customer.email_hash
    where events.anonymous_id is not null
        and (events.user_id is not null or events.email_hash is not null)
),

first_identification as (
    select
        anonymous_id,
        person_id,
        event_at as identified_at,
        row_number() over (partition by anonymous_id order by event_at, event_id) as identification_rank,
        count(distinct person_id) over (partition by anonymous_id) as person_candidates
    from identifications
),

devices as (
    select
        anonymous_id,
        -- lineage: the newest load among the device's events (the watermark of incremental runs)
        max(load_id) as load_id
    from events
    group by anonymous_id
),

final as (
    select
        devices.anonymous_id,
        coalesce(first_identification.person_id, devices.anonymous_id) as customer_key,
        first_identification.person_id is not null as is_identified,
        first_identification.identified_at,
        coalesce(first_identification.person_candidates, 0) > 1 as has_identity_conflict,
        devices.load_id
    from devices
    left join first_identification
        on devices.anonymous_id = first_identification.anonymous_id
        and first_identification.identification_rank = 1
)

select * from final
