{#- `relation`'s rows with `columns`, and for each name in `values` (name -> expression) the expression's
    value at the last row up to this one, in the window `over_clause` (partition and order, no frame),
    where `condition` holds. Portable as one `last_value ... ignore nulls` per value; DuckDB carries them
    together as one struct, one window function instead of several (sessionizing 36M events, ~8% faster:
    bench/notes.md, 2026-12-07). Expressions and the condition name `relation`'s columns unqualified. -#}
{% macro carry_last_values(relation, columns, condition, values, over_clause) -%}
    {{ return(adapter.dispatch('carry_last_values', 'touchpath')(relation, columns, condition, values, over_clause)) }}
{%- endmacro %}

{% macro default__carry_last_values(relation, columns, condition, values, over_clause) -%}
    {%- set frame = over_clause ~ ' rows between unbounded preceding and current row' %}
    select
        {{ columns | join(', ') }},
        {%- for name, expression in values.items() %}
        {{ last_value_ignore_nulls('case when ' ~ condition ~ ' then ' ~ expression ~ ' end', frame) }}
            as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}

{% macro duckdb__carry_last_values(relation, columns, condition, values, over_clause) -%}
    select
        {{ columns | join(', ') }},
        {%- for name in values %}
        carried.last_values.{{ name }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            {{ columns | join(', ') }},
            last_value(
                case when {{ condition }} then struct_pack(
                    {%- for name, expression in values.items() %}
                    {{ name }} := {{ expression }}{{ ',' if not loop.last }}
                    {%- endfor %}
                ) end ignore nulls
            ) over ({{ over_clause }} rows between unbounded preceding and current row) as last_values
        from {{ relation }}
    ) as carried
{%- endmacro %}
