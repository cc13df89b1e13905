with

source as (
    select * from {{ source('raw_shopify', 'orders') }}
),

fx as (
    select * from {{ ref('fx_rates') }}
),

fx_reporting as (
    select * from {{ ref('fx_rates') }}
    where currency = '{{ var("reporting_currency") }}'
),

renamed as (
    select
        -- ids
        cast(source.id as {{ dbt.type_string() }}) as order_id,
        source.name as order_name,
        cast(source.customer__id as {{ dbt.type_string() }}) as shopify_customer_id,
        source.email_hash,

        -- dimensions
        upper(source.currency) as currency,
        source.financial_status,
        source.source_name as sales_channel,
        source.cancelled_at is not null as is_cancelled,

        -- measures
        cast(source.total_price as {{ dbt.type_numeric() }}) as revenue,
        cast(coalesce(source.total_refunded, 0) as {{ dbt.type_numeric() }}) as refunded_amount,
        case
            when source.cancelled_at is not null then 0
            else source.total_price - coalesce(source.total_refunded, 0)
        end as net_revenue,

        -- timestamps
        cast(source.created_at as timestamp) as ordered_at,
        cast(source.updated_at as timestamp) as updated_at,
        cast(source.cancelled_at as timestamp) as cancelled_at,

        -- lineage: the dlt load that last wrote the order (a merge rewrites an edited order)
        source._dlt_load_id as load_id
    from source
),

converted as (
    select
        renamed.*,
        {{ to_reporting_currency('renamed.revenue') }} as revenue_reporting,
        {{ to_reporting_currency('renamed.net_revenue') }} as net_revenue_reporting
    from renamed
    left join fx
        on renamed.currency = fx.currency
    cross join fx_reporting
)

select * from converted
