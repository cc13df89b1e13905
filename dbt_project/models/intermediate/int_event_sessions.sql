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
-- joined back by event id in the view.
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

{#- Two window passes over the same partition and order (the device's events in time order): DuckDB
    sorts once per pass, and the sort is the cost of sessionization. The first pass reads the previous
    event and the last campaign seen (before any gap); the second carries the start of the current
    inactivity gap and the last gap start or campaign change. The one session start these cannot see is
    a campaign returning after a gap (the gap's first landing repeats the campaign from before the gap,
    but the gap itself started without one): there are few, and a join hands them to the rest of their
    gap instead of a third sort. -#}
{%- set device_order = 'partition by device_key order by event_at, event_id' -%}
{%- set up_to_here = device_order ~ ' rows between unbounded preceding and current row' -%}

ordered as (
    select
        traffic.*,
        lag(traffic.event_at) over ({{ device_order }}) as previous_event_at,
        {{ last_value_ignore_nulls('traffic.traffic_key',
            device_order ~ ' rows between unbounded preceding and 1 preceding') }} as prior_traffic_key,
        row_number() over ({{ device_order }}) as device_event_number
    from traffic
),

flagged as (
    -- the campaign key is compared here, so the second pass sorts flags instead of strings
    select
        ordered.event_id,
        ordered.device_key,
        ordered.event_at,
        ordered.load_id,
        ordered.device_event_number,
        ordered.traffic_key is not null as has_traffic,
        case
            when ordered.previous_event_at is null then true
            when {{ dbt.datediff('ordered.previous_event_at', 'ordered.event_at', 'second') }}
                > {{ var('session_timeout_seconds') }} then true
            else false
        end as is_gap_start,
        {% if var('session_split_on_campaign_change') -%}
        -- a landing whose campaign differs from the last one seen; whether that one was inside the same
        -- gap does not matter here: after a gap the landing starts a session either way
        ordered.traffic_key is not null
            and ordered.traffic_key is distinct from ordered.prior_traffic_key as is_campaign_change
        {%- else -%}
        false as is_campaign_change
        {%- endif %}
    from ordered
),

{#- Materialized: read twice below (every row, and the returning campaigns), and computed once. -#}
runs as materialized (
    select
        flagged.*,
        -- when the current inactivity gap's first event happened (times only grow: max is the last)
        max(case when flagged.is_gap_start then flagged.event_at end) over ({{ up_to_here }}) as gap_started_at,
        max(case when flagged.has_traffic then flagged.event_at end) over (
            {{ device_order }} rows between unbounded preceding and 1 preceding
        ) as prior_traffic_at,
        -- the last event that starts a session whatever came before it in the gap
        max(case when flagged.is_gap_start or flagged.is_campaign_change then flagged.device_event_number end)
            over ({{ up_to_here }}) as run_start_number,
        {{ last_value_ignore_nulls(
            'case when flagged.is_gap_start or flagged.is_campaign_change then flagged.event_id end',
            up_to_here) }} as run_start_event_id
    from flagged
),

returning_campaigns as (
    -- the gap's first landing, with the campaign last seen before the gap: compared with no campaign
    -- (the last one seen counts only inside the same gap), so it starts a session; at most one per gap
    select
        runs.device_key,
        runs.gap_started_at,
        runs.device_event_number as return_number,
        runs.event_id as return_event_id
    from runs
    where runs.has_traffic
        and not runs.is_gap_start
        and not runs.is_campaign_change
        and runs.prior_traffic_at < runs.gap_started_at
        and {{ 'true' if var('session_split_on_campaign_change') else 'false' }}
),

session_starts as (
    select
        runs.*,
        -- the later of the last run start and the gap's returning campaign (once it has happened)
        coalesce(returning_campaigns.return_number > runs.run_start_number, false) as is_in_returned_session,
        returning_campaigns.return_number,
        returning_campaigns.return_event_id
    from runs
    left join returning_campaigns
        on runs.device_key = returning_campaigns.device_key
        and runs.gap_started_at = returning_campaigns.gap_started_at
        and returning_campaigns.return_number <= runs.device_event_number
),

final as (
    select
        -- a session is named after its first event: event ids are unique, so session ids are too
        case
            when session_starts.is_in_returned_session then session_starts.return_event_id
            else session_starts.run_start_event_id
        end as session_id,
        session_starts.event_id,
        session_starts.device_key,
        session_starts.event_at,
        session_starts.load_id,
        session_starts.device_event_number = case
            when session_starts.is_in_returned_session then session_starts.return_number
            else session_starts.run_start_number
        end as is_session_start,
        session_starts.device_event_number - case
            when session_starts.is_in_returned_session then session_starts.return_number
            else session_starts.run_start_number
        end + 1 as event_number_in_session
    from session_starts
)

select * from final
