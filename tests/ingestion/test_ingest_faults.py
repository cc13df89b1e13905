"""Flaky APIs, through the sandbox's fault switches: transient faults are ridden out; a page that stays
broken fails the run loudly (source, endpoint, page), commits nothing and leaves the state where it was;
a rerun after the fault clears loads exactly what the API holds."""

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from ingest_support import ENDPOINTS, SOURCES, count, loaded_figures, run, table_exists

from ingestion.common.http import ApiClient, SourceFetchError
from ingestion.common.pipeline import make_pipeline
from ingestion.registry import SOURCE_RESOURCES

# Every 2nd request of the endpoint misbehaves, so every run with two or more requests meets the
# fault at least once, and each retry (the next request) succeeds.
FAULTS = {
    "rate_limit_429": {"rate_limit_every": 2, "retry_after": 1},
    "error_500": {"error_500_every": 2},
    "hang": {"hang_seconds": 0.6, "hang_every": 2},
    "truncated_json": {"truncate_every": 2},
}
@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("name", SOURCES)
def test_transient_faults_are_retried(name, fault, sandbox, warehouse, expected, monkeypatch):
    if fault == "hang":
        monkeypatch.setenv("TOUCHPATH_HTTP_TIMEOUT_SECONDS", "0.25")
    # Retry-After: 1 is honoured but capped, so the suite stays fast.
    monkeypatch.setenv("TOUCHPATH_HTTP_MAX_RETRY_AFTER", "0.05")
    sandbox.set_faults(ENDPOINTS[name], **FAULTS[fault])
    run(name)
    assert sandbox.request_count(ENDPOINTS[name]) >= 3  # at least one request failed and was retried
    assert loaded_figures(warehouse, name) == expected[name]


def _source_state(name: str) -> dict:
    state = make_pipeline(name).state
    return (state.get("sources") or {}).get(name) or {}


def _fetch_errors(exc: BaseException) -> list[SourceFetchError]:
    found, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, SourceFetchError):
            found.append(exc)
        exc = exc.__cause__ or exc.__context__
    return found


@pytest.mark.parametrize("name", SOURCES)
def test_a_page_that_stays_broken_fails_commits_nothing_and_a_rerun_recovers(
    name, sandbox, warehouse, expected, monkeypatch
):
    endpoint = ENDPOINTS[name]
    real_request = ApiClient.request_json
    calls = {"n": 0}

    def first_page_then_broken(self, method, path, **kwargs):
        # The first request succeeds; from the second on, the endpoint answers 500 for good.
        calls["n"] += 1
        if calls["n"] == 2:
            sandbox.set_faults(endpoint, error_500_every=1)
        return real_request(self, method, path, **kwargs)

    monkeypatch.setattr(ApiClient, "request_json", first_page_then_broken)
    with pytest.raises(PipelineStepFailed) as failure:
        run(name)
    errors = _fetch_errors(failure.value)
    assert errors, f"no SourceFetchError in {failure.value!r}"
    message = str(errors[0])
    assert message.startswith(f"{name}: ")  # the source
    assert "(page " in message and "still failing after 4 attempts: HTTP 500" in message  # the page
    assert "/" in message.split("(page")[0]  # the endpoint path
    assert str(errors[0]) in str(failure.value)  # and the pipeline's error says so too

    # Nothing committed: no rows of any resource of the source, no state saved for it.
    for table in SOURCE_RESOURCES[name]:
        assert count(warehouse, f"raw_{name}", table) == 0
    assert not table_exists(warehouse, f"raw_{name}", "_dlt_pipeline_state") or count(
        warehouse, f"raw_{name}", "_dlt_pipeline_state"
    ) == 0
    assert not _source_state(name).get("resources")

    monkeypatch.setattr(ApiClient, "request_json", real_request)
    sandbox.clear_faults(endpoint)
    run(name)
    assert loaded_figures(warehouse, name) == expected[name]
    assert _source_state(name).get("resources")
