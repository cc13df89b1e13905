{#- True when any of `fields` differs between two aliases with the same columns, a null equal to a null:
    how incremental models find their stored rows that no longer match the current ones. Typed values are
    compared directly: an md5 of each side's fields as text cost 6x as much (int_attribution_credits'
    diff over its 1M touches at 10M events: 2.0 s against 0.34 s). -#}
{% macro rows_differ(left, right, fields) -%}
    (
        {%- for field in fields %}
        {{ null_safe_differs(left ~ '.' ~ field, right ~ '.' ~ field) }}{{ ' or' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Dispatched: engines without `is distinct from` (Redshift) bring their own. -#}
{% macro null_safe_differs(a, b) -%}
    {{ return(adapter.dispatch('null_safe_differs', 'touchpath')(a, b)) }}
{%- endmacro %}

{% macro default__null_safe_differs(a, b) -%}
    {{ a }} is distinct from {{ b }}
{%- endmacro %}
