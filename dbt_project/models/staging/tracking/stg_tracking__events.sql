with

source as (
    select * from {{ source('raw_tracking', 'events') }}
),

deduplicated as (
    -- The connector merges on message_id; a re-delivered copy may still slip in from file loads.
    select
        *,
        row_number() over (partition by message_id order by received_at, _dlt_load_id) as copy_number
    from source
),

renamed as (
    select
        -- ids
        message_id as event_id,
        anonymous_id,
        user_id,

        -- dimensions
        type as event_type,
        case
            when type = 'track' then event
            when type = 'page' then 'Page Viewed'
            when type = 'identify' then 'Identify'
            else type
        end as event_name,
        context__page__url as page_url,
        context__page__path as page_path,
        context__page__referrer as referrer_url,
        {{ url_host('context__page__referrer') }} as referrer_host,
        {{ url_host('context__page__url') }} as page_host,
        lower(context__campaign__source) as utm_source,
        lower(context__campaign__medium) as utm_medium,
        context__campaign__name as utm_campaign,
        context__campaign__content as utm_content,
        context__campaign__term as utm_term,
        {{ url_parameter('context__page__url', 'gclid') }} as gclid,
        {{ url_parameter('context__page__url', 'fbclid') }} as fbclid,
        {{ url_parameter('context__page__url', 'ttclid') }} as ttclid,
        {{ url_parameter('context__page__url', 'msclkid') }} as msclkid,
        context__device__type as device_type,
        context__ip_hash as ip_hash,
        traits__email_hash as email_hash,
        properties__order_id as order_id,
        properties__product_id as product_id,
        upper(properties__currency) as currency,

        -- measures
        properties__revenue as revenue,

        -- timestamps
        cast("timestamp" as timestamp) as event_at,
        cast(received_at as timestamp) as received_at

    from deduplicated
    where copy_number = 1
)

select * from renamed
