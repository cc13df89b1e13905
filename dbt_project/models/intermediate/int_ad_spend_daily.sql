-- One row per platform × ad × day: every ad platform's spend and delivery in one shape.
-- A new platform adds its staging model (same columns) to the list below.
with

ad_platforms as (
    select * from {{ ref('ad_platforms') }}
),

unioned as (
    {% for staging_model in ['stg_meta_ads__ad_insights', 'stg_google_ads__ad_metrics', 'stg_tiktok_ads__ad_report'] %}
    select
        ad_day_id, platform, account_id, campaign_id, campaign_name, ad_group_id, ad_group_name, ad_id,
        ad_name, day, currency, spend, spend_reporting, impressions, clicks,
        platform_conversions, platform_conversion_value_reporting
    from {{ ref(staging_model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        unioned.*,
        ad_platforms.channel
    from unioned
    left join ad_platforms
        on unioned.platform = ad_platforms.platform
)

select * from final
