-- One row per day × channel × platform × campaign × attribution model: what was spent (from the ad
-- platforms) beside what our independent attribution credits. Spend and attributed results are
-- aggregated separately and then joined, so neither fans out the other. Platform-reported
-- conversions sit in their own columns and are never mixed into ours.
with

spend as (
    select
        day,
        channel,
        platform,
        campaign_id,
        max(campaign_name) as campaign_name,
        sum(spend_reporting) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(platform_conversions) as platform_conversions,
        sum(platform_conversion_value_reporting) as platform_conversion_value
    from {{ ref('int_ad_spend_daily') }}
    group by day, channel, platform, campaign_id
),

models as (
    {% for model_name in var('attribution_models') %}
    select '{{ model_name }}' as model
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

spend_by_model as (
    select spend.*, models.model
    from spend
    cross join models
),

campaign_names as (
    select campaign_id, max(campaign_name) as campaign_name
    from {{ ref('int_touchpoints') }}
    where campaign_id is not null
    group by campaign_id
),

attributed as (
    select
        cast(ordered_at as date) as day,
        channel,
        coalesce(platform, '(none)') as platform,
        coalesce(campaign_id, '(none)') as campaign_id,
        model,
        sum(credit) as attributed_orders,
        sum(attributed_revenue) as attributed_revenue,
        sum(case when is_first_order then credit else 0 end) as new_customers,
        sum(case when is_first_order then attributed_revenue else 0 end) as first_order_revenue
    from {{ ref('fct_attribution') }}
    group by 1, 2, 3, 4, 5
),

joined as (
    select
        coalesce(spend_by_model.day, attributed.day) as day,
        coalesce(spend_by_model.channel, attributed.channel) as channel,
        coalesce(spend_by_model.platform, attributed.platform) as platform,
        coalesce(spend_by_model.campaign_id, attributed.campaign_id) as campaign_id,
        coalesce(spend_by_model.model, attributed.model) as model,
        spend_by_model.campaign_name,
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
        and spend_by_model.channel = attributed.channel
        and spend_by_model.platform = attributed.platform
        and spend_by_model.campaign_id = attributed.campaign_id
        and spend_by_model.model = attributed.model
),

final as (
    select
        {{ surrogate_key(['joined.day', 'joined.channel', 'joined.platform', 'joined.campaign_id', 'joined.model']) }}
            as performance_id,
        joined.day,
        joined.channel,
        joined.platform,
        joined.campaign_id,
        coalesce(joined.campaign_name, campaign_names.campaign_name) as campaign_name,
        joined.model,
        joined.spend,
        joined.impressions,
        joined.clicks,
        joined.attributed_orders,
        joined.attributed_revenue,
        joined.new_customers,
        joined.first_order_revenue,
        joined.platform_conversions,
        joined.platform_conversion_value,
        {{ performance_ratios('joined') }}
    from joined
    left join campaign_names
        on joined.campaign_id = campaign_names.campaign_id
        and joined.campaign_name is null
)

select * from final
