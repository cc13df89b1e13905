"""path_credits (the warehouse entry point) and path parsing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from touchpath.attribution import (
    markov_removal_effects,
    parse_path,
    path_credits,
    shapley_path_shares,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channelattribution"


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    data = pd.read_csv(FIXTURES / "Data.csv", sep=";")
    # Data.csv repeats some paths; the warehouse summary has one row per distinct path.
    data = data.groupby("path", as_index=False, sort=False).sum()
    return data.rename(
        columns={
            "path": "channel_path",
            "total_conversions": "conversions",
            "total_conversion_value": "revenue",
            "total_null": "nulls",
        }
    )


def test_parse_path():
    assert parse_path("paid_social > email > direct") == ("paid_social", "email", "direct")
    assert parse_path("a>b") == parse_path(" a  > b ") == ("a", "b")
    assert parse_path("a > a > b") == ("a", "a", "b")  # repeats kept
    assert parse_path("a >  > b >") == ("a", "b")  # empty tokens dropped
    assert parse_path("") == ()
    assert parse_path("a|b", sep="|") == ("a", "b")


def test_shares_sum_to_one_and_cover_converting_paths(summary):
    out = path_credits(summary)
    assert list(out.columns) == ["model", "channel_path", "channel", "share"]
    sums = out.groupby(["model", "channel_path"])["share"].sum()
    assert np.abs(sums - 1.0).max() < 1e-9
    converting = set(summary.loc[summary["conversions"] > 0, "channel_path"])
    for model in ("markov", "shapley"):
        assert set(out.loc[out["model"] == model, "channel_path"]) == converting
    # One row per distinct channel of the path.
    n_distinct = pd.Series({s: len(set(parse_path(s))) for s in summary["channel_path"]})
    counts = out[out["model"] == "markov"].groupby("channel_path").size()
    assert (counts == n_distinct[counts.index]).all()
    assert (out["share"] >= 0).all()


def test_markov_shares_are_removal_effect_ratios():
    summary = pd.DataFrame(
        {
            "channel_path": ["a > a > b", "b > a", "a > b > c", "c", "c > d"],
            "conversions": [3, 1, 2, 1, 0],
            "revenue": [30.0, 5.0, 40.0, 1.0, 0.0],
            "nulls": [1, 2, 1, 3, 2],
        }
    )
    out = path_credits(summary, models=("markov",))
    re = markov_removal_effects([(parse_path(p), c, v, n) for p, c, v, n in summary.itertuples(index=False)])
    got = out.set_index(["channel_path", "channel"])["share"]
    assert got[("a > b > c", "a")] == pytest.approx(re["a"] / (re["a"] + re["b"] + re["c"]), abs=1e-12)
    assert got[("a > a > b", "b")] == pytest.approx(re["b"] / (re["a"] + re["b"]), abs=1e-12)
    assert "c > d" not in set(out["channel_path"])  # non-converting paths get no rows


def test_shapley_shares_match_engine(summary):
    out = path_credits(summary.head(500), models=("shapley",))
    head = summary.head(500)
    engine = shapley_path_shares([(parse_path(p), c, v, n) for p, c, v, n in head.itertuples(index=False)])
    for path, channel, share in out[["channel_path", "channel", "share"]].itertuples(index=False):
        assert share == engine[parse_path(path)][channel]


def test_row_order_and_spelling_invariance(summary):
    base = path_credits(summary, markov_order=2)
    shuffled = summary.sample(frac=1.0, random_state=42).reset_index(drop=True)
    pd.testing.assert_frame_equal(path_credits(shuffled, markov_order=2), base, check_exact=True)
    # "a>b" and "a > b" are the same path for the models; each input string keeps its rows.
    respelled = summary.copy()
    respelled.loc[:9, "channel_path"] = respelled.loc[:9, "channel_path"].str.replace(" > ", ">")
    other = path_credits(respelled, markov_order=2)
    key = dict(zip(respelled["channel_path"], summary["channel_path"], strict=True))
    other["channel_path"] = other["channel_path"].map(key)
    other = other.sort_values(["model", "channel_path", "channel"], ignore_index=True)
    pd.testing.assert_frame_equal(other, base, check_exact=True)


def test_duplicates_missing_values_and_validation():
    summary = pd.DataFrame(
        {
            "channel_path": ["a > b", "a > b", "b", "", None],
            "conversions": [1, np.nan, 2, 4, 1],
            "revenue": [1.0, 2.0, np.nan, 3.0, 1.0],
            "nulls": [1, 3, None, 0, 0],
        }
    )
    out = path_credits(summary)
    # Duplicates merge into one path; empty / missing paths have no channel to credit.
    assert sorted(set(out["channel_path"])) == ["a > b", "b"]
    assert len(out[(out["model"] == "markov") & (out["channel_path"] == "a > b")]) == 2
    with pytest.raises(ValueError, match="missing columns"):
        path_credits(summary.drop(columns="nulls"))
    with pytest.raises(ValueError, match="unknown models"):
        path_credits(summary, models=("linear",))
    empty = path_credits(summary.iloc[:0])
    assert list(empty.columns) == ["model", "channel_path", "channel", "share"] and empty.empty
