"""One small world and one warehouse built from it through the daily job, once per test module."""


import pytest


@pytest.fixture(scope="module")
def eval_world(world_dir, clean_build):
    """(world folder, warehouse path): the shared clean test world and its warehouse."""
    return world_dir, clean_build[0]


@pytest.fixture(scope="module")
def evaluation(eval_world):
    from touchpath.evaluation import evaluate

    world, warehouse = eval_world
    return evaluate(warehouse, world)
