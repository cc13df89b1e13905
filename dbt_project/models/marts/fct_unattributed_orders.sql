-- One row per order that no model can credit, with the reason. Together with fct_attribution this
-- accounts for every order: attributed revenue per model + unattributed revenue = total revenue.
select
    order_id,
    customer_key,
    ordered_at,
    revenue_reporting,
    is_first_order,
    case
        when customer_key like 'order:%' then 'order has no customer or email to link it to a journey'
        else 'no touchpoint inside the lookback window'
    end as reason
from {{ ref('int_conversion_paths') }}
where touchpoint_count = 0
