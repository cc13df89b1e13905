{#- Generic test: `unique` for big incremental models, checked where a run can break it. The keys of the
    rows of the loads the model's latest run processed (`load_column` newer than the watermark that run
    started from, recorded by the pre-hook `record_watermark`; every row after a first build or a full
    refresh) must each occur once in the WHOLE model, so a new row duplicating an old one is caught; only
    the counting is limited to those keys (one pass over the key column against a small hash table,
    instead of grouping every key). Rows without a load (e.g. journeys' order items) are always checked.
    A row the run re-emitted from an older load (a re-sessionized or re-stitched device) is not checked.

    `keys_from` / `keys_column`: where the recent keys are read, when the model itself carries no load
    column (a view over an incremental table with the same keys, e.g. fct_sessions over int_sessions).

    `--vars '{full_data_tests: true}'` checks every key, as `unique` does, and so does a run that started
    from no watermark (a first build or a full refresh: every row is recent, and one grouping of every
    key is cheaper than picking the recent ones first). The watermark is read when the test is compiled,
    i.e. after its model ran (dbt compiles a node just before running it), and inlined as a literal. -#}
{% test unique_in_recent_loads(model, column_name, load_column='load_id', keys_from=none, keys_column=none) %}
{%- set keys_relation = keys_from if keys_from is not none else model -%}
{%- set keys_column = keys_column or column_name -%}
{%- set watermarks = none -%}
{%- set watermark = none -%}
{%- if execute and not var('full_data_tests', false) -%}
    {%- set stored = watermarks_relation(keys_relation) -%}
    {#- asked of the warehouse, not dbt's relation cache: the pre-hook creates the table with plain SQL -#}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where table_catalog = '" ~ stored.database
        ~ "' and table_schema = '" ~ stored.schema ~ "' and table_name = '" ~ stored.identifier ~ "'") -%}
    {%- if found.columns[0].values()[0] > 0 -%}
        {%- set watermarks = stored -%}
        {%- set watermark = run_query("select coalesce(max(watermark), '') from " ~ stored).columns[0].values()[0] -%}
    {%- endif -%}
{%- endif %}
{%- if watermarks is none or watermark == '' %}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{%- else %}
with

recent_keys as (
    select distinct {{ keys_column }} as unique_field
    from {{ keys_relation }}
    where {{ keys_column }} is not null
        and (
            {{ load_column }} is null
            or {{ load_column }} > '{{ watermark | replace("'", "''") }}'
        )
)

select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} in (select unique_field from recent_keys)
group by {{ column_name }}
having count(*) > 1
{%- endif %}
{% endtest %}
