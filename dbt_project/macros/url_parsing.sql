{#- URL helpers built on dbt's cross-database split_part, so they run on any engine. -#}

{#- The value of query parameter `param` in `url`, or null. -#}
{% macro url_parameter(url, param) -%}
    nullif(
        {{ dbt.split_part(dbt.split_part(dbt.split_part(url, "'#'", 1), "'" ~ param ~ "='", 2), "'&'", 1) }},
        ''
    )
{%- endmacro %}

{#- The lower-cased host of `url` (`https://www.google.com/search?q=x` -> `www.google.com`), or null. -#}
{% macro url_host(url) -%}
    nullif(lower({{ dbt.split_part(dbt.split_part(dbt.split_part(url, "'://'", 2), "'/'", 1), "'?'", 1) }}), '')
{%- endmacro %}
