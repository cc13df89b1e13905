{{ config(materialized='view') }}
-- One row per marketing touch: the start of every session with the traffic that brought it
-- (ad click, email/SMS click, search, social, referral or direct). Paid touches carrying an ad id
-- (`utm_content`) are joined to the ad platforms' campaign hierarchy. A view: one row per row of the
-- incremental int_sessions plus a lookup in the small int_ads, whose names the platforms restate daily;
-- a table would be rewritten whole every run.
with

sessions as (
    select * from {{ ref('int_sessions') }}
),

ads as (
    select * from {{ ref('int_ads') }}
),

final as (
    select
        sessions.session_id as touchpoint_id,
        sessions.session_id,
        sessions.customer_key,
        sessions.device_key,
        sessions.started_at as touched_at,
        case
            when sessions.click_id is not null then 'ad_click'
            when sessions.channel in ('email', 'sms') then {{ dbt.concat(['sessions.channel', "'_click'"]) }}
            else 'visit'
        end as touch_type,
        sessions.channel,
        sessions.platform,
        sessions.source,
        sessions.medium,
        coalesce(ads.campaign_id, sessions.campaign) as campaign_id,
        coalesce(ads.campaign_name, sessions.campaign) as campaign_name,
        ads.ad_group_id,
        case when ads.ad_id is not null then sessions.utm_content end as ad_id,
        ads.ad_name,
        sessions.click_id_type,
        sessions.click_id,
        -- lineage: the newest dlt load among the session's events (readers' incremental watermark)
        sessions.load_id
    from sessions
    left join ads
        on sessions.platform = ads.platform
        and sessions.utm_content = ads.ad_id
)

select * from final
