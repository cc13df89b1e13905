"""The HTML report: self-contained, every panel present, and the Dagster asset that writes it."""

import re

from dagster import AssetKey

from touchpath.report import render_html
from touchpath.report.data import load

REPORT_KEY = AssetKey(["report", "touchpath_report"])
PANELS = ("funnel", "paths", "attribution", "truth", "performance", "cohorts", "ltv", "recommendations")
CHARTS = ("funnel", "funnel_by_channel", "path_flow", "top_paths", "path_length", "attribution_models",
          "ground_truth", "perf_roas", "perf_cpa", "perf_cac", "perf_new_customer_cac", "cohort_retention",
          "ltv_by_channel")


def test_report_has_no_external_references(rendered_report):
    html = rendered_report.read_text(encoding="utf-8")
    assert not re.search(r"https?://", html, flags=re.IGNORECASE)
    assert not re.search(r"\b(?:src|href)\s*=\s*[\"']?(?!#)[a-z]+:", html, flags=re.IGNORECASE)
    assert "@import" not in html and "<link" not in html.lower()
    assert not re.search(r"<script[^>]+src", html, flags=re.IGNORECASE)


def test_report_has_every_panel_and_chart(rendered_report):
    html = rendered_report.read_text(encoding="utf-8")
    for anchor in PANELS:
        assert f'id="{anchor}"' in html, anchor
    for chart in CHARTS:
        assert f'data-chart="{chart}"' in html, chart
    # the sandbox's ground truth was given: the panel compares against it
    assert "ground_truth.json" in html or "ground_truth.csv" in html


def test_every_chart_has_marks_with_size(rendered_report):
    html = rendered_report.read_text(encoding="utf-8")
    charts = re.findall(r'<svg class="chart[^"]*" data-chart="([^"]+)"(.*?)</svg>', html, flags=re.DOTALL)
    assert len(charts) >= len(CHARTS)
    for name, body in charts:
        sized_rects = [(w, h) for w, h in re.findall(r'<rect [^>]*width="([\d.]+)" height="([\d.]+)"', body)
                       if float(w) > 0 and float(h) > 0]
        paths = re.findall(r'<path [^>]*d="M[^"]+"', body)
        circles = re.findall(r'<circle [^>]*r="[1-9]', body)
        assert sized_rects or paths or circles, name


def test_optional_panels_degrade_cleanly(warehouse, tmp_path):
    data = load(warehouse)  # no ground truth given
    data.recommendations = {"exists": False, "columns": [], "rows": [], "total": 0, "summary": []}
    html = render_html(data)
    assert "No ground truth given" in html
    assert 'data-chart="ground_truth"' not in html
    assert "No recommendations table yet" in html
    data = load(warehouse, ground_truth=tmp_path / "no-world-here")
    assert data.ground_truth is None
    assert "No ground truth given" in render_html(data)


def test_recommendations_panel_reads_the_table_when_it_exists(con, rendered_report):
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'fct_ad_recommendations'"
    ).fetchall()[0][0]
    html = rendered_report.read_text(encoding="utf-8")
    if exists:
        assert "No recommendations table yet" not in html
    else:
        assert "No recommendations table yet" in html


def test_the_asset_is_partitioned_like_dbt_and_reads_the_marts():
    from orchestration.assets.transform import touchpath_dbt_assets
    from orchestration.definitions import defs
    from orchestration.partitions import daily_partitions

    asset = defs.resolve_assets_def(REPORT_KEY)
    assert asset.partitions_def == daily_partitions == touchpath_dbt_assets.partitions_def
    assert asset.backfill_policy == touchpath_dbt_assets.backfill_policy
    assert asset.group_names_by_key[REPORT_KEY] == "performance"
    assert asset.specs_by_key[REPORT_KEY].kinds == {"python", "html"}
    deps = asset.asset_deps[REPORT_KEY]
    for mart in ("fct_funnel_daily", "fct_conversion_paths", "fct_attribution", "fct_channel_performance_daily",
                 "dim_customers"):
        assert AssetKey(["marts", mart]) in deps
    assert "report__touchpath_report" in defs.resolve_job_def("touchpath_daily").graph.node_names()


def test_the_daily_job_wrote_the_report_beside_the_warehouse(report_build):
    warehouse, result = report_build
    out = warehouse.parent / "reports" / "touchpath_report.html"
    assert out.exists() and out.stat().st_size > 10_000
    materializations = [m for m in result.get_asset_materialization_events()
                        if m.asset_key == REPORT_KEY]
    assert materializations
    metadata = materializations[-1].materialization.metadata
    assert metadata["path"].value == str(out)
    preview = metadata["preview"].value
    assert "Top channels by attributed revenue" in preview and "last_touch" in preview and "markov" in preview
    assert "| awareness |" in preview
    # the job ran with TOUCHPATH_GROUND_TRUTH set: the panel is there
    assert 'data-chart="ground_truth"' in out.read_text(encoding="utf-8")
