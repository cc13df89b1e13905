{#- What an incremental run reprocesses (docs/decisions.md, "Incremental models"). Each model decides it
    from its own rows, so a model that missed a run (failed, deselected) catches up on the next one. Models
    calling these inside `is_incremental()` declare the refs with a `-- depends_on:` line (dbt parses
    models as non-incremental). -#}

{#- The newest dlt load a model has processed: the newest `load_id` among its rows ('' when empty). -#}
{% macro load_watermark(relation) -%}
    (select coalesce(max(load_id), '') from {{ relation }})
{%- endmacro %}

{#- The same watermark as a literal, read when the model runs (dbt compiles a node just before running it).
    An engine can prune partitions by a literal, not by a subquery: on the export files' lake (a folder
    per load), the staging model's daily filters read every load's files with the subquery (8M-year
    warehouse, no new data: 4.3-5.2 s against 0.1 s). Unit tests override it (their `this` is a fixture). -#}
{% macro load_watermark_literal(relation) -%}
    {%- if execute -%}
        {%- set value = run_query("select coalesce(max(load_id), '') from " ~ relation).columns[0][0] -%}
        '{{ value | replace("'", "''") }}'
    {%- else -%}
        {{ load_watermark(relation) }}
    {%- endif -%}
{%- endmacro %}

{#- Per device, the earliest sessionized event of the loads newer than `relation`'s watermark. -#}
{% macro devices_with_new_events(relation) -%}
    select
        sessionized.device_key,
        min(sessionized.event_at) as earliest_new_event_at
    from {{ ref('int_event_sessions') }} as sessionized
    where sessionized.load_id > {{ load_watermark(relation) }}
    group by sessionized.device_key
{%- endmacro %}

{#- Per device with new events, the time its sessions can change from: the start of the first existing
    session that ends within the inactivity timeout before the earliest new event (the new event can join
    it), else that event. Sessionizing only looks backwards, so earlier sessions cannot change; that start
    is a session start before and after, so rebuilding from it on gives exactly a full refresh.
    `new_events`: device_key, earliest_new_event_at; `existing_sessions`: device_key, started_at, ended_at. -#}
{% macro session_reprocess_from(new_events, existing_sessions) -%}
    select
        {{ new_events }}.device_key,
        min(
            case
                when {{ existing_sessions }}.started_at < {{ new_events }}.earliest_new_event_at
                    then {{ existing_sessions }}.started_at
                else {{ new_events }}.earliest_new_event_at
            end
        ) as reprocess_from_at
    from {{ new_events }}
    left join {{ existing_sessions }}
        on {{ new_events }}.device_key = {{ existing_sessions }}.device_key
        and {{ existing_sessions }}.ended_at >= {{ dbt.dateadd(
            'second', -1 * var('session_timeout_seconds'), new_events ~ '.earliest_new_event_at') }}
    group by {{ new_events }}.device_key
{%- endmacro %}

{#- Devices that identity stitching has given another person since `relation` was built: its rows'
    (device_key, customer_key) against int_identity_map; with `from_column`, also the device's earliest
    value of it. A device keyed by its user id ('user:<id>') is that user and never moves. -#}
{% macro restitched_devices(relation, from_column=none) -%}
    select
        existing.device_key
        {%- if from_column %},
        min(existing.{{ from_column }}) as reprocess_from_at
        {%- endif %}
    from {{ relation }} as existing
    inner join {{ ref('int_identity_map') }} as identity
        on existing.device_key = identity.anonymous_id
    where existing.customer_key <> identity.customer_key
    group by existing.device_key
{%- endmacro %}

{#- Per device, where a session-grained model (one row per session with device_key, customer_key,
    started_at, ended_at and load_id: `existing` is its stored state) must be rebuilt from: devices with
    events of newer loads from the first session those can touch, devices identity stitching moved from
    their first session (their customer_key changes throughout). Rows: device_key, reprocess_from_at. -#}
{% macro session_reprocess_scope(existing) -%}
    with

    new_events as (
        {{ devices_with_new_events(existing) }}
    ),

    existing_sessions as (
        select device_key, started_at, ended_at from {{ existing }}
    ),

    grown as (
        {{ session_reprocess_from('new_events', 'existing_sessions') }}
    ),

    restitched as (
        {{ restitched_devices(existing, from_column='started_at') }}
    )

    select device_key, min(reprocess_from_at) as reprocess_from_at
    from (
        select device_key, reprocess_from_at from grown
        union all
        select device_key, reprocess_from_at from restitched
    ) as reasons
    group by device_key
{%- endmacro %}
