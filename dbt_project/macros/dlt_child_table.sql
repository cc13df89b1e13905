{#- A dlt child table (`orders__line_items`) of a source table. dlt writes nested lists to child
    tables in the same load as their parent, so they are read through the parent's source: the
    lineage stays on the one Dagster asset that loads both. -#}
{% macro dlt_child_table(parent_relation, child_name) -%}
    {{ return(parent_relation.incorporate(path={"identifier": parent_relation.identifier ~ "__" ~ child_name})) }}
{%- endmacro %}
