{#- md5 of the fields joined by '|' with nulls as '_null_' (what dbt_utils' surrogate key does; hub
    packages cannot be installed offline, so we keep our own). -#}
{% macro surrogate_key(fields) -%}
    {{ dbt.hash(dbt.concat(surrogate_key_parts(fields))) }}
{%- endmacro %}

{% macro surrogate_key_parts(fields) -%}
    {%- set parts = [] -%}
    {%- for field in fields -%}
        {%- do parts.append("coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}
