-- One row per channel × attribution model over the whole loaded period: what a media buyer reads
-- first. Rolled up from fct_channel_performance_daily (spend and attributed results were aggregated
-- apart and joined there), so its totals are that mart's totals. Channels without spend (email,
-- direct, organic …) appear with spend 0 and their attributed revenue.
with

channel_daily as (
    select * from {{ ref('fct_channel_performance_daily') }}
),

totals as (
    select
        channel,
        model,
        min(day) as first_day,
        max(day) as last_day,
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
    group by channel, model
),

final as (
    select
        -- ids
        {{ surrogate_key(['totals.channel', 'totals.model']) }} as channel_summary_id,
        -- dimensions
        totals.channel,
        totals.model,
        totals.first_day,
        totals.last_day,
        -- measures (money in var reporting_currency)
        '{{ var("reporting_currency") }}' as currency,
        totals.spend,
        totals.impressions,
        totals.clicks,
        totals.attributed_orders,
        totals.attributed_revenue,
        totals.new_customers,
        totals.first_order_revenue,
        totals.platform_conversions,
        totals.platform_conversion_value,
        {{ performance_ratios('totals') }},
        totals.spend / nullif(sum(totals.spend) over (partition by totals.model), 0) as share_of_spend,
        totals.attributed_revenue / nullif(sum(totals.attributed_revenue) over (partition by totals.model), 0)
            as share_of_attributed_revenue
    from totals
)

select * from final
