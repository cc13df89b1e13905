-- One row per order with the person who placed it and its place in that person's order history.
with

orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

identity_emails as (
    -- email -> the customer id the shop knows for it
    select * from {{ ref('int_customer_emails') }}
),

keyed as (
    select
        orders.*,
        coalesce(
            orders.shopify_customer_id,
            identity_emails.shopify_customer_id,
            {{ dbt.concat(["'email:'", 'orders.email_hash']) }},
            {{ dbt.concat(["'order:'", 'orders.order_id']) }}
        ) as customer_key
    from orders
    left join identity_emails
        on orders.email_hash = identity_emails.email_hash
),

sequenced as (
    select
        keyed.*,
        row_number() over (partition by keyed.customer_key order by keyed.ordered_at, keyed.order_id) as order_number,
        lag(keyed.ordered_at) over (
            partition by keyed.customer_key order by keyed.ordered_at, keyed.order_id
        ) as previous_ordered_at
    from keyed
)

select
    sequenced.*,
    sequenced.order_number = 1 as is_first_order
from sequenced
