{{ config(materialized='view') }}
-- One row per marketing touch: int_touchpoints' public columns (a view, like it).
select
    touchpoint_id,
    session_id,
    customer_key,
    touched_at,
    touch_type,
    channel,
    platform,
    source,
    medium,
    campaign_id,
    campaign_name,
    ad_group_id,
    ad_id,
    ad_name
from {{ ref('int_touchpoints') }}
