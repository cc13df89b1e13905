"""Benchmark the attribution engines on a synthetic, seeded path summary.

    python -m bench.bench_attribution --orders 1000000 [--order 1] [--ca-python /tmp/ca-venv/bin/python]

``--orders`` journeys (converting or not) are simulated: 20 channels with Zipf-like
popularity and a sticky first-order channel process, geometric journey lengths (mean ~3,
capped at 12), and a conversion probability that rises with the channels touched. They are
aggregated into the distinct-path summary the warehouse feeds ``path_credits`` (a long tail
of rare paths). We time our exact Markov fit, Shapley shares and the full ``path_credits``
call, and ChannelAttribution's ``markov_model`` on the same summary when it is importable
here or runnable with ``--ca-python`` (a separate venv: it is GPL and never a dependency).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from touchpath.attribution import build_table, fit_markov, fit_shapley, parse_path, path_credits

N_CHANNELS = 20
MAX_LEN = 12

CA_SCRIPT = """
import json, sys, time
import pandas as pd
from ChannelAttribution import markov_model
data = pd.read_csv(sys.argv[1])
t = time.perf_counter()
res = markov_model(data, var_path="channel_path", var_conv="conversions", var_value="revenue",
                   var_null="nulls", order=int(sys.argv[2]), nsim_start=float(sys.argv[3]),
                   conv_par=float(sys.argv[4]), seed=0, sep=">", flg_pro=False, verbose=False)
secs = time.perf_counter() - t
res = res["result"] if isinstance(res, dict) else res
print(json.dumps({"seconds": secs, "credits": dict(zip(res["channel_name"], res["total_conversions"]))}))
"""


def synthesize(n_journeys: int, seed: int = 0) -> pd.DataFrame:
    """Seeded synthetic path summary: channel_path, conversions, revenue, nulls."""
    rng = np.random.default_rng(seed)
    names = np.array(
        [
            "direct", "organic_search", "paid_search", "email", "paid_social", "organic_social",
            "display", "affiliate", "referral", "retargeting", "push", "sms", "video", "podcast",
            "influencer", "partner", "app", "print", "tv", "radio",
        ][:N_CHANNELS]
    )  # fmt: skip
    popularity = 1.0 / np.arange(1, N_CHANNELS + 1) ** 1.1
    popularity /= popularity.sum()
    lengths = np.minimum(rng.geometric(1 / 3, n_journeys), MAX_LEN)
    # Sticky channel process: repeat the previous channel with prob 0.3, else draw by popularity.
    codes = np.empty((n_journeys, MAX_LEN), dtype=np.int64)
    codes[:, 0] = rng.choice(N_CHANNELS, n_journeys, p=popularity)
    for t in range(1, MAX_LEN):
        fresh = rng.choice(N_CHANNELS, n_journeys, p=popularity)
        codes[:, t] = np.where(rng.random(n_journeys) < 0.3, codes[:, t - 1], fresh)
    alive = np.arange(MAX_LEN)[None, :] < lengths[:, None]
    # Conversion: logistic in per-channel lifts of the channels touched.
    lift = rng.normal(0.0, 0.6, N_CHANNELS)
    touched = np.zeros((n_journeys, N_CHANNELS), dtype=bool)
    rows = np.repeat(np.arange(n_journeys), lengths)
    touched[rows, codes[alive]] = True
    p_conv = 1 / (1 + np.exp(-(-2.2 + touched @ lift * 0.8 + 0.15 * lengths)))
    converted = rng.random(n_journeys) < p_conv
    revenue = np.where(converted, rng.lognormal(4.0, 0.8, n_journeys), 0.0)
    # Aggregate journeys by path via an integer key (21**12 < 2**63).
    key = np.where(alive, codes + 1, 0) @ (N_CHANNELS + 1) ** np.arange(MAX_LEN, dtype=np.int64)
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    conv = np.bincount(inverse, weights=converted, minlength=len(uniq))
    total = np.bincount(inverse, minlength=len(uniq))
    rev = np.bincount(inverse, weights=revenue, minlength=len(uniq))
    paths = [" > ".join(names[codes[i, : lengths[i]]]) for i in first]
    return pd.DataFrame({"channel_path": paths, "conversions": conv, "revenue": rev, "nulls": total - conv})


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def run_channelattribution(summary, order, nsim, conv_par, ca_python):
    """(seconds, credits) from ChannelAttribution, in-process or in ``ca_python``; None if unavailable."""
    try:
        import ChannelAttribution  # noqa: F401
    except ImportError:
        if not ca_python:
            return None
        with tempfile.TemporaryDirectory() as tmp:
            csv = Path(tmp) / "summary.csv"
            summary.to_csv(csv, index=False)
            proc = subprocess.run(
                [ca_python, "-c", CA_SCRIPT, str(csv), str(order), str(nsim), str(conv_par)],
                capture_output=True,
                text=True,
                check=True,
            )
        payload = json.loads(proc.stdout.strip().splitlines()[-1])
        return payload["seconds"], payload["credits"]
    from ChannelAttribution import markov_model

    secs, res = _timed(
        lambda: markov_model(
            summary, var_path="channel_path", var_conv="conversions", var_value="revenue",
            var_null="nulls", order=order, nsim_start=nsim, conv_par=conv_par, seed=0, sep=">",
            flg_pro=False, verbose=False,
        )
    )  # fmt: skip
    res = res["result"] if isinstance(res, dict) else res
    return secs, dict(zip(res["channel_name"], res["total_conversions"], strict=True))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000, help="journeys to simulate")
    ap.add_argument("--order", type=int, default=1, help="Markov order")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ca-python", default=None, help="python of a venv with ChannelAttribution")
    ap.add_argument("--ca-nsim", type=float, default=1e6)
    ap.add_argument("--ca-conv-par", type=float, default=0.05)
    args = ap.parse_args(argv)

    gen_s, summary = _timed(lambda: synthesize(args.orders, args.seed))
    parse_s, table = _timed(
        lambda: build_table(
            (parse_path(p), c, v, n)
            for p, c, v, n in summary[["channel_path", "conversions", "revenue", "nulls"]].itertuples(
                index=False
            )
        )
    )
    markov_s, fit = _timed(lambda: fit_markov(table, args.order))
    ours = dict(zip(fit.channels, fit.credits().tolist(), strict=True))
    shapley_s, shap = _timed(lambda: fit_shapley(table))
    api_s, _ = _timed(lambda: path_credits(summary, markov_order=args.order))
    print(
        f"{args.orders:,} journeys, {int(summary['conversions'].sum()):,} conversions, "
        f"{len(summary):,} distinct paths, {len(table.channels)} channels, {fit.n_states:,} Markov states "
        f"(synthesis {gen_s:.1f}s)\n"
    )
    print("| step | seconds | ratio to our Markov | max abs credit diff vs ours (conversions) |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| parse + canonicalise paths | {parse_s:.2f} | | |")
    print(f"| ours: exact Markov order {args.order} (all removals) | {markov_s:.2f} | 1.0 | 0 |")
    print(f"| ours: Shapley shares (all distinct paths) | {shapley_s:.2f} | {shapley_s / markov_s:.1f} | |")
    print(f"| ours: path_credits (markov + shapley, end to end) | {api_s:.2f} | {api_s / markov_s:.1f} | |")
    ca = run_channelattribution(summary, args.order, args.ca_nsim, args.ca_conv_par, args.ca_python)
    if ca is None:
        print("| ChannelAttribution markov_model | not importable (see --ca-python) | | |")
    else:
        ca_s, ca_credits = ca
        diff = max(abs(ca_credits.get(ch, 0.0) - v) for ch, v in ours.items())
        total = sum(ours.values())
        print(
            f"| ChannelAttribution markov_model (nsim_start={args.ca_nsim:g}, conv_par={args.ca_conv_par}) "
            f"| {ca_s:.2f} | {ca_s / markov_s:.1f} | {diff:.2f} ({diff / total:.3%} of total) |"
        )
    del shap


if __name__ == "__main__":
    main(sys.argv[1:])
