with

source as (
    select * from {{ source('raw_klaviyo', 'events') }}
),

renamed as (
    select
        -- ids
        source.id as event_id,
        source.profile_id,
        source.metric_id,
        source.message_id,
        source.flow_id,

        -- dimensions
        source.metric_name as event_name,
        case
            when lower(source.metric_name) like '%sms%' then 'sms'
            when lower(source.metric_name) like '%email%' then 'email'
        end as channel,
        source.campaign_name,
        source.flow_name,
        source.subject,
        source.url,

        -- timestamps
        cast(source.datetime as timestamp) as event_at
    from source
)

select * from renamed
