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
-- Narrow on purpose: the window sorts carry only the columns the rules read, and two sorts as the bare
-- DuckDB limit of one lag plus one running sum has (BENCHMARKS.md); the event's other columns are
-- joined back by event id in the view. No position of the event in its session: a session's first event
-- is not always a run start below, so counting from it would take a third pass.
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
        {{ event_device_key() }} as device_key
    from {{ ref('stg_tracking__events') }}
    where {{ is_sessionized_event() }}
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

{#- Two window passes over the same partition and order (the device's events in time order): DuckDB
    sorts once per pass, and the sort is the cost of sessionization. A session starts at a gap (the first
    event after more than the timeout) and at a landing whose campaign differs from the session's, which is
    the last one landed in the same gap: a landing whose campaign differs from the last one seen at all, or
    the first landing after a gap that began without one (its session had no campaign, so any campaign
    differs, even the one from before the gap). That second kind needs to know where the gap began, which
    takes the first pass's gap flags, and then to hand its id to the events after it, which would take a
    third. So the first pass also gives every event the next landing's id after it, the second pass carries
    that id from the gap start that began the current run (the last gap or campaign change), and an event
    belongs to it once a landing has happened in the run (counted by the traffic count). No third sort, and
    no second read of every event (at 36M events, reading the second pass's output twice spilled 8 GB). -#}
{%- set device_order = 'partition by device_key order by event_at, event_id' -%}
{%- set up_to_here = device_order ~ ' rows between unbounded preceding and current row' -%}
{%- set split_on_campaign = var('session_split_on_campaign_change') -%}

ordered as (
    select
        traffic.*,
        lag(traffic.event_at) over ({{ device_order }}) as previous_event_at,
        {{ last_value_ignore_nulls('traffic.traffic_key',
            device_order ~ ' rows between unbounded preceding and 1 preceding') }} as prior_traffic_key,
        -- the next landing after this event (used at gap starts)
        {{ next_value_ignore_nulls('case when traffic.traffic_key is not null then traffic.event_id end',
            device_order) }} as next_landing_event_id,
        -- landings so far, this one included
        count(traffic.traffic_key) over ({{ up_to_here }}) as traffic_count
    from traffic
),

flagged as (
    select
        ordered.event_id,
        ordered.device_key,
        ordered.event_at,
        ordered.load_id,
        ordered.traffic_count,
        -- a gap, or a landing whose campaign differs from the last one seen (whether that one was in the
        -- same gap does not matter: after a gap the event starts a session either way)
        ordered.previous_event_at is null
            or {{ dbt.datediff('ordered.previous_event_at', 'ordered.event_at', 'second') }}
                > {{ var('session_timeout_seconds') }}
            {%- if split_on_campaign %}
            or (ordered.traffic_key is not null
                and ordered.traffic_key is distinct from ordered.prior_traffic_key)
            {%- endif %} as is_run_start,
        -- a run that begins without a landing: the landing that will start a session inside it, if the run
        -- lasts until then ('' when none can)
        {% if split_on_campaign -%}
        case
            when ordered.traffic_key is null then coalesce(ordered.next_landing_event_id, '')
            else ''
        end
        {%- else -%}
        ''
        {%- endif %} as returning_landing_event_id
    from ordered
),

runs as (
    -- what the run (the last gap or campaign change) began with, carried to each of its events
    {{ carry_last_values(
        'flagged',
        ['event_id', 'device_key', 'event_at', 'load_id', 'traffic_count'],
        'is_run_start',
        {
            'run_start_event_id': 'event_id',
            'run_landing_event_id': 'returning_landing_event_id',
            'run_start_traffic_count': 'traffic_count',
        },
        device_order,
    ) }}
),

final as (
    select
        -- a session is named after its first event: event ids are unique, so session ids are too
        case
            -- a landing has happened since the run began without one: it started the session
            when runs.run_landing_event_id <> '' and runs.traffic_count > runs.run_start_traffic_count
                then runs.run_landing_event_id
            else runs.run_start_event_id
        end as session_id,
        runs.event_id,
        runs.device_key,
        runs.event_at,
        runs.load_id
    from runs
)

select
    final.*,
    final.event_id = final.session_id as is_session_start
from final
