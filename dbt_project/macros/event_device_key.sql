{#- The device an event belongs to: its anonymous id, else its user id marked as such ('user:<id>', never
    equal to an anonymous id). Sessionizing partitions by it; incremental models filter staged events on it
    to read only the devices they reprocess. -#}
{% macro event_device_key(anonymous_id='anonymous_id', user_id='user_id') -%}
    coalesce({{ anonymous_id }}, {{ dbt.concat(["'user:'", user_id]) }})
{%- endmacro %}
