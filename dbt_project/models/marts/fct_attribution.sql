{{ config(materialized='view') }}
-- One row per order × touch on its path × model. Per order and model the credits sum to 1.
-- Heuristic models are computed per order in int_attribution_credits (incremental by order); markov and
-- shapley shares come per channel path from int_data_driven_path_credits and are split evenly over the
-- path's touches of that channel. A view: those shares move with every new journey, so they are joined
-- here at read time instead of rewriting a quarter of the table every run.
-- Orders without any touch are not here: fct_unattributed_orders lists them with the reason.
-- The stored rows are read in each branch, not through a shared CTE: an engine may materialize a CTE
-- read twice (DuckDB does), copying every row before the union.
with

credits as (
    select
        stored.*,
        stored.credit as model_credit
    from {{ ref('int_attribution_credits') }} as stored
    where stored.credit is not null
    union all
    select
        stored.*,
        coalesce(data_driven.share, 0) / stored.channel_touch_count as model_credit
    from {{ ref('int_attribution_credits') }} as stored
    inner join {{ ref('int_data_driven_path_credits') }} as data_driven
        on stored.channel_path = data_driven.channel_path
        and stored.channel = data_driven.channel
        and stored.model = data_driven.model
    where stored.credit is null
),

final as (
    select
        credits.attribution_id,
        credits.order_id,
        credits.touchpoint_id,
        credits.model,
        cast(credits.model_credit as double) as credit,
        cast(credits.model_credit * credits.revenue_reporting as double) as attributed_revenue,
        credits.is_first_order,
        credits.ordered_at,
        credits.customer_key,
        credits.touched_at,
        credits.touch_position,
        credits.touch_count,
        credits.channel,
        credits.platform,
        credits.campaign_id,
        credits.ad_id
    from credits
)

select * from final
