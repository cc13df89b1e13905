{{ config(materialized='view') }}
-- One row per sessionized event: the narrow sessionization (int_event_sessions) joined back to the
-- staged event by event id. A view: the wide columns are stored once (staging), and a filter on a
-- session column (e.g. event_number_in_session = 1 in int_sessions) is pushed below the join.
with

sessions as (
    select * from {{ ref('int_event_sessions') }}
),

events as (
    select * from {{ ref('stg_tracking__events') }}
),

final as (
    select
        sessions.session_id,
        events.event_id,
        sessions.device_key,
        events.anonymous_id,
        events.user_id,
        events.event_type,
        events.event_name,
        events.event_at,
        events.received_at,
        events.load_id,
        events.page_url,
        events.page_path,
        case
            when events.referrer_host is not null and events.referrer_host <> coalesce(events.page_host, '')
                then events.referrer_host
        end as external_referrer_host,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign,
        events.utm_content,
        events.utm_term,
        events.gclid,
        events.fbclid,
        events.ttclid,
        events.msclkid,
        events.device_type,
        events.order_id,
        events.product_id,
        events.revenue,
        events.currency,
        sessions.is_session_start,
        sessions.event_number_in_session,
        -- arrived after the lookback a partitioned run re-reads: still sessionized right, and counted
        {{ dbt.datediff('events.event_at', 'events.received_at', 'second') }}
            > {{ var('late_event_lookback_days') }} * 86400 as is_late_beyond_lookback
    from sessions
    inner join events
        on sessions.event_id = events.event_id
)

select * from final
