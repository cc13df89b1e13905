-- One row per order × touch on its path × model. Per order and model the credits sum to 1.
-- Heuristic models are computed here; markov and shapley shares come per channel path from
-- int_data_driven_path_credits and are split evenly over the path's touches of that channel.
-- Orders without any touch are not here: fct_unattributed_orders lists them with the reason.
with

touches as (
    select * from {{ ref('int_order_touchpoints') }}
),

paths as (
    select order_id, channel_path, is_first_order
    from {{ ref('int_conversion_paths') }}
),

data_driven as (
    select * from {{ ref('int_data_driven_path_credits') }}
),

shaped as (
    select
        touches.*,
        paths.channel_path,
        paths.is_first_order,
        max(case when touches.channel <> 'direct' then touches.touch_position end)
            over (partition by touches.order_id) as last_non_direct_position,
        power(0.5, touches.days_before_order / {{ var('time_decay_half_life_days') }}) as decay_weight,
        count(*) over (partition by touches.order_id, touches.channel) as channel_touch_count
    from touches
    inner join paths
        on touches.order_id = paths.order_id
),

heuristic as (
    select
        shaped.*,
        case when touch_position = 1 then 1.0 else 0.0 end as first_touch,
        case when touch_position = touch_count then 1.0 else 0.0 end as last_touch,
        case
            when touch_position = coalesce(last_non_direct_position, touch_count) then 1.0 else 0.0
        end as last_non_direct,
        1.0 / touch_count as linear,
        decay_weight / sum(decay_weight) over (partition by order_id) as time_decay,
        case
            when touch_count = 1 then 1.0
            when touch_count = 2 then 0.5
            when touch_position = 1 then {{ var('position_based_first_weight') }}
            when touch_position = touch_count then {{ var('position_based_last_weight') }}
            else (1.0 - {{ var('position_based_first_weight') }} - {{ var('position_based_last_weight') }})
                / (touch_count - 2)
        end as position_based
    from shaped
),

heuristic_long as (
    {% set heuristic_models = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based'] %}
    {% for model_name in heuristic_models %}
    select order_id, touchpoint_id, '{{ model_name }}' as model, {{ model_name }} as credit
    from heuristic
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

data_driven_long as (
    select
        shaped.order_id,
        shaped.touchpoint_id,
        data_driven.model,
        coalesce(data_driven.share, 0) / shaped.channel_touch_count as credit
    from shaped
    inner join data_driven
        on shaped.channel_path = data_driven.channel_path
        and shaped.channel = data_driven.channel
),

credits as (
    select * from heuristic_long
    union all
    select * from data_driven_long
),

final as (
    select
        {{ surrogate_key(['credits.order_id', 'credits.touchpoint_id', 'credits.model']) }} as attribution_id,
        credits.order_id,
        credits.touchpoint_id,
        credits.model,
        cast(credits.credit as double) as credit,
        cast(credits.credit * shaped.revenue_reporting as double) as attributed_revenue,
        shaped.is_first_order,
        shaped.ordered_at,
        shaped.customer_key,
        shaped.touched_at,
        shaped.touch_position,
        shaped.touch_count,
        shaped.channel,
        shaped.platform,
        shaped.campaign_id,
        shaped.ad_id
    from credits
    inner join shaped
        on credits.order_id = shaped.order_id
        and credits.touchpoint_id = shaped.touchpoint_id
)

select * from final
