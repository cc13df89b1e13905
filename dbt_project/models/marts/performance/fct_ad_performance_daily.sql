-- One row per day × platform × ad × attribution model: what the ad spent and delivered (from the ad
-- platform) beside what our independent attribution credits to touches on that ad, by order day.
-- Spend and attributed results are aggregated separately and then joined (full outer), so neither
-- fans out the other and a day with spend but no orders (or orders but no spend) both appear.
-- Platform-reported conversions sit in their own columns and are never mixed into ours.
with

ad_spend as (
    select * from {{ ref('int_ad_spend_daily') }}
),

attribution as (
    select * from {{ ref('fct_attribution') }}
),

ads as (
    select * from {{ ref('int_ads') }}
),

spend as (
    select
        day,
        platform,
        ad_id,
        sum(spend_reporting) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(platform_conversions) as platform_conversions,
        sum(platform_conversion_value_reporting) as platform_conversion_value
    from ad_spend
    group by day, platform, ad_id
),

models as (
    {% for model_name in var('attribution_models') %}
    select '{{ model_name }}' as model
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

spend_by_model as (
    select
        spend.*,
        models.model
    from spend
    cross join models
),

attributed as (
    select
        cast(attribution.ordered_at as date) as day,
        attribution.platform,
        attribution.ad_id,
        attribution.model,
        sum(attribution.credit) as attributed_orders,
        sum(attribution.attributed_revenue) as attributed_revenue,
        sum(case when attribution.is_first_order then attribution.credit else 0 end) as new_customers,
        sum(case when attribution.is_first_order then attribution.attributed_revenue else 0 end)
            as first_order_revenue
    from attribution
    where attribution.ad_id is not null
    group by 1, 2, 3, 4
),

joined as (
    select
        coalesce(spend_by_model.day, attributed.day) as day,
        coalesce(spend_by_model.platform, attributed.platform) as platform,
        coalesce(spend_by_model.ad_id, attributed.ad_id) as ad_id,
        coalesce(spend_by_model.model, attributed.model) as model,
        coalesce(spend_by_model.spend, 0) as spend,
        coalesce(spend_by_model.impressions, 0) as impressions,
        coalesce(spend_by_model.clicks, 0) as clicks,
        coalesce(spend_by_model.platform_conversions, 0) as platform_conversions,
        coalesce(spend_by_model.platform_conversion_value, 0) as platform_conversion_value,
        coalesce(attributed.attributed_orders, 0) as attributed_orders,
        coalesce(attributed.attributed_revenue, 0) as attributed_revenue,
        coalesce(attributed.new_customers, 0) as new_customers,
        coalesce(attributed.first_order_revenue, 0) as first_order_revenue
    from spend_by_model
    full outer join attributed
        on spend_by_model.day = attributed.day
        and spend_by_model.platform = attributed.platform
        and spend_by_model.ad_id = attributed.ad_id
        and spend_by_model.model = attributed.model
),

final as (
    select
        -- ids
        {{ surrogate_key(['joined.day', 'joined.platform', 'joined.ad_id', 'joined.model']) }} as ad_performance_id,
        joined.ad_id,
        ads.ad_group_id,
        ads.campaign_id,
        -- dimensions
        joined.day,
        joined.platform,
        ads.channel,
        ads.campaign_name,
        ads.ad_group_name,
        ads.ad_name,
        joined.model,
        -- measures (money in var reporting_currency)
        '{{ var("reporting_currency") }}' as currency,
        joined.spend,
        joined.impressions,
        joined.clicks,
        joined.attributed_orders,
        joined.attributed_revenue,
        joined.new_customers,
        joined.first_order_revenue,
        joined.platform_conversions,
        joined.platform_conversion_value,
        {{ performance_ratios('joined') }},
        joined.platform_conversion_value / nullif(joined.spend, 0) as platform_roas
    from joined
    left join ads
        on joined.platform = ads.platform
        and joined.ad_id = ads.ad_id
)

select * from final
