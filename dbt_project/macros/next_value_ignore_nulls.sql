{#- The first non-null value of `expr` after the current row, in the window `over_clause` (the partition and
    order inside over (...), no frame). Portable as `first_value` ignoring nulls over the rows that follow,
    spelled per engine as in last_value_ignore_nulls; on DuckDB `lead(... ignore nulls)` gives the same value,
    and sessionizing 36M events took ~10 s less with it (bench/notes.md, 2026-12-07). -#}
{% macro next_value_ignore_nulls(expr, over_clause) -%}
    {{ return(adapter.dispatch('next_value_ignore_nulls', 'touchpath')(expr, over_clause)) }}
{%- endmacro %}

{% macro default__next_value_ignore_nulls(expr, over_clause) -%}
    first_value({{ expr }} ignore nulls) over ({{ over_clause }} rows between 1 following and unbounded following)
{%- endmacro %}

{% macro duckdb__next_value_ignore_nulls(expr, over_clause) -%}
    lead({{ expr }} ignore nulls) over ({{ over_clause }})
{%- endmacro %}

{% macro snowflake__next_value_ignore_nulls(expr, over_clause) -%}
    first_value({{ expr }}) ignore nulls over ({{ over_clause }} rows between 1 following and unbounded following)
{%- endmacro %}

{% macro spark__next_value_ignore_nulls(expr, over_clause) -%}
    first({{ expr }}, true) over ({{ over_clause }} rows between 1 following and unbounded following)
{%- endmacro %}
