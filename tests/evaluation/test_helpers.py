"""The evaluation's pure helpers: channel mapping, ranks, Spearman (no warehouse needed)."""

import math

import pytest

from sandbox.groundtruth import GROUPS
from sandbox.plan import CHANNEL_GROUP, CHANNELS
from touchpath.evaluation import MAPPING, UNMAPPED, ground_truth_key, spearman, top_k


def test_every_simulator_channel_is_reached_by_the_mapping():
    assert set(CHANNELS) <= set(MAPPING.values())
    # the only non-channel target is a ground-truth group (paid_social without a known platform)
    assert set(MAPPING.values()) - set(CHANNELS) <= set(GROUPS)


@pytest.mark.parametrize(
    ("channel", "platform", "key"),
    [
        ("paid_social", "meta", "meta"),
        ("paid_social", "tiktok", "tiktok"),
        ("paid_social", None, "paid_social"),
        ("paid_search", "google_ads", "google_ads"),
        ("paid_search", None, "google_ads"),
        ("email", None, "email"),
        ("direct", None, "direct"),
        ("made_up", None, UNMAPPED),
    ],
)
def test_ground_truth_key(channel, platform, key):
    assert ground_truth_key(channel, platform) == key


def test_mapping_agrees_with_the_simulators_contract_channel():
    # a ground-truth key maps back to the warehouse channel the simulator says it is
    for (channel, _platform), key in MAPPING.items():
        if key in CHANNEL_GROUP:
            assert CHANNEL_GROUP[key] == channel


def test_spearman_matches_scipy():
    scipy_stats = pytest.importorskip("scipy.stats")
    cases = [([1, 2, 3, 4], [10, 20, 30, 40]), ([1, 2, 3, 4], [4, 3, 2, 1]), ([1, 2, 2, 5, 0], [3, 1, 4, 1, 5]),
             ([0.5, 0.1, 0.1, 0.3], [1, 1, 2, 3])]
    for x, y in cases:
        assert spearman(x, y) == pytest.approx(scipy_stats.spearmanr(x, y).statistic)
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))


def test_top_k_breaks_ties_by_name():
    assert top_k({"b": 2, "a": 2, "c": 1}, 2) == ["a", "b"]
