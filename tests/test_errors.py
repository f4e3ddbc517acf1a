"""What users see when something goes wrong, and what the server keeps.

* A failing page shows a plain message with a short error id, never a traceback or a server
  path; the traceback is logged under that id. `st.stop` and `st.rerun` still work.
* Streamlit itself hides the details of any other uncaught error (`showErrorDetails`), and
  accepts uploads as large as the pages promise.
* Two sessions writing the user database at the same moment: the write is retried, or the
  user is told plainly, and the store is never left half-written.
* A build that was killed leaves a large temporary file; the next build removes it.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from outcomes import db, errors, queries
from outcomes.identity import local_user
from outcomes.uploads import duckdb_store, formats, models
from outcomes.uploads.problems import StoreBusy
from transforms import run

PROJECT_DIR = Path(__file__).resolve().parents[1]
CONFIG = PROJECT_DIR / ".streamlit" / "config.toml"
LOCALITIES_CSV = (
    PROJECT_DIR / "data/raw/geography/trafford_localities/trafford_lsoa21_to_locality.csv"
)
TRAFFORD = "E08000009"
ERROR_ID = re.compile(r"error id ([0-9a-f]{8})\b")
SERVER_PATH = "/srv/dashboard/private/outcomes.duckdb"


# ---------------------------------------------------------------- a failing page


def _page_script(body: str) -> str:
    """A page run through `errors.run_page`, as dashboard.py runs every page."""
    return (
        "import streamlit as st\n"
        "from outcomes.errors import run_page\n"
        "def page():\n"
        + "".join(f"    {line}\n" for line in body.splitlines())
        + "run_page(page, 'Test page')\n"
        "st.write('after the page')\n"
    )


def _shown(at: AppTest) -> str:
    """Everything the page put on screen, as text."""
    parts = [
        e.value for kind in ("error", "warning", "markdown", "exception") for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_an_exception_shows_an_error_id_and_logs_the_traceback(caplog) -> None:
    caplog.set_level(logging.ERROR, logger=errors.LOG.name)
    at = AppTest.from_string(
        _page_script(f"raise FileNotFoundError({SERVER_PATH!r})"), default_timeout=30
    ).run()
    assert not at.exception
    (message,) = [e.value for e in at.error]
    shown = _shown(at)
    assert SERVER_PATH not in shown and "Traceback" not in shown and "FileNotFound" not in shown
    error_id = ERROR_ID.search(message).group(1)
    (record,) = [r for r in caplog.records if r.name == errors.LOG.name]
    assert error_id in record.getMessage() and "Test page" in record.getMessage()
    assert record.exc_info[0] is FileNotFoundError  # the traceback is in the server log
    assert SERVER_PATH in caplog.text and "Traceback" in caplog.text
    assert [m.value for m in at.markdown] == ["after the page"]  # the app carries on


def test_each_failure_gets_its_own_id() -> None:
    ids = {errors.new_error_id() for _ in range(200)}
    assert len(ids) == 200 and all(re.fullmatch(r"[0-9a-f]{8}", i) for i in ids)


def test_st_stop_inside_a_page_still_stops_the_run() -> None:
    at = AppTest.from_string(_page_script("st.write('before')\nst.stop()"), default_timeout=30)
    at.run()
    assert not at.exception and not at.error
    assert [m.value for m in at.markdown] == ["before"]  # 'after the page' never ran


def test_st_rerun_inside_a_page_still_reruns() -> None:
    body = (
        "st.session_state['runs'] = st.session_state.get('runs', 0) + 1\n"
        "if st.session_state['runs'] == 1:\n"
        "    st.rerun()\n"
        "st.write(f\"runs: {st.session_state['runs']}\")"
    )
    at = AppTest.from_string(_page_script(body), default_timeout=30).run()
    assert not at.exception and not at.error
    assert at.session_state["runs"] == 2
    assert [m.value for m in at.markdown] == ["runs: 2", "after the page"]


def test_a_write_that_kept_conflicting_is_a_plain_warning() -> None:
    body = "from outcomes.uploads.problems import StoreBusy\nraise StoreBusy()"
    at = AppTest.from_string(_page_script(body), default_timeout=30).run()
    assert not at.exception and not at.error
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith("Someone else was saving at the same moment")
    assert "try again" in warning


def test_the_dashboard_router_runs_pages_through_the_error_handler(
    app_db: None, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    """The real router and the real Data & sources page, whose build details fail to load."""

    def broken(con):
        raise OSError(f"[Errno 5] Input/output error: {SERVER_PATH!r}")

    caplog.set_level(logging.ERROR, logger=errors.LOG.name)
    monkeypatch.setattr(queries, "build_info", broken)
    router = (PROJECT_DIR / "dashboard.py").read_text(encoding="utf-8")
    router = router.replace('st.Page("pages/', f'st.Page("{PROJECT_DIR}/pages/')
    at = AppTest.from_string(router, default_timeout=90)
    at.query_params.update({"lad": TRAFFORD})
    at.run()
    at.switch_page(f"{PROJECT_DIR}/pages/data_sources.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Data & sources"  # what ran before the failure is shown
    (message,) = [e.value for e in at.error]
    assert SERVER_PATH not in _shown(at) and "Errno" not in _shown(at)
    error_id = ERROR_ID.search(message).group(1)
    assert any(error_id in r.getMessage() for r in caplog.records)
    assert SERVER_PATH in caplog.text
    st.cache_data.clear()


# ---------------------------------------------------------------- Streamlit's configuration


def test_streamlit_hides_error_details_and_accepts_the_promised_upload_size() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    limit_mb = config["server"]["maxUploadSize"]  # Streamlit's megabytes are 1024 * 1024 bytes
    assert limit_mb * 1024 * 1024 == formats.MAX_BYTES == 20 * 1024 * 1024
    assert models.MAX_BYTES <= formats.MAX_BYTES
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    assert f"over {limit_mb} MB" in readme


# ---------------------------------------------------------------- concurrent writes


@pytest.fixture
def bases(fixture_db: Path, tmp_path: Path) -> Iterator:
    """One app connection (the fixture build and a fresh user database file), as the
    dashboard has one per process; sessions and threads each take a cursor of it."""
    base = db.open_database(fixture_db, tmp_path / "user.duckdb")
    yield base
    base.close()


def _model(con) -> models.ValidatedModel:
    """Trafford's published localities as an uploaded model."""
    lines = LOCALITIES_CSV.read_text(encoding="utf-8").splitlines()[1:]
    rows = ["lsoa_code,neighbourhood", *(f"{ln.split(',')[0]},{ln.split(',')[2]}" for ln in lines)]
    return models.validate_model(con, "\n".join(rows).encode(), TRAFFORD)


def _stored(con, model_id: str) -> tuple[int, int, int]:
    """(models, membership rows, value rows) stored for a model id."""
    tables = ("user_models", "user_neighbourhood_models", "user_indicator_values")
    sql = "SELECT count(*) FROM usr.{} WHERE model_id = ?"
    return tuple(con.execute(sql.format(t), [model_id]).fetchall()[0][0] for t in tables)


def _hold_rows(con, model_id: str) -> None:
    """Another session in the middle of changing the model: its rows deleted, not committed."""
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM usr.user_models WHERE model_id = ?", [model_id])


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorter pauses between attempts (the number of attempts is unchanged)."""
    monkeypatch.setattr(duckdb_store, "FIRST_PAUSE", 0.01)


def test_a_write_blocked_throughout_is_reported_plainly_and_changes_nothing(
    bases, fast_retries, caplog
) -> None:
    user = local_user()
    first, other = db.cursor(bases), db.cursor(bases)
    model_id = models.save_model(first, _model(first), "Localities copy", "m.csv", user=user)
    saved = _stored(first, model_id)
    _hold_rows(other, model_id)
    with pytest.raises(StoreBusy) as caught:
        models.delete_model(first, model_id, user=user)
    assert "someone else was saving at the same moment" in str(caught.value)
    conflicts = [r for r in caplog.records if "write conflict" in r.getMessage()]
    assert len(conflicts) == duckdb_store.ATTEMPTS
    other.execute("ROLLBACK")
    assert _stored(first, model_id) == saved  # nothing half-deleted
    models.delete_model(first, model_id, user=user)  # and a moment later it goes through
    assert _stored(first, model_id) == (0, 0, 0)


def test_a_write_is_retried_once_the_other_session_has_finished(bases, caplog) -> None:
    user = local_user()
    first, other = db.cursor(bases), db.cursor(bases)
    model_id = models.save_model(first, _model(first), "Localities copy", "m.csv", user=user)
    conflicted = threading.Event()

    class Signal(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "write conflict" in record.getMessage():
                conflicted.set()

    handler = Signal()
    logging.getLogger(duckdb_store.__name__).addHandler(handler)
    outcome: list[object] = []

    def delete() -> None:
        try:
            models.delete_model(first, model_id, user=user)
            outcome.append("deleted")
        except Exception as exc:  # reported by the assertion below
            outcome.append(exc)

    _hold_rows(other, model_id)
    worker = threading.Thread(target=delete)
    try:
        worker.start()
        assert conflicted.wait(timeout=60)  # the first attempt met the other session's change
        other.execute("ROLLBACK")  # the other session gives up; the retry goes through
        worker.join(timeout=120)
    finally:
        logging.getLogger(duckdb_store.__name__).removeHandler(handler)
    assert outcome == ["deleted"]
    assert _stored(first, model_id) == (0, 0, 0)


def test_concurrent_saves_of_one_model_from_several_sessions(bases) -> None:
    """Four sessions (threads, each with its own cursor) save the same model at once, twice
    each: every save either goes through or says plainly to try again; none leaves a
    traceback, and the store holds the model exactly once."""
    user = local_user()
    setup = db.cursor(bases)
    model = _model(setup)
    alone = models.save_model(setup, model, "Shared model", "m.csv", user=user)
    expected = _stored(setup, alone)
    start = threading.Barrier(4)
    outcomes: list[object] = []

    def save() -> None:
        cur = db.cursor(bases)
        start.wait()
        for _ in range(2):
            try:
                outcomes.append(models.save_model(cur, model, "Shared model", "m.csv", user=user))
            except StoreBusy as exc:
                outcomes.append(exc)
            except Exception as exc:  # reported by the assertion below
                outcomes.append(exc)

    threads = [threading.Thread(target=save) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    unexpected = [o for o in outcomes if not (o == alone or isinstance(o, StoreBusy))]
    assert len(outcomes) == 8 and not unexpected, unexpected
    assert alone in outcomes  # saves go through, after a retry where they conflicted
    assert _stored(setup, alone) == expected
    assert setup.execute("SELECT count(*) FROM usr.user_models").fetchall()[0][0] == 1


# ---------------------------------------------------------------- a killed build


def _dead_pid() -> int:
    """The id of a process that has finished (and been reaped)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                           capture_output=True, text=True)  # fmt: skip
    return int(child.stdout)


def test_stale_temporary_builds_are_removed_and_running_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "outcomes.duckdb"
    dead = _dead_pid()
    stale = [tmp_path / f"outcomes.duckdb.tmp-{dead}", tmp_path / f"outcomes.duckdb.tmp-{dead}.wal"]
    running = tmp_path / f"outcomes.duckdb.tmp-{os.getppid()}"  # the process that ran pytest
    unrelated = [tmp_path / "other.duckdb.tmp-1", tmp_path / f"outcomes.duckdb.tmp-{dead}x"]
    for path in (*stale, running, *unrelated):
        path.write_bytes(b"x" * 1000)
    removed = run.remove_stale_builds(target, progress=lambda _: None)
    assert sorted(removed) == sorted(stale)
    assert not any(p.exists() for p in stale)
    assert running.exists() and all(p.exists() for p in unrelated)


def test_a_killed_build_leaves_nothing_after_the_next_build(
    fixture_raw_dir: Path, tmp_path: Path
) -> None:
    """A real build of the fixture data, killed (SIGKILL) while it writes its temporary file;
    the next build removes that file and swaps its own database in."""
    target = tmp_path / "outcomes.duckdb"
    build = subprocess.Popen(
        [sys.executable, "-m", "transforms.run", "--data-dir", str(fixture_raw_dir), "--db",
         str(target)],
        cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    left = tmp_path / f"outcomes.duckdb.tmp-{build.pid}"
    try:
        for _ in range(600):
            if left.exists() or build.poll() is not None:
                break
            time.sleep(0.05)
    finally:
        build.send_signal(signal.SIGKILL)
        build.wait()
    assert left.exists() and not target.exists()  # killed part-way: the file is left behind
    messages: list[str] = []
    run.build(fixture_raw_dir, target, progress=messages.append)
    assert not left.exists() and target.exists()
    assert not list(tmp_path.glob("outcomes.duckdb.tmp-*"))
    assert any("left by a build that was stopped" in m for m in messages)
