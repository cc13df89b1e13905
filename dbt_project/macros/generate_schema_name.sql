{#- Schemas are named exactly `staging`, `intermediate`, `marts` (the public contract), not
    `<target>_<custom>` as dbt does by default. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
