{#- The device an event belongs to: its anonymous id, else its user id marked as such ('user:<id>', never
    equal to an anonymous id). Sessionizing partitions by it; incremental models filter staged events on it
    to read only the devices they reprocess. -#}
{% macro event_device_key(anonymous_id='anonymous_id', user_id='user_id') -%}
    coalesce({{ anonymous_id }}, {{ dbt.concat(["'user:'", user_id]) }})
{%- endmacro %}

{#- The staged events sessionizing keeps (no bots; page, track, screen, identify). int_event_sessions
    sessionizes them; int_person_stages finds order events' sessions among them, so both must agree. -#}
{% macro is_sessionized_event(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {{ prefix }}event_type in ('page', 'track', 'screen', 'identify')
    and not coalesce({{ prefix }}is_bot, false)
{%- endmacro %}
