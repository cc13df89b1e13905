"""The touchpath report: one self-contained HTML page rendered from the marts.

    from touchpath.report import render
    render("data/warehouse.duckdb", "data/reports/touchpath_report.html", ground_truth="data/sandbox/world-...")

Inline CSS, inline SVG charts drawn in Python and a few lines of vanilla JS (tooltips, a self-check):
no external URL, works offline.
"""

from __future__ import annotations

from pathlib import Path

from touchpath.report.data import ReportData, load
from touchpath.report.html import render_html

__all__ = ["ReportData", "load", "render", "render_html", "markdown_preview"]


def render(warehouse_path: Path | str, out_path: Path | str, ground_truth: Path | str | None = None,
           *, model: str = "markov") -> Path:
    """Render the report of `warehouse_path` (opened read-only) to `out_path`; return the written path.

    ground_truth: a sandbox world folder or its ground_truth.json / .csv; the panel is skipped when it is
    None or missing. model: the attribution model the ROAS / CPA / CAC panels use.
    """
    data = load(warehouse_path, ground_truth=ground_truth, headline_model=model)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(render_html(data), encoding="utf-8")
    tmp.replace(out)
    return out


def markdown_preview(warehouse_path: Path | str, models: tuple[str, ...] = ("last_touch", "markov"),
                     top: int = 5) -> str:
    """A short markdown digest (top channels under two models, the funnel) for Dagster metadata."""
    from touchpath.report.preview import preview

    return preview(warehouse_path, models=models, top=top)
