{{
    config(
        materialized='incremental',
        incremental_strategy='delete_from+insert',
        delete_key='device_key',
        delete_from='started_at',
        on_schema_change='fail',
    )
}}
-- One row per session: its landing (first event) traffic, classified into a channel by the
-- channel_rules seed (lowest rule_order that matches wins), and what happened in it.
--
-- Incremental, by device like int_event_sessions: a device with events of newer loads is rebuilt from
-- the first session those events can touch (a late event can merge or split sessions, so a session id
-- can disappear: the strategy deletes the device's rows from that time on, not by session id); a device
-- identity stitching moved to another person is rebuilt whole (its customer_key changes).
-- depends_on: {{ ref('int_event_sessions') }}
-- depends_on: {{ ref('stg_tracking__events') }}
with

channel_rules as (
    select * from {{ ref('channel_rules') }}
),

referrer_categories as (
    select * from {{ ref('referrer_categories') }}
),

ad_platforms as (
    select * from {{ ref('ad_platforms') }}
),

identity as (
    select * from {{ ref('int_identity_map') }}
),

{% if is_incremental() %}

reprocess as (
    {{ session_reprocess_scope(this) }}
),

scoped_sessions as (
    select narrow.*
    from {{ ref('int_event_sessions') }} as narrow
    inner join reprocess
        on narrow.device_key = reprocess.device_key
        and narrow.event_at >= reprocess.reprocess_from_at
    -- redundant with the join, but engines filter on it before joining (DuckDB reorders the join)
    where narrow.device_key in (select device_key from reprocess)
),

scoped as (
    {{ sessionized_events('scoped_sessions') }}
),

{% endif %}
{#- The sessionized events, read twice below (landings, activity). An incremental run's are few: one
    CTE, computed once. A full refresh's are every event: a CTE read twice is materialized whole by
    DuckDB (every column of every event), so each read goes to the view, which filters (landings) and
    keeps only the columns it needs before joining the staged events. -#}
{%- set scoped = 'scoped' if is_incremental() else ref('int_events_sessionized') %}

landings as (
    select
        events.session_id,
        events.device_key,
        events.anonymous_id,
        -- the person: the device's stitched identity (int_identity_map), else the event's user id
        coalesce(identity.customer_key, events.user_id, events.anonymous_id) as customer_key,
        events.event_at as started_at,
        events.page_url as landing_page_url,
        events.page_path as landing_page_path,
        events.external_referrer_host as referrer_host,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign,
        events.utm_content,
        events.utm_term,
        events.device_type,
        case
            when events.fbclid is not null then 'fbclid'
            when events.ttclid is not null then 'ttclid'
            when events.gclid is not null then 'gclid'
            when events.msclkid is not null then 'msclkid'
        end as click_id_type,
        coalesce(events.fbclid, events.ttclid, events.gclid, events.msclkid) as click_id
    from {{ scoped }} as events
    left join identity
        on events.anonymous_id = identity.anonymous_id
    where events.is_session_start
),

referrer_matches as (
    select
        landings.session_id,
        referrer_categories.referrer_category,
        row_number() over (
            partition by landings.session_id
            order by referrer_categories.priority, referrer_categories.host_pattern
        ) as match_rank
    from landings
    inner join referrer_categories
        on landings.referrer_host like referrer_categories.host_pattern
),

landings_categorised as (
    select
        landings.*,
        case
            when landings.referrer_host is null then null
            else coalesce(referrer_matches.referrer_category, 'other')
        end as referrer_category
    from landings
    left join referrer_matches
        on landings.session_id = referrer_matches.session_id
        and referrer_matches.match_rank = 1
),

rule_matches as (
    select
        landings_categorised.session_id,
        channel_rules.channel,
        row_number() over (
            partition by landings_categorised.session_id order by channel_rules.rule_order
        ) as match_rank
    from landings_categorised
    inner join channel_rules
        on (channel_rules.click_id is null or channel_rules.click_id = landings_categorised.click_id_type)
        and (channel_rules.source_pattern is null or landings_categorised.utm_source like channel_rules.source_pattern)
        and (channel_rules.medium_pattern is null or landings_categorised.utm_medium like channel_rules.medium_pattern)
        and (channel_rules.campaign_pattern is null
            or lower(landings_categorised.utm_campaign) like channel_rules.campaign_pattern)
        and (
            channel_rules.referrer_category is null
            or (
                landings_categorised.utm_source is null
                and landings_categorised.utm_medium is null
                and landings_categorised.referrer_category = channel_rules.referrer_category
            )
        )
),

activity as (
    select
        session_id,
        max(event_at) as ended_at,
        sum(case when event_type in ('page', 'track', 'screen') then 1 else 0 end) as event_count,
        sum(case when event_type in ('page', 'screen') then 1 else 0 end) as page_view_count,
        max(case when event_name = 'Order Completed' then 1 else 0 end) = 1 as has_order,
        max(case when event_name = 'Product Added' then 1 else 0 end) = 1 as has_add_to_cart,
        max(case when event_name in ('Signed Up', 'Email Captured') then 1 else 0 end) = 1 as has_signup,
        -- lineage: the newest load among the session's events (the watermark of incremental runs)
        max(load_id) as load_id
    from {{ scoped }} as scoped
    group by session_id
),

final as (
    select
        landings_categorised.session_id,
        landings_categorised.device_key,
        landings_categorised.anonymous_id,
        landings_categorised.customer_key,
        coalesce(rule_matches.channel, 'direct') as channel,
        coalesce(
            ad_platforms.platform,
            case when rule_matches.channel in ('paid_social', 'paid_search', 'display', 'affiliate')
                then landings_categorised.utm_source end
        ) as platform,
        landings_categorised.utm_source as source,
        landings_categorised.utm_medium as medium,
        landings_categorised.utm_campaign as campaign,
        landings_categorised.utm_content,
        landings_categorised.utm_term,
        landings_categorised.click_id_type,
        landings_categorised.click_id,
        landings_categorised.referrer_host,
        landings_categorised.referrer_category,
        landings_categorised.landing_page_url,
        landings_categorised.landing_page_path,
        landings_categorised.device_type,
        landings_categorised.started_at,
        activity.ended_at,
        activity.event_count,
        activity.page_view_count,
        activity.event_count <= 1 as is_bounce,
        activity.has_order,
        activity.has_add_to_cart,
        activity.has_signup,
        activity.load_id
    from landings_categorised
    left join rule_matches
        on landings_categorised.session_id = rule_matches.session_id
        and rule_matches.match_rank = 1
    left join ad_platforms
        on landings_categorised.click_id_type = ad_platforms.click_id
    inner join activity
        on landings_categorised.session_id = activity.session_id
)

select * from final
