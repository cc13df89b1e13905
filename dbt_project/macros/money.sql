{#- `amount` in `currency` expressed in the reporting currency (var reporting_currency), through the
    fx_rates seed (units of each currency per USD). Needs the seed joined as `fx` and `fx_reporting`. -#}
{% macro to_reporting_currency(amount, fx_alias='fx', reporting_alias='fx_reporting') -%}
    ({{ amount }} / {{ fx_alias }}.units_per_usd * {{ reporting_alias }}.units_per_usd)
{%- endmacro %}
