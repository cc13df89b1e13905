-- One row per platform × ad × day: every ad platform's spend and delivery in one shape.
-- New platforms are added to this union (each has its own staging model).
with

meta as (
    select * from {{ ref('stg_meta_ads__ad_insights') }}
),

google_ads as (
    select * from {{ ref('stg_google_ads__ad_metrics') }}
),

tiktok as (
    select * from {{ ref('stg_tiktok_ads__ad_report') }}
),

ad_platforms as (
    select * from {{ ref('ad_platforms') }}
),

unioned as (
    select
        ad_day_id, platform, account_id, campaign_id, campaign_name, ad_group_id, ad_group_name, ad_id,
        ad_name, day, currency, spend, spend_reporting, impressions, clicks,
        platform_conversions, platform_conversion_value_reporting
    from meta

    union all

    select
        ad_day_id, platform, account_id, campaign_id, campaign_name, ad_group_id, ad_group_name, ad_id,
        ad_name, day, currency, spend, spend_reporting, impressions, clicks,
        platform_conversions, platform_conversion_value_reporting
    from google_ads

    union all

    select
        ad_day_id, platform, account_id, campaign_id, campaign_name, ad_group_id, ad_group_name, ad_id,
        ad_name, day, currency, spend, spend_reporting, impressions, clicks,
        platform_conversions, platform_conversion_value_reporting
    from tiktok
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
