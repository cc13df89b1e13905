{{ config(materialized='view') }}
-- One row per sessionized event: the narrow sessionization (int_event_sessions) joined back to the
-- staged event by event id. A view: the wide columns are stored once (staging), and a filter on a
-- session column (e.g. event_number_in_session = 1 in int_sessions) is pushed below the join. The join
-- is the macro sessionized_events, which incremental models run on just the devices they reprocess.
with

final as (
    {{ sessionized_events(ref('int_event_sessions')) }}
)

select * from final
