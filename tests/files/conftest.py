"""Fixtures of the export-file tests: a copy of the test world's tracking bucket, a fresh warehouse."""

import shutil
from pathlib import Path

import pytest


@pytest.fixture()
def bucket(world_dir, tmp_path) -> Path:
    copy = tmp_path / "bucket"
    shutil.copytree(world_dir / "tracking", copy)
    return copy


@pytest.fixture()
def warehouse(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "files.duckdb"
    monkeypatch.setenv("TOUCHPATH_WAREHOUSE", str(path))
    return path
