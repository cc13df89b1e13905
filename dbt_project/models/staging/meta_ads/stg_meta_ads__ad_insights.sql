with

source as (
    select * from {{ source('raw_meta_ads', 'insights') }}
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
        {{ surrogate_key(["'meta'", 'source.ad_id', 'source.date_start']) }} as ad_day_id,
        'meta' as platform,
        source.account_id,
        source.campaign_id,
        source.adset_id as ad_group_id,
        source.ad_id,

        -- dimensions
        source.campaign_name,
        source.adset_name as ad_group_name,
        source.ad_name,
        upper(source.account_currency) as currency,

        -- measures
        cast(source.spend as {{ dbt.type_numeric() }}) as spend,
        source.impressions,
        source.clicks,
        cast(source.platform_purchases as {{ dbt.type_numeric() }}) as platform_conversions,
        cast(source.platform_purchase_value as {{ dbt.type_numeric() }}) as platform_conversion_value,

        -- timestamps
        cast(source.date_start as date) as day
    from source
),

converted as (
    select
        renamed.*,
        {{ to_reporting_currency('renamed.spend') }} as spend_reporting,
        {{ to_reporting_currency('renamed.platform_conversion_value') }} as platform_conversion_value_reporting
    from renamed
    left join fx
        on renamed.currency = fx.currency
    cross join fx_reporting
)

select * from converted
