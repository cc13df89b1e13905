"""Data-driven multi-touch attribution engines: exact Markov removal effects and Shapley shares.

Input convention
----------------
Engines take aggregated distinct journeys: ``(path_tuple, conversions, value, nulls)``
(counts may be floats; ``nulls`` are journeys on that path that did not convert). The
warehouse entry point :func:`path_credits` takes the same as a DataFrame with a string
``channel_path``.

* Separator: :func:`parse_path` splits on ``sep.strip()`` (default ``" > "`` -> ``">"``) and
  strips every token, so ``"a>b"`` and ``"a > b"`` are the same path -- the same reading as
  ChannelAttribution's ``sep=">"``. Empty tokens are dropped.
* Repeats: kept as observed (``a > a > b`` has two ``a`` touches), as ChannelAttribution
  2.2.5 keeps them (its order-2 chain has ``(a, a)`` states; at order 1 it drops self-loops,
  which provably changes nothing). ``collapse_repeats=True`` on the Markov functions reads
  ``a > a > b`` as ``a > b``; that matters only for order >= 2. Shapley uses the set of
  distinct channels, where repeats never matter.
* Nulls: non-converting journeys enter the Markov chain as transitions to the absorbing
  ``null`` state and the Shapley game through the conversion rate
  ``conv / (conv + nulls)``. Empty paths carry no channel and are ignored; rows with
  ``conversions + nulls == 0`` do not shape the Markov chain. Duplicate paths are summed;
  inputs are canonicalised (sorted), so results do not depend on row order.

Public API
----------
``parse_path``, ``markov_removal_effects``, ``markov_channel_credits``,
``markov_channel_value``, ``shapley_path_shares``, ``shapley_channel_credits`` and
``path_credits``; the math of each is in the docstrings of :mod:`.markov` and
:mod:`.shapley`. For a column of path strings, ``encode_paths`` builds the engines'
:class:`PathTable` without a Python loop per path (``split_paths`` is its reader, the
vectorised twin of ``parse_path``); ``build_table`` does the same from parsed tuples.
"""

from .api import path_credits
from .markov import (
    MarkovResult,
    fit_markov,
    markov_channel_credits,
    markov_channel_value,
    markov_removal_effects,
)
from .paths import collapse_repeats, parse_path, split_paths
from .shapley import ShapleyShares, fit_shapley, shapley_channel_credits, shapley_path_shares
from .table import PathTable, build_table, encode_paths

__all__ = [
    "MarkovResult",
    "PathTable",
    "ShapleyShares",
    "build_table",
    "collapse_repeats",
    "encode_paths",
    "fit_markov",
    "fit_shapley",
    "markov_channel_credits",
    "markov_channel_value",
    "markov_removal_effects",
    "parse_path",
    "path_credits",
    "shapley_channel_credits",
    "shapley_path_shares",
    "split_paths",
]
