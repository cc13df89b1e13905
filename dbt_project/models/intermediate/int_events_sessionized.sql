{{ config(materialized='view') }}
-- One row per sessionized event: the narrow sessionization (int_event_sessions) joined back to the
-- staged event by event id. A view: the wide columns are stored once (staging), and a filter on a
-- session column (e.g. is_session_start in int_sessions) is pushed below the join. The join is the
-- macro sessionized_events, which incremental models run on just the devices they reprocess.
-- No position in the session: counting it (a window per session) here would stop that pushdown, and in
-- int_event_sessions it would take a third pass; `row_number() over (partition by session_id order by
-- event_at, event_id)` gives it where it is wanted.
with

final as (
    {{ sessionized_events(ref('int_event_sessions')) }}
)

select * from final
