with

source as (
    select * from {{ source('raw_tiktok_ads', 'report') }}
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
        {{ surrogate_key(["'tiktok'", 'source.advertiser_id', 'source.ad_id', 'source.stat_day']) }} as ad_day_id,
        'tiktok' as platform,
        source.advertiser_id as account_id,
        source.campaign_id,
        source.adgroup_id as ad_group_id,
        source.ad_id,

        -- dimensions
        source.campaign_name,
        source.adgroup_name as ad_group_name,
        source.ad_name,
        upper(source.currency) as currency,

        -- measures
        cast(source.spend as {{ dbt.type_numeric() }}) as spend,
        source.impressions,
        source.clicks,
        cast(source.complete_payment as {{ dbt.type_numeric() }}) as platform_conversions,
        cast(source.complete_payment_value as {{ dbt.type_numeric() }}) as platform_conversion_value,

        -- timestamps
        cast(source.stat_day as date) as day
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
