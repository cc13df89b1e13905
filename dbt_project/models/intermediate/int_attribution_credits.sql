{{
    config(
        materialized='incremental',
        incremental_strategy='delete_any+insert',
        delete_keys=['order_id'],
        insert_where='touchpoint_id is not null',
        on_schema_change='fail',
    )
}}
-- One row per order × touch on its path × attribution model: the stored part of fct_attribution.
-- Heuristic models carry their credit; the data-driven ones (markov, shapley: a share per channel path
-- and channel, int_data_driven_path_credits, which every new journey changes) carry the touch's
-- `channel_path` and `channel_touch_count`, and fct_attribution (a view) joins the share at read time.
--
-- Incremental by order (delete_any+insert on order_id): an order's rows depend only on its own path
-- (int_order_touchpoints) and on its is_first_order and channel path. A run re-emits the orders whose
-- path differs from the stored one in any field, either way; an order whose path is gone now (no touch
-- left) is emitted as one row without a touch, which deletes its stored rows and is not inserted.
{%- set heuristic_models = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based'] -%}
{#- the models int_data_driven_path_credits computes -#}
{%- set data_driven_models = ['markov', 'shapley'] -%}
{%- set path_fields = [
    'order_id', 'touchpoint_id', 'customer_key', 'ordered_at', 'revenue_reporting', 'touched_at', 'channel',
    'platform', 'campaign_id', 'ad_id', 'touch_position', 'touch_count', 'channel_path', 'is_first_order', 'load_id',
] %}
with

touches as (
    select
        touches.order_id,
        touches.touchpoint_id,
        touches.customer_key,
        touches.ordered_at,
        touches.revenue_reporting,
        touches.touched_at,
        touches.channel,
        touches.platform,
        touches.campaign_id,
        touches.ad_id,
        touches.touch_position,
        touches.touch_count,
        touches.days_before_order,
        touches.load_id,
        paths.channel_path,
        paths.is_first_order
    from {{ ref('int_order_touchpoints') }} as touches
    inner join {{ ref('int_conversion_paths') }} as paths
        on touches.order_id = paths.order_id
),

{% if is_incremental() %}

changed_orders as (
    -- orders whose path differs from the stored one (each touch's first_touch row), either way
    select distinct coalesce(current_paths.order_id, stored_paths.order_id) as order_id
    from touches as current_paths
    full outer join (select * from {{ this }} where model = 'first_touch') as stored_paths
        on current_paths.order_id = stored_paths.order_id
        and current_paths.touchpoint_id = stored_paths.touchpoint_id
    where current_paths.order_id is null
        or stored_paths.order_id is null
        or {{ rows_differ('current_paths', 'stored_paths', path_fields) }}
),

scoped as (
    select touches.*
    from touches
    inner join changed_orders
        on touches.order_id = changed_orders.order_id
),

{% else %}

scoped as (
    select * from touches
),

{% endif %}

shaped as (
    select
        scoped.*,
        max(case when scoped.channel <> 'direct' then scoped.touch_position end)
            over (partition by scoped.order_id) as last_non_direct_position,
        power(0.5, scoped.days_before_order / {{ var('time_decay_half_life_days') }}) as decay_weight,
        count(*) over (partition by scoped.order_id, scoped.channel) as channel_touch_count
    from scoped
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

credits as (
    {% for model_name in heuristic_models + data_driven_models %}
    select
        heuristic.*,
        '{{ model_name }}' as model,
        {% if model_name in heuristic_models -%}
        cast({{ model_name }} as double)
        {%- else -%}
        cast(null as double)
        {%- endif %} as credit
    from heuristic
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        {{ surrogate_key(['credits.order_id', 'credits.touchpoint_id', 'credits.model']) }} as attribution_id,
        credits.order_id,
        credits.touchpoint_id,
        credits.model,
        -- null for the data-driven models: fct_attribution joins their share by channel path and channel
        credits.credit,
        credits.revenue_reporting,
        credits.channel_path,
        credits.channel_touch_count,
        credits.is_first_order,
        credits.ordered_at,
        credits.customer_key,
        credits.touched_at,
        credits.touch_position,
        credits.touch_count,
        credits.channel,
        credits.platform,
        credits.campaign_id,
        credits.ad_id,
        -- lineage: the touch's load_id in int_order_touchpoints (what `unique_in_recent_loads` checks)
        credits.load_id
    from credits
)

select * from final
{% if is_incremental() %}
union all
-- orders with no path left: a row without a touch deletes their stored rows (and is not inserted)
select
    cast(null as {{ dbt.type_string() }}) as attribution_id,
    changed_orders.order_id,
    {%- for column in ['touchpoint_id', 'model'] %}
    cast(null as {{ dbt.type_string() }}) as {{ column }},
    {%- endfor %}
    cast(null as double) as credit,
    {%- for column in ['revenue_reporting', 'channel_path', 'channel_touch_count', 'is_first_order', 'ordered_at',
        'customer_key', 'touched_at', 'touch_position', 'touch_count', 'channel', 'platform', 'campaign_id', 'ad_id',
        'load_id'] %}
    null as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
from changed_orders
where changed_orders.order_id not in (select order_id from touches)
{% endif %}
