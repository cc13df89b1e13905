-- One row per acquisition cohort (month of first order) × months since that first order: how many
-- of the cohort ordered again in that month, the retention rate and the revenue.
with

orders as (
    select * from {{ ref('int_orders') }}
),

firsts as (
    select customer_key, min(ordered_at) as first_ordered_at
    from orders
    group by customer_key
),

activity as (
    select
        {{ dbt.date_trunc('month', 'firsts.first_ordered_at') }} as cohort_month,
        {{ dbt.datediff(dbt.date_trunc('month', 'firsts.first_ordered_at'), dbt.date_trunc('month', 'orders.ordered_at'), 'month') }}
            as months_since_first_order,
        orders.customer_key,
        orders.net_revenue_reporting
    from orders
    inner join firsts
        on orders.customer_key = firsts.customer_key
),

cohort_sizes as (
    select {{ dbt.date_trunc('month', 'first_ordered_at') }} as cohort_month, count(*) as cohort_customers
    from firsts
    group by 1
),

final as (
    select
        {{ surrogate_key(['activity.cohort_month', 'activity.months_since_first_order']) }} as cohort_period_id,
        cast(activity.cohort_month as date) as cohort_month,
        activity.months_since_first_order,
        cohort_sizes.cohort_customers,
        count(distinct activity.customer_key) as customers_ordering,
        count(distinct activity.customer_key) * 1.0 / cohort_sizes.cohort_customers as retention_rate,
        sum(activity.net_revenue_reporting) as net_revenue
    from activity
    inner join cohort_sizes
        on activity.cohort_month = cohort_sizes.cohort_month
    group by activity.cohort_month, activity.months_since_first_order, cohort_sizes.cohort_customers
)

select * from final
