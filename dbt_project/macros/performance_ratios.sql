{#- The KPI ratios of domain.md, one definition for every performance mart, from the summed
    measures of `alias`: CTR, CPC, ROAS, CPA, CAC (spend / credited first orders) and first-time
    customer ROAS. Division by zero gives null. -#}
{% macro performance_ratios(alias) -%}
        {{ alias }}.clicks * 1.0 / nullif({{ alias }}.impressions, 0) as ctr,
        {{ alias }}.spend / nullif({{ alias }}.clicks, 0) as cpc,
        {{ alias }}.attributed_revenue / nullif({{ alias }}.spend, 0) as roas,
        {{ alias }}.spend / nullif({{ alias }}.attributed_orders, 0) as cpa,
        {{ alias }}.spend / nullif({{ alias }}.new_customers, 0) as cac,
        {{ alias }}.first_order_revenue / nullif({{ alias }}.spend, 0) as first_order_roas
{%- endmacro %}
