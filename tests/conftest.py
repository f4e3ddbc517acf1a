"""Shared pytest fixtures: a small real fixture build and the full real build, once per session.

Both databases are built into temporary folders (never data/outcomes.duckdb), so the tests do
not depend on, or change, the developer's database. Open them read-only.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
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
    """The database built from `fixture_raw_dir` (about 1 s), with the raw_, stg_ and int_
    tables kept so that tests can check each step."""
    path = tmp_path_factory.mktemp("fixture_db") / "outcomes.duckdb"
    return build(fixture_raw_dir, path, _quiet, keep_intermediate=True)


@pytest.fixture(scope="session")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database built from the full bundled data/raw (about 20-40 s), with the raw_, stg_
    and int_ tables kept so that tests can check each step."""
    path = tmp_path_factory.mktemp("real_db") / "outcomes.duckdb"
    return build(PROJECT_DIR / "data", path, _quiet, keep_intermediate=True)


@pytest.fixture
def app_db(real_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app reads the real build and a throw-away user database, with empty caches."""
    import streamlit as st

    from outcomes import db

    monkeypatch.setattr(db, "PUBLIC_DB", Path(real_db))
    monkeypatch.setattr(db, "USER_DB", tmp_path / "user.duckdb")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def page_app(app_db: None):
    """Run one page through the real router on the real build (see `app_db`):
    `page_app(page_path, ind="imd_score")` returns the AppTest after the page ran.
    The router runs from a string with absolute page paths, so AppTest does not mistake the
    pages/ folder beside it for a legacy multipage app. Trafford's localities unless the
    parameters say otherwise."""
    from streamlit.testing.v1 import AppTest

    router = (PROJECT_DIR / "dashboard.py").read_text(encoding="utf-8")
    router = router.replace('st.Page("pages/', f'st.Page("{PROJECT_DIR}/pages/')

    def run(page: Path | str, **params: str) -> AppTest:
        at = AppTest.from_string(router, default_timeout=60)
        at.query_params.update({"lad": "E08000009", "model": "E08000009_localities2023", **params})
        at.run()
        at.switch_page(str(page)).run()
        assert not at.exception, at.exception
        return at

    return run


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator:
    """A throw-away PostgreSQL cluster (Debian's package; `make services` installs it) in a
    temporary folder on a free loopback port, for the tests of the shared user store."""
    from deploy.replicas import PostgresCluster

    cluster = PostgresCluster(durable=False).start()
    yield cluster
    cluster.stop()
