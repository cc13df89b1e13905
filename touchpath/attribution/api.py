"""``path_credits``: the warehouse-facing entry point (path summary in, per-path shares out)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .markov import fit_markov
from .paths import DEFAULT_SEP
from .shapley import MAX_EXACT, N_PERMUTATIONS, fit_shapley
from .table import encode_paths

MODELS = ("markov", "shapley")
INPUT_COLUMNS = ("channel_path", "conversions", "revenue", "nulls")
OUTPUT_COLUMNS = ["model", "channel_path", "channel", "share"]


def path_credits(
    summary: pd.DataFrame,
    models: Sequence[str] = MODELS,
    markov_order: int = 1,
    sep: str = DEFAULT_SEP,
    shapley_max_exact: int = MAX_EXACT,
    shapley_permutations: int = N_PERMUTATIONS,
    seed: int = 0,
) -> pd.DataFrame:
    """Share of each converting path's credit per distinct channel, for each model.

    ``summary`` has one row per distinct journey: ``channel_path`` (``"a > b > c"``, parsed
    with :func:`parse_path`), ``conversions``, ``revenue`` and ``nulls`` (journeys that did
    not convert); missing counts are 0 and duplicate ``channel_path`` rows are summed. All
    rows, converting or not, inform the models; output rows are produced only for paths
    with ``conversions > 0`` and at least one channel.

    * ``markov``: the channel's weight is its removal effect ``RE_c`` in the order-
      ``markov_order`` absorbing chain fitted on all paths (:mod:`.markov`); a path's share
      of ``c`` is ``RE_c / sum of RE over the path's distinct channels`` (equal split if that
      sum is 0).
    * ``shapley``: per-path Shapley shares on the conversion-rate game (:mod:`.shapley`).

    Returns columns ``model, channel_path, channel, share``, one row per model, path and
    distinct channel, sorted by those keys; shares sum to 1 per model and path. The result
    depends only on the multiset of input rows, not on their order.
    """
    unknown = set(models) - set(MODELS)
    if unknown:
        raise ValueError(f"unknown models {sorted(unknown)}; choose from {MODELS}")
    missing = [c for c in INPUT_COLUMNS if c not in summary.columns]
    if missing:
        raise ValueError(f"summary is missing columns {missing}")

    df = summary.loc[:, list(INPUT_COLUMNS)].copy()
    df["channel_path"] = df["channel_path"].fillna("").astype(str)
    for col in INPUT_COLUMNS[1:]:
        df[col] = pd.to_numeric(df[col]).fillna(0.0).astype(float)
    if not df["channel_path"].is_unique:  # the warehouse summary has one row per string already
        # Sorting on every column first fixes the order in which duplicates get summed.
        df = df.sort_values(list(INPUT_COLUMNS), kind="stable")
        df = df.groupby("channel_path", sort=True, as_index=False).sum()

    strings = pa.array(df["channel_path"], pa.large_string())
    conversions = df["conversions"].to_numpy()
    table, row_path = encode_paths(
        strings, conversions, df["revenue"].to_numpy(), df["nulls"].to_numpy(), sep
    )
    # Output rows come out already sorted: models by name, then rows by their string, and
    # within a row the channels in index order, which is name order.
    by_string = pc.sort_indices(strings).to_numpy()
    wanted = by_string[(conversions[by_string] > 0) & (row_path[by_string] >= 0)]
    channels = pa.array(table.channels, pa.large_string())

    parts = []
    for model in sorted(models):
        if model == "markov":
            path_idx, channel_idx, share = _markov_shares(table, markov_order)
        else:
            res = fit_shapley(table, shapley_max_exact, shapley_permutations, seed)
            path_idx, channel_idx, share = res.path_idx, res.channel_idx, res.share
        rows, pairs = _expand(path_idx, table.n_paths, row_path[wanted], wanted)
        parts.append(
            pa.table(
                {
                    "model": pa.array([model], pa.large_string()).take(np.zeros(len(rows), dtype=np.int64)),
                    "channel_path": strings.take(rows),
                    "channel": channels.take(channel_idx[pairs]),
                    "share": pa.array(share[pairs], pa.float64()),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    out = pa.concat_tables(parts).to_pandas()
    if len(set(models)) < len(models):  # a model asked twice: its copies interleave row by row
        out = out.sort_values(OUTPUT_COLUMNS[:3], kind="stable", ignore_index=True)
    return out


def _markov_shares(table, order: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Long-format Markov shares: removal-effect weights normalised within each path."""
    res = fit_markov(table, order)
    path_idx, channel_idx = table.distinct_pairs()
    weight = res.removal_conversions[channel_idx]
    n_paths = table.n_paths
    total = np.bincount(path_idx, weights=weight, minlength=n_paths)
    count = np.bincount(path_idx, minlength=n_paths)
    denom = total[path_idx]
    share = np.where(denom > 0, weight / np.where(denom > 0, denom, 1.0), 1.0 / count[path_idx])
    return path_idx, channel_idx, share


def _expand(
    pair_path: np.ndarray, n_paths: int, table_rows: np.ndarray, out_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For output rows pointing at table paths, the (output row, pair index) of every pair.

    ``pair_path`` is sorted, so each path's pairs are a contiguous block; several input
    strings may share one table path (e.g. ``"a>b"`` and ``"a > b"``).
    """
    counts = np.bincount(pair_path, minlength=n_paths)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    reps = counts[table_rows]
    rows = np.repeat(out_rows, reps)
    block_start = np.repeat(np.cumsum(reps) - reps, reps)
    pairs = np.repeat(first[table_rows], reps) + (np.arange(reps.sum()) - block_start)
    return rows, pairs.astype(np.int64)
