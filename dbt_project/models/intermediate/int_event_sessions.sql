{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}
-- The sessionization: one narrow row per event with the session it belongs to (the wide event with its
-- session is the view int_events_sessionized). Sessions are cut per device (anonymous id):
-- a gap of more than var('session_timeout_seconds') starts a new session (exactly the timeout does
-- not), and so does a landing whose campaign (click id / UTMs) differs from the session's (var
-- 'session_split_on_campaign_change'). A referrer alone never splits: pages after a landing often
-- repeat the external referrer without the UTMs, and that is the same visit. Equal timestamps are
-- ordered by event id, so the result is deterministic. The session id is the id of the session's
-- first event (no hash: event ids are unique, and hashing 10M ids cost 10% of this model).
--
-- Narrow on purpose: the window sorts carry only the columns the rules read, which keeps this model
-- near the bare DuckDB limit of one lag plus one running sum (BENCHMARKS.md); the event's other
-- columns are joined back by event id in the view.
--
-- Incremental: the session is the unit of reprocessing. Events of loads newer than the last one
-- processed mark their devices; each such device is re-sessionized from the start of the first
-- session the new events can touch (the one open within the timeout before the earliest new event)
-- to its last event (macro session_reprocess_from, which int_sessions reuses). Events arriving days
-- late therefore land in the right session, and the result equals a full refresh row for row.
-- Identity (customer_key) is joined downstream, so a device identified later never forces a rebuild
-- here.
{#- The events sessionizing reads, keyed by device. A select rather than a CTE: the incremental branch
    reads it twice, and DuckDB would materialize a CTE read twice (every staged event) first. -#}
{%- set keyed -%}
    select
        event_id, anonymous_id, user_id, event_at, load_id,
        fbclid, ttclid, gclid, msclkid, utm_source, utm_medium, utm_campaign,
        coalesce(anonymous_id, {{ dbt.concat(["'user:'", 'user_id']) }}) as device_key
    from {{ ref('stg_tracking__events') }}
    where event_type in ('page', 'track', 'screen', 'identify')
        and not coalesce(is_bot, false)
{%- endset %}
with

{% if is_incremental() %}

new_events as (
    select keyed.device_key, min(keyed.event_at) as earliest_new_event_at
    from ({{ keyed }}) as keyed
    where keyed.load_id > {{ load_watermark(this) }}
    group by keyed.device_key
),

existing_sessions as (
    select
        this.device_key,
        this.session_id,
        min(this.event_at) as started_at,
        max(this.event_at) as ended_at
    from {{ this }} as this
    inner join new_events
        on this.device_key = new_events.device_key
    group by this.device_key, this.session_id
),

reprocess_from as (
    {{ session_reprocess_from('new_events', 'existing_sessions') }}
),

scoped as (
    select keyed.*
    from ({{ keyed }}) as keyed
    inner join reprocess_from
        on keyed.device_key = reprocess_from.device_key
        and keyed.event_at >= reprocess_from.reprocess_from_at
    -- redundant with the join, but engines filter on it before joining (DuckDB reorders the join)
    where keyed.device_key in (select device_key from reprocess_from)
),

{% else %}

scoped as (
    {{ keyed }}
),

{% endif %}

traffic as (
    select
        scoped.event_id,
        scoped.device_key,
        scoped.event_at,
        scoped.load_id,
        case
            when coalesce(scoped.fbclid, scoped.ttclid, scoped.gclid, scoped.msclkid) is not null
                then {{ dbt.concat(["'click:'", 'coalesce(scoped.fbclid, scoped.ttclid, scoped.gclid, scoped.msclkid)']) }}
            when scoped.utm_source is not null or scoped.utm_medium is not null or scoped.utm_campaign is not null
                then {{ dbt.concat(["'utm:'", "coalesce(scoped.utm_source, '')", "'|'", "coalesce(scoped.utm_medium, '')", "'|'", "coalesce(scoped.utm_campaign, '')"]) }}
        end as traffic_key
    from scoped
),

{#- Every window below runs over the same partition and order (the device's events in time order), in
    three passes: DuckDB sorts once per pass, and the sort is the cost of sessionization. The first pass
    reads the previous event and the last campaign seen; the second the start of the current inactivity
    gap; the third numbers the sessions. -#}
{%- set device_order = 'partition by device_key order by event_at, event_id' -%}

ordered as (
    select
        traffic.*,
        lag(traffic.event_at) over ({{ device_order }}) as previous_event_at,
        {{ last_value_ignore_nulls('traffic.traffic_key',
            device_order ~ ' rows between unbounded preceding and 1 preceding') }} as prior_traffic_key,
        {{ last_value_ignore_nulls('case when traffic.traffic_key is not null then traffic.event_at end',
            device_order ~ ' rows between unbounded preceding and 1 preceding') }} as prior_traffic_at,
        row_number() over ({{ device_order }}) as device_event_number
    from traffic
),

gap_starts as (
    select
        ordered.*,
        case
            when ordered.previous_event_at is null then true
            when {{ dbt.datediff('ordered.previous_event_at', 'ordered.event_at', 'second') }}
                > {{ var('session_timeout_seconds') }} then true
            else false
        end as is_gap_start
    from ordered
),

gaps as (
    select
        gap_starts.*,
        -- when the current inactivity gap's first event happened (this event's, if it starts one)
        {{ last_value_ignore_nulls('case when gap_starts.is_gap_start then gap_starts.event_at end',
            device_order ~ ' rows between unbounded preceding and current row') }} as gap_started_at
    from gap_starts
),

session_starts as (
    select
        gaps.*,
        case
            when gaps.is_gap_start then 1
            {% if var('session_split_on_campaign_change') %}
            -- the last campaign seen counts only inside the same gap: every event before the gap's
            -- first event is more than the timeout older, so an equal or later time means "same gap"
            when gaps.traffic_key is not null
                and gaps.traffic_key <> case
                    when gaps.prior_traffic_at >= gaps.gap_started_at then gaps.prior_traffic_key
                    else '(none)'
                end
                then 1
            {% endif %}
            else 0
        end as is_session_start
    from gaps
),

numbered as (
    select
        session_starts.*,
        {{ last_value_ignore_nulls('case when session_starts.is_session_start = 1 then session_starts.event_id end',
            device_order ~ ' rows between unbounded preceding and current row') }} as session_first_event_id,
        max(case when session_starts.is_session_start = 1 then session_starts.device_event_number end) over (
            {{ device_order }} rows between unbounded preceding and current row
        ) as session_first_event_number
    from session_starts
),

final as (
    select
        -- a session is named after its first event: event ids are unique, so session ids are too
        numbered.session_first_event_id as session_id,
        numbered.event_id,
        numbered.device_key,
        numbered.event_at,
        numbered.load_id,
        numbered.is_session_start = 1 as is_session_start,
        numbered.device_event_number - numbered.session_first_event_number + 1 as event_number_in_session
    from numbered
)

select * from final
