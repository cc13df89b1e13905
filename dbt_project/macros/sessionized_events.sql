{#- The sessionized events: narrow sessionization rows (`sessions`: int_event_sessions or a subset of it)
    joined back to their staged events by event id. The view int_events_sessionized is this over the whole
    table; incremental models pass the few devices they reprocess, so the engine filters the narrow
    table before the join (through the view, DuckDB joins every event first and filters after).
    `staged`: the staged events to join (default all of stg_tracking__events); a model that keeps only
    some event names passes them filtered, so the join hashes only those. -#}
{% macro sessionized_events(sessions, staged=none) -%}
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
    -- arrived after the lookback a partitioned run re-reads: still sessionized right, and counted
    {{ dbt.datediff('events.event_at', 'events.received_at', 'second') }}
        > {{ var('late_event_lookback_days') }} * 86400 as is_late_beyond_lookback
from {{ sessions }} as sessions
inner join {{ staged if staged is not none else ref('stg_tracking__events') }} as events
    on sessions.event_id = events.event_id
{%- endmacro %}
