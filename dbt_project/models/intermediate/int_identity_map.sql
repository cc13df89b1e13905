-- One row per anonymous id (device): the person (`customer_key`) it belongs to.
-- Rule (see docs/decisions.md): a device belongs to the FIRST person it was identified as (earliest
-- identify / login / checkout event, ties broken by event id). A person is their user id (the Shopify
-- customer id); an email-only identify maps through the shop's orders to that customer id, or else
-- to `email:<hash>`. Devices never identified are their own person.
with

events as (
    select * from {{ ref('stg_tracking__events') }}
),

email_to_customer as (
    select * from {{ ref('int_customer_emails') }}
),

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
    select distinct anonymous_id
    from events
    where anonymous_id is not null
),

final as (
    select
        devices.anonymous_id,
        coalesce(first_identification.person_id, devices.anonymous_id) as customer_key,
        first_identification.person_id is not null as is_identified,
        first_identification.identified_at,
        coalesce(first_identification.person_candidates, 0) > 1 as has_identity_conflict
    from devices
    left join first_identification
        on devices.anonymous_id = first_identification.anonymous_id
        and first_identification.identification_rank = 1
)

select * from final
