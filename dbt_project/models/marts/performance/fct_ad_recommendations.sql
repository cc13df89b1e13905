-- One row per level (ad or campaign) × entity × day × fired rule: the actions the automation rules
-- (seed automation_rules) recommend, with the figures that fired them. Each rule is evaluated for
-- every day an entity appears in fct_ad_performance_daily, over the trailing `window_days` ending
-- that day, under the rule's attribution model; it fires when the window spent at least `min_spend`
-- and `metric <comparator> threshold` holds. Rules are joined as data (no Jinja loop), so editing the
-- seed changes the recommendations without recompiling. We only recommend: nothing here calls an ad
-- platform.
with

ad_daily as (
    select * from {{ ref('fct_ad_performance_daily') }}
),

rules as (
    select * from {{ ref('automation_rules') }}
),

entity_days as (
    select
        'ad' as level,
        platform,
        ad_id as entity_id,
        campaign_id,
        ad_id,
        day,
        model,
        spend,
        impressions,
        clicks,
        attributed_orders,
        attributed_revenue,
        new_customers,
        first_order_revenue,
        platform_conversions
    from ad_daily

    union all

    select
        'campaign' as level,
        platform,
        campaign_id as entity_id,
        campaign_id,
        cast(null as {{ dbt.type_string() }}) as ad_id,
        day,
        model,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(attributed_orders) as attributed_orders,
        sum(attributed_revenue) as attributed_revenue,
        sum(new_customers) as new_customers,
        sum(first_order_revenue) as first_order_revenue,
        sum(platform_conversions) as platform_conversions
    from ad_daily
    group by platform, campaign_id, day, model
),

rule_days as (
    select
        rules.rule_id,
        rules.level,
        rules.metric,
        rules.comparator,
        rules.threshold,
        coalesce(rules.min_spend, 0) as min_spend,
        rules.window_days,
        rules.model,
        rules.action,
        entity_days.platform,
        entity_days.entity_id,
        entity_days.campaign_id,
        entity_days.ad_id,
        entity_days.day
    from entity_days
    inner join rules
        on entity_days.level = rules.level
        and entity_days.model = rules.model
),

windowed as (
    select
        rule_days.rule_id,
        rule_days.level,
        rule_days.metric,
        rule_days.comparator,
        rule_days.threshold,
        rule_days.min_spend,
        rule_days.window_days,
        rule_days.model,
        rule_days.action,
        rule_days.platform,
        rule_days.entity_id,
        rule_days.campaign_id,
        rule_days.ad_id,
        rule_days.day,
        sum(history.spend) as spend_in_window,
        sum(history.impressions) as impressions_in_window,
        sum(history.clicks) as clicks_in_window,
        sum(history.attributed_orders) as attributed_orders_in_window,
        sum(history.attributed_revenue) as attributed_revenue_in_window,
        sum(history.new_customers) as new_customers_in_window,
        sum(history.first_order_revenue) as first_order_revenue_in_window,
        sum(history.platform_conversions) as platform_conversions_in_window
    from rule_days
    inner join entity_days as history
        on rule_days.level = history.level
        and rule_days.platform = history.platform
        and rule_days.entity_id = history.entity_id
        and rule_days.model = history.model
        and history.day <= rule_days.day
        and history.day > {{ dbt.dateadd('day', '-1 * rule_days.window_days', 'rule_days.day') }}
    group by
        rule_days.rule_id, rule_days.level, rule_days.metric, rule_days.comparator, rule_days.threshold,
        rule_days.min_spend, rule_days.window_days, rule_days.model, rule_days.action, rule_days.platform,
        rule_days.entity_id, rule_days.campaign_id, rule_days.ad_id, rule_days.day
),

metrics as (
    select
        windowed.*,
        attributed_revenue_in_window / nullif(spend_in_window, 0) as roas,
        spend_in_window / nullif(attributed_orders_in_window, 0) as cpa,
        spend_in_window / nullif(new_customers_in_window, 0) as cac,
        clicks_in_window * 1.0 / nullif(impressions_in_window, 0) as ctr,
        spend_in_window / nullif(clicks_in_window, 0) as cpc,
        first_order_revenue_in_window / nullif(spend_in_window, 0) as first_order_roas,
        platform_conversions_in_window / nullif(attributed_orders_in_window, 0) as platform_conversion_ratio
    from windowed
),

evaluated as (
    select
        metrics.*,
        case metrics.metric
            when 'roas' then metrics.roas
            when 'cpa' then metrics.cpa
            when 'cac' then metrics.cac
            when 'ctr' then metrics.ctr
            when 'cpc' then metrics.cpc
            when 'spend' then metrics.spend_in_window
            when 'first_order_roas' then metrics.first_order_roas
            when 'platform_conversion_ratio' then metrics.platform_conversion_ratio
        end as metric_value
    from metrics
),

fired as (
    -- compared at 6 decimals: sums of floats taken in parallel land a window's spend (or a ratio) on
    -- either side of a threshold from one run to the next (10.000000000000002 vs 9.999999999999998)
    select *
    from evaluated
    where round(spend_in_window, 6) >= min_spend
        and (
            (comparator = '<' and round(metric_value, 6) < threshold)
            or (comparator = '<=' and round(metric_value, 6) <= threshold)
            or (comparator = '>' and round(metric_value, 6) > threshold)
            or (comparator = '>=' and round(metric_value, 6) >= threshold)
        )
),

latest as (
    select max(day) as latest_day from ad_daily
),

final as (
    select
        -- ids
        {{ surrogate_key(['fired.level', 'fired.platform', 'fired.entity_id', 'fired.day', 'fired.rule_id']) }}
            as recommendation_id,
        fired.rule_id,
        fired.entity_id,
        fired.campaign_id,
        fired.ad_id,
        -- dimensions
        fired.day,
        fired.level,
        fired.platform,
        fired.model,
        fired.action,
        fired.metric,
        fired.comparator,
        fired.window_days,
        cast({{ dbt.dateadd('day', '1 - fired.window_days', 'fired.day') }} as date) as window_first_day,
        fired.day = latest.latest_day as is_latest_day,
        -- the figures that fired it (money in var reporting_currency)
        fired.metric_value,
        fired.threshold,
        fired.min_spend,
        fired.spend_in_window,
        fired.impressions_in_window,
        fired.clicks_in_window,
        fired.attributed_orders_in_window,
        fired.attributed_revenue_in_window,
        fired.new_customers_in_window,
        fired.first_order_revenue_in_window,
        fired.platform_conversions_in_window,
        fired.roas,
        fired.cpa,
        fired.cac,
        fired.ctr,
        fired.cpc,
        fired.first_order_roas,
        fired.platform_conversion_ratio
    from fired
    cross join latest
)

select * from final
