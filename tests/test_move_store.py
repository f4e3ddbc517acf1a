"""Moving a council's user store from its DuckDB file into PostgreSQL (`move_store`), for real:
a DuckDB store on the fixture build with a model, a partner dataset, owners, settings and
audit entries is moved into a throw-away cluster (`postgres_cluster`, Debian's package), then
read and written through the PostgreSQL store. Area codes are real (Trafford); the partner
dataset's counts are synthetic (`service_file`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import pandas as pd
import psycopg
import pytest

from outcomes import db
from outcomes.uploads import audit, disclosure, move_store, policy, postgres_store, storage
from tests.conftest import PROJECT_DIR
from tests.test_store_backends import (
    OWNER,
    TRAFFORD,
    model_values,
    save_dataset,
    save_model,
    service_file,
)

SECRET = "5eed" * 16


@pytest.fixture(autouse=True)
def no_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(policy, "SECRETS_FILES", (tmp_path / "secrets.toml",))
    monkeypatch.delenv("OUTCOMES_SUPPRESS_BELOW", raising=False)
    monkeypatch.delenv(postgres_store.ENV_VAR, raising=False)


def read_store(cur) -> dict[str, object]:
    """Everything the store API gives back, to compare before and after the move."""
    store = storage.store_for(cur)
    models = store.list_models()
    datasets = store.list_datasets()
    dataset_id = datasets.dataset_id.iloc[0]
    rows, areas = store.dataset_inputs(dataset_id)
    return {
        "models": models,
        "model": store.get_model(models.model_id.iloc[0]),
        "values": model_values(cur, models.model_id.iloc[0]),
        "datasets": datasets,
        "rows": rows,
        "areas": areas.sort_values(["area_code", "lsoa21_code"], ignore_index=True),
        "indicators": store.dataset_indicators(dataset_id),
        "dataset values": store.dataset_values(dataset_id),
        "colour": store.get_setting("colour"),
        "secret": store.get_setting(disclosure.SECRET_SETTING),
        "log": store.audit_log(),
    }


@pytest.fixture(scope="module")
def duckdb_store_file(fixture_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """A DuckDB user store holding a model, a synthetic partner dataset, their owner,
    settings and audit entries; and what its store API read back (the file is closed)."""
    path = tmp_path_factory.mktemp("embedded") / "user.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(postgres_store.ENV_VAR, raising=False)
        patch.delenv("OUTCOMES_SUPPRESS_BELOW", raising=False)
        patch.setattr(policy, "SECRETS_FILES", (path.parent / "secrets.toml",))
        base = db.open_database(fixture_db, path)
        cur = db.cursor(base)
        store = storage.store_for(cur)
        store.set_setting(disclosure.SECRET_SETTING, SECRET)
        save_model(cur, "Halves")
        save_dataset(cur, service_file(cur), "Clinic")  # synthetic counts
        store.change_setting(
            "colour", "teal", audit.entry(OWNER, audit.SETTING_CHANGE, audit.SETTING, "colour")
        )
        store.append_audit(audit.entry(OWNER, audit.DOWNLOAD, audit.DATASET, "x", row_count=3))
        before = read_store(cur)
        base.close()
    return path, before


@pytest.fixture
def target(postgres_cluster) -> str:
    return postgres_cluster.create_database(f"moved_{uuid.uuid4().hex[:16]}")


def open_postgres(
    url: str, public_db: Path, folder: Path, monkeypatch
) -> duckdb.DuckDBPyConnection:
    monkeypatch.setenv(postgres_store.ENV_VAR, url)
    return db.open_database(public_db, folder / "unused.duckdb")


def pg_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as pg:
        return {t: pg.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in move_store.TABLES}


def test_a_duckdb_store_is_moved_whole_and_used_after(
    duckdb_store_file, target, fixture_db, tmp_path, monkeypatch
) -> None:
    path, before = duckdb_store_file
    command = [sys.executable, "-m", "outcomes.uploads.move_store", "--from", str(path)]
    env = {k: v for k, v in os.environ.items() if k != postgres_store.ENV_VAR}
    done = subprocess.run(
        [*command, "--to", target, "--by", "dana@trafford.example"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "in one transaction" in done.stdout and "Traceback" not in done.stderr
    counts = pg_counts(target)
    assert counts["user_audit_log"] == len(before["log"]) + 1  # and the move's entry
    assert counts["user_models"] == 1 and counts["user_datasets"] == 1
    assert counts["user_dataset_rows"] == len(before["rows"])
    assert counts["user_indicator_values"] >= len(before["values"]) > 0
    for table in move_store.TABLES:
        assert f"  {table} " in done.stdout  # each table's counts are listed

    cur = db.cursor(open_postgres(target, fixture_db, tmp_path, monkeypatch))
    after = read_store(cur)
    log = after.pop("log")
    moved = log[log.action == audit.STORE_MOVE]
    assert moved[["actor_email", "object_kind", "object_name"]].values.tolist() == [
        ["dana@trafford.example", audit.STORE, path.name]
    ]
    assert moved.row_count.iloc[0] == sum(counts.values()) - 1
    assert moved.sha256.iloc[0] == move_store.file_sha256(path)
    pd.testing.assert_frame_equal(log[log.action != audit.STORE_MOVE], before["log"])
    for name, value in after.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, before[name], obj=name)
        else:
            assert value == before[name], name
    assert after["model"]["owner_email"] == OWNER.email

    # new rows after the move: a second model and dataset, and the first model replaced
    assert save_model(cur, "Thirds", parts=3) != after["models"].model_id.iloc[0]
    save_dataset(cur, service_file(cur, "2025-02", seed=3), "Clinic two")  # synthetic
    assert save_model(cur, "Halves") == after["models"].model_id.iloc[0]
    store = storage.store_for(cur)
    assert store.list_models(TRAFFORD).model_name.tolist() == ["Halves", "Thirds"]
    assert sorted(store.list_datasets().dataset_name) == ["Clinic", "Clinic two"]
    assert store.get_setting(disclosure.SECRET_SETTING) == SECRET


def test_a_second_move_into_a_store_in_use_is_refused(
    duckdb_store_file, target, capsys, fixture_db, tmp_path, monkeypatch
) -> None:
    path, _ = duckdb_store_file
    assert move_store.main(["--from", str(path), "--to", target, "--by", "dana"]) == 0
    held = pg_counts(target)
    running = db.cursor(open_postgres(target, fixture_db, tmp_path, monkeypatch))
    storage.store_for(running).set_setting("colour", "navy")  # a copy of the app, in use
    assert move_store.main(["--from", str(path), "--to", target]) == 1
    said = capsys.readouterr().err
    assert "already holds user data" in said and "--replace-target" in said
    assert pg_counts(target) == held  # nothing written

    moved = move_store.move(path, target, by="dana", replace_target=True)
    assert moved.replaced["user_models"] == 1
    assert postgres_store.sync(running, force=True) is True  # the running copy reloads
    assert storage.store_for(running).get_setting("colour") == "teal"  # the file's value
    counts = pg_counts(target)
    assert counts["user_audit_log"] == held["user_audit_log"] + 1  # kept, plus this move
    assert {t: n for t, n in counts.items() if t != "user_audit_log"} == {
        t: n for t, n in held.items() if t != "user_audit_log"
    }


def test_a_failure_part_way_writes_nothing(duckdb_store_file, target, tmp_path) -> None:
    path, _ = duckdb_store_file
    odd = tmp_path / "odd.duckdb"
    odd.write_bytes(path.read_bytes())
    with duckdb.connect(str(odd)) as con:  # the last table copied has a column PostgreSQL lacks
        con.execute("ALTER TABLE user_reaggregation_claims ADD COLUMN note VARCHAR")
    with pytest.raises(move_store.MoveRefused, match="has no column note"):
        move_store.move(odd, target, by="dana")
    assert set(pg_counts(target).values()) == {0}  # models, datasets... all rolled back


def test_bad_input_is_told_plainly(duckdb_store_file, postgres_cluster, tmp_path, capsys) -> None:
    path, _ = duckdb_store_file
    older = tmp_path / "older.duckdb"
    older.write_bytes(path.read_bytes())
    with duckdb.connect(str(older)) as con:
        con.execute("DELETE FROM user_schema_version WHERE version = ?", [move_store.LATEST])
    not_a_store = tmp_path / "empty.duckdb"
    duckdb.connect(str(not_a_store)).close()
    text_file = tmp_path / "notes.duckdb"
    text_file.write_text("not a database", encoding="utf-8")
    url = postgres_cluster.url()
    closed = f"postgresql://postgres@127.0.0.1:{postgres_cluster.port + 1}/postgres"
    cases = {
        "there is no file": ["--from", str(tmp_path / "missing.duckdb"), "--to", url],
        f"schema version {move_store.LATEST - 1}": ["--from", str(older), "--to", url],
        "not a user store": ["--from", str(not_a_store), "--to", url],
        "cannot be opened as a DuckDB database": ["--from", str(text_file), "--to", url],
        "cannot connect to PostgreSQL at postgresql://postgres@127.0.0.1": [
            "--from", str(path), "--to", closed,
        ],
        "must be a postgresql:// URL": ["--from", str(path), "--to", "mysql://x/y"],
    }  # fmt: skip
    for message, argv in cases.items():
        assert move_store.main(argv) == 1, message
        said = capsys.readouterr().err
        assert message in said and "Traceback" not in said, said


def test_the_target_is_described_without_its_password() -> None:
    url = "postgresql://outcomes:s3cret@db.example:5433/outcomes"
    assert move_store.describe_target(url) == "postgresql://outcomes@db.example:5433/outcomes"
