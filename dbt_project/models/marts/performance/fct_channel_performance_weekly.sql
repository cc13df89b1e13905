-- One row per week × channel × attribution model (weeks start as the warehouse's date_trunc('week')
-- does: Monday in DuckDB): the channel summary over time. Rolled up from
-- fct_channel_performance_daily, so its totals are that mart's totals.
with

channel_daily as (
    select * from {{ ref('fct_channel_performance_daily') }}
),

weekly as (
    select
        cast({{ dbt.date_trunc('week', 'day') }} as date) as week_start,
        channel,
        model,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(attributed_orders) as attributed_orders,
        sum(attributed_revenue) as attributed_revenue,
        sum(new_customers) as new_customers,
        sum(first_order_revenue) as first_order_revenue,
        sum(platform_conversions) as platform_conversions,
        sum(platform_conversion_value) as platform_conversion_value
    from channel_daily
    group by 1, 2, 3
),

final as (
    select
        -- ids
        {{ surrogate_key(['weekly.week_start', 'weekly.channel', 'weekly.model']) }} as channel_week_id,
        -- dimensions
        weekly.week_start,
        weekly.channel,
        weekly.model,
        -- measures (money in var reporting_currency)
        '{{ var("reporting_currency") }}' as currency,
        weekly.spend,
        weekly.impressions,
        weekly.clicks,
        weekly.attributed_orders,
        weekly.attributed_revenue,
        weekly.new_customers,
        weekly.first_order_revenue,
        weekly.platform_conversions,
        weekly.platform_conversion_value,
        {{ performance_ratios('weekly') }}
    from weekly
)

select * from final
