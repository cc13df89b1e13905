"""One row per data-driven model × converting channel path × channel: the channel's share of the
credit of every order on that path.

The math lives in `touchpath.attribution` (plain, tested Python): Markov removal effects solved
exactly on the absorbing chain, and Shapley values over channel coalitions. Both read the path
summary (converting and non-converting journeys), so this scales with distinct paths, not orders.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from touchpath.attribution import path_credits

    markov_order = int(dbt.config.get("markov_order") or 1)
    summary = dbt.ref("int_path_summary").df()
    return path_credits(summary, models=("markov", "shapley"), markov_order=markov_order)
