-- One row per distinct channel path: how many orders it led to (and their revenue) and how many
-- journeys on it ended without an order. The input of the data-driven attribution engines; it
-- scales with distinct paths, not with orders.
with

converting as (
    select channel_path, count(*) as conversions, sum(revenue_reporting) as revenue, 0 as nulls
    from {{ ref('int_conversion_paths') }}
    where touchpoint_count > 0
    group by channel_path
),

non_converting as (
    select channel_path, 0 as conversions, 0 as revenue, count(*) as nulls
    from {{ ref('int_non_converting_paths') }}
    group by channel_path
),

unioned as (
    select * from converting
    union all
    select * from non_converting
)

select
    channel_path,
    sum(conversions) as conversions,
    sum(revenue) as revenue,
    sum(nulls) as nulls
from unioned
group by channel_path
