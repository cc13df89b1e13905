-- One row per event with the session it belongs to. Sessions are cut per device (anonymous id):
-- a gap of more than var('session_timeout_seconds') starts a new session (exactly the timeout does
-- not), and so does a landing whose traffic (click id / UTMs / external referrer) differs from the
-- session's (var 'session_split_on_campaign_change'). Equal timestamps are ordered by event id, so
-- the result is deterministic. The session id hashes the device and the session's first event.
with

events as (
    select * from {{ ref('stg_tracking__events') }}
),

identity as (
    select * from {{ ref('int_identity_map') }}
),

traffic as (
    select
        events.*,
        coalesce(events.anonymous_id, {{ dbt.concat(["'user:'", 'events.user_id']) }}) as device_key,
        coalesce(identity.customer_key, events.user_id, events.anonymous_id) as customer_key,
        case
            when events.referrer_host is not null and events.referrer_host <> coalesce(events.page_host, '')
                then events.referrer_host
        end as external_referrer_host,
        case
            when coalesce(events.fbclid, events.ttclid, events.gclid, events.msclkid) is not null
                then {{ dbt.concat(["'click:'", 'coalesce(events.fbclid, events.ttclid, events.gclid, events.msclkid)']) }}
            when events.utm_source is not null or events.utm_medium is not null or events.utm_campaign is not null
                then {{ dbt.concat(["'utm:'", "coalesce(events.utm_source, '')", "'|'", "coalesce(events.utm_medium, '')", "'|'", "coalesce(events.utm_campaign, '')"]) }}
            when events.referrer_host is not null and events.referrer_host <> coalesce(events.page_host, '')
                then {{ dbt.concat(["'ref:'", 'events.referrer_host']) }}
        end as traffic_key
    from events
    left join identity
        on events.anonymous_id = identity.anonymous_id
    where events.event_type in ('page', 'track', 'screen', 'identify')
),

gaps as (
    select
        traffic.*,
        lag(traffic.event_at) over (
            partition by traffic.device_key order by traffic.event_at, traffic.event_id
        ) as previous_event_at
    from traffic
),

gap_sessions as (
    select
        gaps.*,
        sum(
            case
                when gaps.previous_event_at is null then 1
                when {{ dbt.datediff('gaps.previous_event_at', 'gaps.event_at', 'second') }}
                    > {{ var('session_timeout_seconds') }} then 1
                else 0
            end
        ) over (
            partition by gaps.device_key order by gaps.event_at, gaps.event_id
            rows between unbounded preceding and current row
        ) as gap_session_number
    from gaps
),

campaign_switches as (
    select
        gap_sessions.*,
        {{ last_value_ignore_nulls(
            'gap_sessions.traffic_key',
            'partition by gap_sessions.device_key, gap_sessions.gap_session_number
             order by gap_sessions.event_at, gap_sessions.event_id
             rows between unbounded preceding and 1 preceding'
        ) }} as prior_traffic_key,
        row_number() over (
            partition by gap_sessions.device_key, gap_sessions.gap_session_number
            order by gap_sessions.event_at, gap_sessions.event_id
        ) as gap_session_event_number
    from gap_sessions
),

session_starts as (
    select
        campaign_switches.*,
        case
            when campaign_switches.gap_session_event_number = 1 then 1
            {% if var('session_split_on_campaign_change') %}
            when campaign_switches.traffic_key is not null
                and campaign_switches.traffic_key <> coalesce(campaign_switches.prior_traffic_key, '(none)')
                then 1
            {% endif %}
            else 0
        end as is_session_start
    from campaign_switches
),

numbered as (
    select
        session_starts.*,
        sum(session_starts.is_session_start) over (
            partition by session_starts.device_key order by session_starts.event_at, session_starts.event_id
            rows between unbounded preceding and current row
        ) as device_session_number
    from session_starts
),

final as (
    select
        {{ surrogate_key([
            'numbered.device_key',
            'first_value(numbered.event_id) over (partition by numbered.device_key, numbered.device_session_number order by numbered.event_at, numbered.event_id)'
        ]) }} as session_id,
        numbered.event_id,
        numbered.device_key,
        numbered.anonymous_id,
        numbered.customer_key,
        numbered.event_type,
        numbered.event_name,
        numbered.event_at,
        numbered.received_at,
        numbered.page_url,
        numbered.page_path,
        numbered.external_referrer_host,
        numbered.utm_source,
        numbered.utm_medium,
        numbered.utm_campaign,
        numbered.utm_content,
        numbered.utm_term,
        numbered.gclid,
        numbered.fbclid,
        numbered.ttclid,
        numbered.msclkid,
        numbered.device_type,
        numbered.order_id,
        numbered.product_id,
        numbered.revenue,
        numbered.currency,
        numbered.is_session_start = 1 as is_session_start,
        row_number() over (
            partition by numbered.device_key, numbered.device_session_number
            order by numbered.event_at, numbered.event_id
        ) as event_number_in_session
    from numbered
)

select * from final
