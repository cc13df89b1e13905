{{ config(materialized='view') }}
-- One row per session: int_sessions' public columns. A view: int_sessions is incremental, and a copy
-- of it would cost a full rewrite (or a second incremental bookkeeping) every run for nothing.
select
    session_id,
    customer_key,
    device_key,
    anonymous_id,
    started_at,
    ended_at,
    channel,
    platform,
    source,
    medium,
    campaign,
    referrer_host,
    landing_page_path,
    device_type,
    event_count,
    page_view_count,
    is_bounce,
    has_add_to_cart,
    has_signup,
    has_order
from {{ ref('int_sessions') }}
