{#- The last non-null value of `expr` in a window frame. Engines spell `ignore nulls` differently,
    so it is dispatched; `over_clause` is everything inside over (...). -#}
{% macro last_value_ignore_nulls(expr, over_clause) -%}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'touchpath')(expr, over_clause)) }}
{%- endmacro %}

{% macro default__last_value_ignore_nulls(expr, over_clause) -%}
    last_value({{ expr }} ignore nulls) over ({{ over_clause }})
{%- endmacro %}

{% macro snowflake__last_value_ignore_nulls(expr, over_clause) -%}
    last_value({{ expr }}) ignore nulls over ({{ over_clause }})
{%- endmacro %}

{% macro spark__last_value_ignore_nulls(expr, over_clause) -%}
    last({{ expr }}, true) over ({{ over_clause }})
{%- endmacro %}
