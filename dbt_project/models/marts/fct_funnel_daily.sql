-- One row per day × channel × funnel stage: people who reached at least this stage that day through
-- sessions of this channel, how many went one stage further, and the conversion and drop-off.
-- Counting "at least this stage" (a purchase implies the stages before it) keeps the funnel
-- monotone: people never increase down the stages.
with

person_stages as (
    select * from {{ ref('int_person_stages') }}
),

stages as (
    select stage, min(stage_order) as stage_order
    from {{ ref('funnel_stages') }}
    group by stage
),

furthest as (
    select customer_key, day, channel, max(stage_order) as furthest_stage_order
    from person_stages
    group by customer_key, day, channel
),

reached as (
    -- people per day, channel and furthest stage: `furthest` has one row per person, day and channel,
    -- so a count is a count of distinct people (expanding each row to every stage before its furthest
    -- and counting distinct keys hashed 14.5M rows at 36M events)
    select day, channel, furthest_stage_order, count(customer_key) as people
    from furthest
    group by day, channel, furthest_stage_order
),

day_channels as (
    select distinct day, channel from reached
),

counted as (
    -- people who reached at least the stage: those whose furthest stage is this one or later
    select
        day_channels.day,
        day_channels.channel,
        stages.stage,
        stages.stage_order,
        cast(coalesce(sum(reached.people), 0) as {{ dbt.type_bigint() }}) as people
    from day_channels
    cross join stages
    left join reached
        on day_channels.day = reached.day
        and day_channels.channel = reached.channel
        and reached.furthest_stage_order >= stages.stage_order
    group by 1, 2, 3, 4
),

final as (
    select
        counted.day,
        counted.channel,
        counted.stage,
        counted.stage_order,
        counted.people,
        lead(counted.people) over (
            partition by counted.day, counted.channel order by counted.stage_order
        ) as reached_next,
        lead(counted.people) over (
            partition by counted.day, counted.channel order by counted.stage_order
        ) * 1.0 / nullif(counted.people, 0) as conversion_to_next,
        1.0 - lead(counted.people) over (
            partition by counted.day, counted.channel order by counted.stage_order
        ) * 1.0 / nullif(counted.people, 0) as drop_off_rate
    from counted
)

select * from final
