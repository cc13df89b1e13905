{#- A keyword after `name as` that makes the engine compute a CTE once, before the query reads it. An
    incremental run's few reprocessed rows are worth fixing that way: given them inline, DuckDB's join
    order may drop the filter and probe every sessionized event against the few staged ones instead (in
    fct_customer_journeys' daily run at 36M events: 9.3 s against 6.0 s, bench/notes.md 2026-12-07).
    Engines without the keyword plan CTEs themselves: empty there. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'touchpath')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro postgres__materialized_cte() -%}
    materialized
{%- endmacro %}
