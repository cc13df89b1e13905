{#- The watermark an incremental run starts from, remembered for its data tests. A pre-hook of the
    incremental models whose keys are tested with `unique_in_recent_loads`: it records, in a one-row table
    `<model>__watermark` beside the model, the newest load the model held before this run ('' on a first
    build or a full refresh, when every row is new). The tests then check the rows of the loads this run
    processed, and only those. A table per model: models run in parallel, and two transactions creating
    or rewriting one shared table conflict. -#}
{% macro watermarks_relation(relation) -%}
    {{ return(api.Relation.create(database=relation.database, schema=relation.schema,
                                  identifier=relation.identifier ~ '__watermark')) }}
{%- endmacro %}

{% macro record_watermark(column='load_id') -%}
    {%- set watermarks = watermarks_relation(this) -%}
    create table if not exists {{ watermarks }} (
        watermark {{ dbt.type_string() }},
        invocation_id {{ dbt.type_string() }}
    );
    delete from {{ watermarks }};
    insert into {{ watermarks }} (watermark, invocation_id)
    select
        {% if is_incremental() -%}
        {{ load_watermark(this) }}
        {%- else -%}
        ''
        {%- endif %},
        '{{ invocation_id }}'
{%- endmacro %}
