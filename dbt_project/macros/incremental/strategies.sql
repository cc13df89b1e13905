{#- Two incremental strategies for models whose unit of reprocessing is not their grain (see
    docs/decisions.md, "Incremental models"). Both delete what the new rows replace, then insert the new
    rows; dispatched, so an engine without a correlated delete can bring its own (e.g. a merge).

    delete_from+insert (configs `delete_key`, `delete_from`): for every key in the new rows, delete the
    target's rows of that key from the new rows' earliest `delete_from` on. int_sessions re-emits a device's
    sessions from the first one a late event can touch; a merged session's id disappears, so deleting by
    session id would leave it behind. int_person_stages re-emits a device's rows from a day on,
    fct_customer_journeys a person's items from a time on.

    delete_any+insert (config `delete_keys`): delete the target's rows that share any of the keys with a
    new row (int_attribution_credits: by order).

    Both take config `insert_where`: only the new rows meeting it are inserted, the others only delete.
    int_attribution_credits emits one such row per order whose path is gone; fct_customer_journeys one
    marker row per person, at the time its items are deleted from (a person whose later items all went to
    someone else has no other row to carry it). -#}

{% macro get_incremental_delete_from_insert_sql(arg_dict) -%}
    {{ return(adapter.dispatch('delete_from_insert_sql', 'touchpath')(arg_dict)) }}
{%- endmacro %}

{% macro default__delete_from_insert_sql(arg_dict) -%}
    {%- set key = config.require('delete_key') -%}
    {%- set from_column = config.require('delete_from') -%}
    {%- set insert_where = config.get('insert_where') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }} as existing
    where existing.{{ from_column }} >= (
        select min(new_rows.{{ from_column }})
        from {{ arg_dict['temp_relation'] }} as new_rows
        where new_rows.{{ key }} = existing.{{ key }}
    );

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
    {%- if insert_where %}
    where {{ insert_where }}
    {%- endif %}
{%- endmacro %}

{% macro get_incremental_delete_any_insert_sql(arg_dict) -%}
    {{ return(adapter.dispatch('delete_any_insert_sql', 'touchpath')(arg_dict)) }}
{%- endmacro %}

{% macro default__delete_any_insert_sql(arg_dict) -%}
    {%- set keys = config.require('delete_keys') -%}
    {%- set insert_where = config.get('insert_where') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where
        {%- for key in keys %}
        {{ key }} in (select {{ key }} from {{ arg_dict['temp_relation'] }} where {{ key }} is not null)
        {{- ' or' if not loop.last }}
        {%- endfor %};

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
    {%- if insert_where %}
    where {{ insert_where }}
    {%- endif %}
{%- endmacro %}
