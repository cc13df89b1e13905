-- One row per hashed email the shop knows a customer for: the Shopify customer id of the first order
-- that carried both. Identity stitching (devices identified by email only) and order ownership
-- (guest checkouts) both resolve emails through it, so they agree on who a person is.
with

orders as (
    select * from {{ ref('stg_shopify__orders') }}
    where email_hash is not null
        and shopify_customer_id is not null
),

ranked as (
    select
        email_hash,
        shopify_customer_id,
        row_number() over (partition by email_hash order by ordered_at, order_id) as order_rank
    from orders
)

select
    email_hash,
    shopify_customer_id
from ranked
where order_rank = 1
