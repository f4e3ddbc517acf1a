"""Shared pytest fixtures: a small real fixture build and the full real build, once per session.

Both databases are built into temporary folders (never data/outcomes.duckdb), so the tests do
not depend on, or change, the developer's database. Open them read-only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:  # lets plain `.venv/bin/pytest` import transforms/, outcomes/
    sys.path.insert(0, str(PROJECT_DIR))

from tests.fixtures.make_raw_fixture import make_raw_fixture  # noqa: E402
from transforms.run import build  # noqa: E402


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="session")
def fixture_raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding raw/...: real rows for three LAs cut from data/raw (pass it to
    `build` as data_dir). Tests that corrupt it must copy it first."""
    data_dir = tmp_path_factory.mktemp("fixture_data")
    make_raw_fixture(data_dir)
    return data_dir


@pytest.fixture(scope="session")
def fixture_db(fixture_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database built from `fixture_raw_dir` (about 1 s)."""
    return build(fixture_raw_dir, tmp_path_factory.mktemp("fixture_db") / "outcomes.duckdb", _quiet)


@pytest.fixture(scope="session")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database built from the full bundled data/raw (about 15-20 s)."""
    return build(
        PROJECT_DIR / "data", tmp_path_factory.mktemp("real_db") / "outcomes.duckdb", _quiet
    )
