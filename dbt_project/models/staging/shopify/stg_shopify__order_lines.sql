with

lines as (
    select * from {{ dlt_child_table(source('raw_shopify', 'orders'), 'line_items') }}
),

orders as (
    select id, _dlt_id from {{ source('raw_shopify', 'orders') }}
),

renamed as (
    select
        -- ids
        cast(lines.id as {{ dbt.type_string() }}) as order_line_id,
        cast(orders.id as {{ dbt.type_string() }}) as order_id,
        cast(lines.product_id as {{ dbt.type_string() }}) as product_id,
        cast(lines.variant_id as {{ dbt.type_string() }}) as variant_id,

        -- dimensions
        lines.title as product_title,
        lines.sku,

        -- measures
        lines.quantity,
        cast(lines.price as {{ dbt.type_numeric() }}) as unit_price
    from lines
    inner join orders
        on lines._dlt_parent_id = orders._dlt_id
)

select * from renamed
