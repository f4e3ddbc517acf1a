"""Versioned public snapshots: a build publishes a new one atomically, a running app switches
to it for new queries without a restart, old snapshots are pruned by the documented rule, and
the user's data is re-aggregated against a new build once."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from pathlib import Path

import duckdb
import pytest

from outcomes import db
from outcomes.uploads import refresh
from transforms import run
from transforms.raw import BuildError

SNAPSHOT_NAME = re.compile(r"outcomes-\d{8}T\d{6}Z-[0-9a-f]{8}(-\d+)?\.duckdb")


def _quiet(_: str) -> None:
    pass


def _build(data_dir: Path, link: Path) -> Path:
    """Build, making sure the new build's time (to the second) differs from the last one's."""
    time.sleep(1.05 - time.time() % 1)
    run.build(data_dir, link, _quiet)
    return Path(os.path.realpath(link))


def _built_at(con: duckdb.DuckDBPyConnection, table: str = "pub.build_info") -> str:
    return con.execute(f"SELECT built_at FROM {table}").fetchall()[0][0]


@pytest.fixture(scope="module")
def two_builds(fixture_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the fixture data built twice (two real snapshots, the second current), with
    three synthetic older snapshots made before the second build, which prunes them."""
    data_dir = tmp_path_factory.mktemp("snapshots") / "data"
    shutil.copytree(fixture_raw_dir / "raw", data_dir / "raw")
    link = data_dir / "outcomes.duckdb"
    first = _build(data_dir, link)
    # synthetic: older snapshots, copies of the real one under earlier build times
    older = [first.with_name(f"outcomes-2020010{i}T000000Z-0000000{i}.duckdb") for i in (1, 2, 3)]
    for path in older:
        shutil.copyfile(first, path)
    second = _build(data_dir, link)
    return data_dir, first, second, older


@pytest.fixture
def published(two_builds, tmp_path: Path) -> tuple[Path, Path]:
    """This test's own copy of the data folder (the link still relative), and its link."""
    data_dir = tmp_path / "data"
    shutil.copytree(two_builds[0], data_dir, symlinks=True)
    return data_dir, data_dir / "outcomes.duckdb"


def _snapshot(data_dir: Path, like: Path) -> Path:
    return data_dir / run.SNAPSHOTS / like.name


@pytest.fixture
def app_con(published: tuple[Path, Path], two_builds, tmp_path: Path):
    """The app's connection, opened on the first build."""
    data_dir, link = published
    run.publish(link, _snapshot(data_dir, two_builds[1]))
    con = db.open_database(link, tmp_path / "user.duckdb")
    yield con
    con.close()


def test_a_build_publishes_a_snapshot_and_prunes_the_old_ones(two_builds) -> None:
    data_dir, first, second, older = two_builds
    link = data_dir / "outcomes.duckdb"
    assert link.is_symlink() and Path(os.path.realpath(link)) == second
    assert first.parent == data_dir / run.SNAPSHOTS
    assert SNAPSHOT_NAME.fullmatch(first.name) and SNAPSHOT_NAME.fullmatch(second.name)
    assert second.name > first.name  # names sort by build time
    # the newest three are kept (the first build among them); the older two were pruned
    assert run.snapshots_of(link) == [older[2], first, second]
    assert run.KEEP_SNAPSHOTS == 3
    # nothing half-made is left beside the link
    assert sorted(p.name for p in data_dir.iterdir()) == ["outcomes.duckdb", "raw", "snapshots"]
    with duckdb.connect(str(link), read_only=True) as con:
        assert _built_at(con, "build_info") == _built_at(
            duckdb.connect(str(second), read_only=True), "build_info"
        )


def test_the_input_id_follows_the_inputs(published) -> None:
    data_dir, _ = published
    assert run.input_id(data_dir) == run.input_id(data_dir)
    before = run.input_id(data_dir)
    with (data_dir / "raw/geography/trafford_localities/trafford_lsoa21_to_locality.csv").open(
        "a"
    ) as handle:
        handle.write("\n")  # synthetic: one more byte in a raw file
    assert run.input_id(data_dir) != before


def test_a_connection_opened_before_keeps_working_and_a_new_one_sees_the_new_build(
    published, app_con, two_builds
) -> None:
    data_dir, link = published
    plain = duckdb.connect(str(link), read_only=True)  # e.g. another process, opened before
    old_cursor = db.cursor(app_con)
    old_build = _built_at(old_cursor)
    rows = old_cursor.execute("SELECT count(*) FROM indicator_values").fetchall()[0][0]

    run.publish(link, _snapshot(data_dir, two_builds[2]))  # what a second build does
    assert not db.switch_if_new(app_con)  # looked just now: not again within CHECK_SECONDS
    assert _built_at(old_cursor) == old_build
    assert db.switch_if_new(app_con, force=True)
    assert db.served_snapshot(app_con) == two_builds[2].name
    new_build = _built_at(db.cursor(app_con))
    assert new_build > old_build
    # the session's cursor keeps working, now on the new build; the plain connection keeps
    # reading the snapshot it opened
    assert _built_at(old_cursor) == new_build
    assert old_cursor.execute("SELECT count(*) FROM indicator_values").fetchall()[0][0] == rows
    assert _built_at(plain, "build_info") == old_build
    assert old_cursor.execute("SELECT wilson_lower(5, 10, 1.96)").fetchall()[0][0] > 0
    plain.close()


def test_queries_running_while_the_app_switches_never_fail(published, app_con, two_builds) -> None:
    data_dir, link = published
    first, second = _snapshot(data_dir, two_builds[1]), _snapshot(data_dir, two_builds[2])
    builds, errors, stop = set(), [], threading.Event()

    def query() -> None:
        cur = db.cursor(app_con)
        while not stop.is_set():
            try:
                row = cur.execute(
                    "SELECT (SELECT built_at FROM pub.build_info), count(*) "
                    "FROM indicator_values WHERE area_type = 'lad'"
                ).fetchall()[0]
                builds.add(row[0])
            except duckdb.Error as exc:  # a query that found no public build
                errors.append(str(exc))

    threads = [threading.Thread(target=query) for _ in range(3)]
    for thread in threads:
        thread.start()
    for i in range(12):
        run.publish(link, first if i % 2 else second)
        assert db.switch_if_new(app_con, force=True)
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(builds) == 2  # both builds were served
    attached = app_con.execute(
        "SELECT count(*) FROM duckdb_databases() WHERE database_name LIKE 'snap_%'"
    ).fetchall()[0][0]
    assert attached == db.ATTACHED  # the one served and the one before


def test_a_snapshot_that_cannot_be_opened_is_not_served(published, app_con) -> None:
    data_dir, link = published
    served = db.served_snapshot(app_con)
    broken = data_dir / run.SNAPSHOTS / "outcomes-29990101T000000Z-00000000.duckdb"
    broken.write_bytes(b"not a database")  # synthetic: a damaged file
    run.publish(link, broken)
    assert not db.switch_if_new(app_con, force=True)
    assert db.served_snapshot(app_con) == served
    assert _built_at(db.cursor(app_con))


def test_a_failed_build_leaves_the_current_snapshot_untouched(published) -> None:
    data_dir, link = published
    current = os.path.realpath(link)
    before = sorted((data_dir / run.SNAPSHOTS).iterdir())
    (data_dir / "raw/deprivation/iod2025_lsoa21_england.csv.gz").unlink()
    with pytest.raises(BuildError, match="file is missing"):
        run.build(data_dir, link, _quiet)
    assert os.path.realpath(link) == current
    assert sorted((data_dir / run.SNAPSHOTS).iterdir()) == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["outcomes.duckdb", "raw", "snapshots"]


def test_old_snapshots_are_pruned_unless_kept_or_open(published) -> None:
    data_dir, link = published
    current = Path(os.path.realpath(link))
    kept = run.snapshots_of(link)
    folder = data_dir / run.SNAPSHOTS
    # synthetic: older snapshots, copies of the real one under earlier build times
    older = [folder / f"outcomes-2019010{i}T000000Z-0000000{i}.duckdb" for i in range(1, 4)]
    for path in older:
        shutil.copyfile(current, path)
    held = duckdb.connect(str(older[0]), read_only=True)  # a process still reading the oldest
    messages: list[str] = []
    removed = run.prune_snapshots(link, keep=len(kept), progress=messages.append)
    assert sorted(removed) == older[1:]
    assert run.snapshots_of(link) == [older[0], *kept]
    assert any("still has it open" in m for m in messages)
    held.close()
    assert run.prune_snapshots(link, keep=1, progress=_quiet) == [older[0], *kept[:-1]]
    # the current snapshot is kept even when newer ones exist (the link was pointed back)
    newer = folder / "outcomes-29990101T000000Z-00000000.duckdb"
    shutil.copyfile(current, newer)
    assert run.prune_snapshots(link, keep=1, progress=_quiet) == []
    assert run.snapshots_of(link) == [current, newer]


def test_user_data_is_reaggregated_once_per_build(
    published, app_con, two_builds, monkeypatch
) -> None:
    data_dir, link = published
    calls: list[str] = []
    monkeypatch.setattr(
        refresh, "refresh_stale_models", lambda con: calls.append(refresh.public_build(con)) or 0
    )
    first = refresh.public_build(db.cursor(app_con))
    refresh.reaggregate_once(db.cursor(app_con))  # a process opening the build
    refresh.reaggregate_once(db.cursor(app_con))  # another one, sharing the store
    assert calls == [first]
    run.publish(link, _snapshot(data_dir, two_builds[2]))
    assert db.switch_if_new(app_con, force=True)
    for _ in range(2):
        refresh.reaggregate_once(db.cursor(app_con))
    assert len(calls) == 2 and calls[1] > first
