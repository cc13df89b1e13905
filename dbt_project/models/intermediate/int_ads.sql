-- One row per platform × ad: its campaign and ad group (the latest names the platform reported).
with

spend as (
    select * from {{ ref('int_ad_spend_daily') }}
),

ranked as (
    select
        platform,
        ad_id,
        ad_name,
        ad_group_id,
        ad_group_name,
        campaign_id,
        campaign_name,
        channel,
        row_number() over (partition by platform, ad_id order by day desc) as recency
    from spend
)

select
    platform,
    ad_id,
    ad_name,
    ad_group_id,
    ad_group_name,
    campaign_id,
    campaign_name,
    channel
from ranked
where recency = 1
