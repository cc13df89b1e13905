"""The Dagster graph: one connected lineage from each API to each mart, pinned by a snapshot."""

import json
import os
from pathlib import Path

from dagster import AssetKey

from orchestration.definitions import defs

SNAPSHOT = Path(__file__).resolve().parent.parent / "snapshots" / "definitions.json"


def describe() -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "upstream": sorted(parent.to_user_string() for parent in node.parent_keys),
        }
    return {
        "assets": assets,
        "asset_checks": sorted(f"{c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys),
        "jobs": sorted(job.name for job in defs.resolve_all_job_defs() if not job.name.startswith("__")),
        "schedules": sorted(s.name for s in defs.schedules or []),
        "sensors": sorted(s.name for s in defs.sensors or []),
    }


def test_definitions_match_snapshot():
    """Lineage drift shows up in review. Regenerate with UPDATE_SNAPSHOTS=1 after an intended change."""
    current = describe()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())


def test_every_dbt_source_has_a_dlt_asset_upstream():
    graph = defs.resolve_asset_graph()
    raw_keys = [k for k in graph.get_all_asset_keys() if k.path[0].startswith("raw_")]
    assert raw_keys, "no raw assets"
    for key in raw_keys:
        node = graph.get(key)
        assert node.is_materializable, f"{key.to_user_string()} is a source nobody loads"
        assert "dlt" in node.kinds, f"{key.to_user_string()} is not loaded by dlt"
        (api,) = node.parent_keys
        assert api.path[0] == "api"


def test_graph_is_connected_from_apis_to_marts():
    graph = defs.resolve_asset_graph()
    marts = [k for k in graph.get_all_asset_keys() if k.path[0] == "marts"]
    assert {"fct_sessions", "fct_conversion_paths", "fct_attribution", "fct_channel_performance_daily",
            "dim_customers", "fct_funnel_daily", "fct_touchpoints"} <= {k.path[-1] for k in marts}
    for mart in marts:
        ancestors = _ancestors(graph, mart)
        assert any(a.path[0] == "api" for a in ancestors), f"{mart.to_user_string()} has no API upstream"


def _ancestors(graph, key: AssetKey) -> set[AssetKey]:
    seen, todo = set(), [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_dbt_tests_are_asset_checks():
    checks = {c.name for c in defs.resolve_asset_graph().asset_check_keys}
    assert any(name.startswith("unique_") for name in checks)
    assert any(name.startswith("credits_sum_to_one") for name in checks)


def test_daily_schedule_targets_the_daily_job():
    schedule = defs.resolve_schedule_def("touchpath_daily_schedule")
    assert schedule.job_name == "touchpath_daily"
    assert schedule.cron_schedule
