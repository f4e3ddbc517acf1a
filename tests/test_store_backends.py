"""The user store's behaviour, the same tests on both backends: the embedded DuckDB file and
PostgreSQL (a throw-away cluster from Debian's package, `postgres_cluster`), on the fixture
build. Then what only a shared store does: two app processes (each with its own mirror) see
each other's changes, and a public build is re-aggregated once among them. Area codes are
real (Trafford); every count in an uploaded file is synthetic.
"""

from __future__ import annotations

import csv
import io
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest

from outcomes import db, identity
from outcomes.uploads import (
    audit,
    datasets,
    disclosure,
    duckdb_store,
    models,
    policy,
    postgres_store,
    refresh,
    storage,
)
from outcomes.uploads.problems import StoreBusy

TRAFFORD = "E08000009"
OWNER = identity.User("owner@trafford.example", "Olu Owner", "Trafford Council", "analyst")
HOSTILE = 'Robert\'); DROP TABLE user_models; -- <b>"x"</b>\n'


@pytest.fixture(autouse=True)
def no_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(policy, "SECRETS_FILES", (tmp_path / "secrets.toml",))
    monkeypatch.delenv("OUTCOMES_SUPPRESS_BELOW", raising=False)


def open_app(
    request: pytest.FixtureRequest, backend: str, public_db: Path, folder: Path, monkeypatch
):
    """An app connection on `backend`: a new DuckDB file, or a new PostgreSQL database."""
    if backend == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        url = cluster.create_database(f"store_{uuid.uuid4().hex[:16]}")
        monkeypatch.setenv(postgres_store.ENV_VAR, url)
    else:
        monkeypatch.delenv(postgres_store.ENV_VAR, raising=False)
    return db.open_database(public_db, folder / "user.duckdb")


@pytest.fixture(params=["duckdb", "postgresql"])
def con(request, fixture_db: Path, tmp_path: Path, monkeypatch) -> Iterator:
    """A cursor of a fresh app connection whose user store is the parametrised backend."""
    base = open_app(request, request.param, fixture_db, tmp_path, monkeypatch)
    yield db.cursor(base)
    base.close()


def trafford_lsoas(con) -> list[str]:
    found = con.execute(
        "SELECT lsoa21_code FROM lsoa_geography WHERE lad_code = ? ORDER BY 1", [TRAFFORD]
    ).fetchall()
    return [r[0] for r in found]


def model_file(con, parts: int = 2) -> bytes:
    """Trafford's real LSOAs in `parts` neighbourhoods."""
    rows = "".join(f"{c},Part {i % parts}\n" for i, c in enumerate(trafford_lsoas(con)))
    return ("lsoa_code,neighbourhood\n" + rows).encode("utf-8")


def service_file(con, month: str = "2025-01", seed: int = 7) -> bytes:
    """synthetic: booked and missed appointments for every Trafford LSOA (made-up counts)."""
    rng = np.random.default_rng(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["lsoa_code", "period", "measure", "count"])
    for code in trafford_lsoas(con):
        booked = int(rng.integers(20, 260))
        writer.writerow([code, month, "appointments_booked", booked])
        writer.writerow([code, month, "appointments_missed", int(rng.binomial(booked, 0.05))])
    return out.getvalue().encode("utf-8")


def save_model(con, name: str = "Halves", parts: int = 2) -> str:
    model = models.validate_model(con, model_file(con, parts), TRAFFORD)
    return models.save_model(con, model, name, "halves.csv", user=OWNER)


def save_dataset(con, data: bytes, name: str = "Clinic", **kw) -> str:
    dataset = datasets.validate_dataset(con, data, TRAFFORD)
    return datasets.save_dataset(con, dataset, name, user=OWNER, source_file="c.csv", **kw)


def model_values(con, model_id: str) -> pd.DataFrame:
    return con.execute(
        "SELECT * EXCLUDE (suppressed) FROM indicator_values WHERE model_id = ? ORDER BY ALL",
        [model_id],
    ).df()


# ---------------------------------------------------------------- both backends


def test_the_schema_is_migrated_once_in_numbered_steps(con) -> None:
    mirror = postgres_store.mirror_of(con)
    if mirror is None:
        found = con.execute("SELECT version FROM usr.user_schema_version ORDER BY 1").fetchall()
        assert duckdb_store.migrate(con) == []
    else:
        with mirror[0].pool.connection() as pg:
            found = pg.execute("SELECT version FROM user_schema_version ORDER BY 1").fetchall()
        assert postgres_store.migrate(mirror[0].pool) == []
    steps = [v for v, _, _ in duckdb_store.MIGRATIONS]
    assert [v for (v,) in found] == steps == [v for v, _, _ in postgres_store.MIGRATIONS]


def test_a_saved_model_is_published_with_the_values_of_the_public_build(con) -> None:
    model_id = save_model(con, HOSTILE)
    listed = storage.store_for(con).list_models(TRAFFORD)
    assert listed.model_id.tolist() == [model_id]
    assert listed.model_name.tolist() == [HOSTILE.strip()]  # text kept as data, bound
    assert listed.aggregated_for_build.tolist() == [refresh.public_build(con)]
    shown = con.execute(
        "SELECT neighbourhood_name, count(*) FROM neighbourhood_models WHERE model_id = ? "
        "AND model_source = 'uploaded' GROUP BY 1 ORDER BY 1",
        [model_id],
    ).fetchall()
    lsoas = trafford_lsoas(con)
    assert shown == [("Part 0", (len(lsoas) + 1) // 2), ("Part 1", len(lsoas) // 2)]
    # the stored values are exactly what the build's macro makes of the membership
    con.execute(
        "CREATE TEMP TABLE m AS SELECT * EXCLUDE (model_source) FROM neighbourhood_models "
        "WHERE model_id = ?",
        [model_id],
    )
    expected = con.execute("SELECT * FROM neighbourhood_indicator_values('m') ORDER BY ALL").df()
    got = model_values(con, model_id)
    assert len(got) > 0
    pd.testing.assert_frame_equal(got, expected[got.columns], check_dtype=False)


def test_a_model_is_reaggregated_replaced_and_deleted(con) -> None:
    model_id = save_model(con)
    before = model_values(con, model_id)
    store = storage.store_for(con)
    store.reaggregate_model(model_id, "an older build")
    assert store.get_model(model_id)["aggregated_for_build"] == "an older build"
    assert refresh.refresh_stale_models(con) == 1  # back to the build in use
    assert store.get_model(model_id)["aggregated_for_build"] == refresh.public_build(con)
    pd.testing.assert_frame_equal(model_values(con, model_id), before)
    assert save_model(con, parts=3) == model_id  # same name: replaced
    hoods = con.execute(
        "SELECT count(DISTINCT neighbourhood_code) FROM neighbourhood_models WHERE model_id = ?",
        [model_id],
    ).fetchall()
    assert hoods == [(3,)]
    models.delete_model(con, model_id, user=OWNER)
    assert store.get_model(model_id) is None
    assert model_values(con, model_id).empty
    log = store.audit_log()
    actions = log[log.object_kind == audit.MODEL].action.tolist()
    assert actions == [audit.UPLOAD, audit.REPLACE, audit.DELETE]


def test_a_dataset_is_stored_listed_replaced_and_deleted(con) -> None:
    data = service_file(con)
    dataset_id = save_dataset(con, data, HOSTILE)
    store = storage.store_for(con)
    listed = store.list_datasets(TRAFFORD)
    row = listed.set_index("dataset_id").loc[dataset_id]
    assert (row.dataset_name, row.first_period, row.last_period, row.periods) == (
        HOSTILE.strip(), "2025-01", "2025-01", 1,
    )  # fmt: skip
    rows, areas = store.dataset_inputs(dataset_id)
    assert len(rows) == len(data.decode().strip().splitlines()) - 1 == 2 * len(areas)
    assert rows["count"].sum() == sum(
        int(line.split(",")[3]) for line in data.decode().strip().splitlines()[1:]
    )
    indicators = store.dataset_indicators(dataset_id)
    assert len(indicators) == row.indicators >= 1
    values = store.dataset_values(dataset_id)
    lad = values[values.area_type == "lad"]
    assert set(lad.indicator_id) == set(indicators.indicator_id)
    shown = con.execute(
        "SELECT count(*) FROM indicator_values WHERE indicator_id IN "
        "(SELECT indicator_id FROM usr.user_dataset_indicators WHERE dataset_id = ?)",
        [dataset_id],
    ).fetchall()[0][0]
    assert shown == len(values)  # published beside the public rows
    save_dataset(con, service_file(con, "2025-02", seed=3), HOSTILE, replace=True)
    assert store.list_datasets(TRAFFORD).last_period.tolist() == ["2025-02"]
    datasets.delete_dataset(con, dataset_id, user=OWNER)
    assert store.list_datasets().empty and store.get_dataset(dataset_id) is None
    assert store.dataset_values(dataset_id).empty


def test_a_dataset_is_reaggregated_when_a_model_it_was_given_for_changes(con) -> None:
    dataset_id = save_dataset(con, service_file(con))
    store = storage.store_for(con)
    state = store.get_dataset(dataset_id)["aggregated_state"]
    model_id = save_model(con)  # re-aggregates the borough's datasets onto the new model
    assert store.get_dataset(dataset_id)["aggregated_state"] != state
    hoods = store.dataset_values(dataset_id, model_id, lsoas=False)
    assert set(hoods[hoods.area_type == "neighbourhood"].area_name) == {"Part 0", "Part 1"}


def test_settings_and_a_change_recorded_once(con) -> None:
    store = storage.store_for(con)
    assert store.get_setting("colour") is None
    store.set_setting("colour", HOSTILE)
    assert store.get_setting("colour") == HOSTILE
    entry = audit.entry(OWNER, audit.SETTING_CHANGE, audit.SETTING, "colour", "Colour")
    assert store.change_setting("colour", "blue", entry) is True
    again = audit.entry(OWNER, audit.SETTING_CHANGE, audit.SETTING, "colour", "Colour")
    assert store.change_setting("colour", "blue", again) is False
    log = store.audit_log()
    assert log.entry_id.tolist() == [entry.entry_id]
    assert log.columns.tolist() == list(audit.COLUMNS)


def test_a_change_is_made_whole_with_its_entry_or_not_at_all(con) -> None:
    store = storage.store_for(con)
    entry = audit.entry(OWNER, audit.DOWNLOAD, audit.DATASET, "x", "X", row_count=3)
    store.append_audit(entry)
    model = models.validate_model(con, model_file(con), TRAFFORD)
    membership = models.membership_frame(model, "E08000009_user_halves", "Halves")
    with pytest.raises(Exception):  # noqa: B017 - the backend's own key violation
        store.save_model(  # an entry id already in the log: its insert fails last
            membership, source_file="h.csv", build="b", owner={}, audit=entry
        )
    assert store.list_models().empty
    assert model_values(con, "E08000009_user_halves").empty
    assert store.audit_log().row_count.tolist() == [3]


def test_a_public_build_is_claimed_for_reaggregation_once(con) -> None:
    store = storage.store_for(con)
    assert store.claim_reaggregation("2026-01-01T00:00:00") is True
    assert store.claim_reaggregation("2026-01-01T00:00:00") is False
    assert storage.store_for(con).claim_reaggregation("2026-01-01T00:00:00") is False
    assert store.claim_reaggregation("2026-02-01T00:00:00") is True


def test_both_backends_keep_the_same_data(request, fixture_db, tmp_path, monkeypatch) -> None:
    """The same uploads on each backend read back identically (but for upload times)."""
    read = {}
    for backend in ("duckdb", "postgresql"):
        base = open_app(request, backend, fixture_db, tmp_path / backend, monkeypatch)
        cur = db.cursor(base)
        # the same secret: partner values for neighbourhoods depend on it (disclosure)
        storage.store_for(cur).set_setting(disclosure.SECRET_SETTING, "5eed" * 16)
        model_id = save_model(cur)
        dataset_id = save_dataset(cur, service_file(cur))
        store = storage.store_for(cur)
        rows, areas = store.dataset_inputs(dataset_id)
        read[backend] = {
            "models": store.list_models().drop(columns="uploaded_at"),
            "values": model_values(cur, model_id),
            "rows": rows,
            "areas": areas.sort_values(["area_code", "lsoa21_code"], ignore_index=True),
            "catalogue": store.dataset_indicators(dataset_id).drop(columns="sort_order"),  # by time
            "dataset": store.dataset_values(dataset_id),
            "log": store.audit_log().drop(columns=["entry_id", "at_utc"]),
        }
        base.close()
    for name, frame in read["duckdb"].items():
        pd.testing.assert_frame_equal(read["postgresql"][name], frame, obj=name)


# ---------------------------------------------------------------- a shared store


@pytest.fixture
def two_processes(request, fixture_db, tmp_path, monkeypatch) -> Iterator[tuple]:
    """Two app connections on one PostgreSQL store, as two copies of the app have."""
    first = open_app(request, "postgresql", fixture_db, tmp_path, monkeypatch)
    second = db.open_database(fixture_db, tmp_path / "unused.duckdb")
    yield db.cursor(first), db.cursor(second)
    first.close()
    second.close()


def test_a_change_in_one_process_reaches_the_other(two_processes, monkeypatch) -> None:
    here, there = two_processes
    monkeypatch.setattr(postgres_store, "CHECK_EVERY", 0.0)
    assert storage.sync(there) is False  # nothing changed yet
    model_id = save_model(here)
    assert storage.sync(there) is True  # the page would now clear its cached results
    assert storage.sync(there) is False
    shown = there.execute(
        "SELECT count(*) FROM neighbourhood_models WHERE model_id = ?", [model_id]
    ).fetchall()
    assert shown == [(len(trafford_lsoas(there)),)]
    pd.testing.assert_frame_equal(model_values(there, model_id), model_values(here, model_id))
    models.delete_model(there, model_id, user=OWNER)
    assert storage.store_for(here).get_model(model_id) is None  # reads are never stale


def test_pages_check_for_changes_at_most_every_so_often(two_processes, monkeypatch) -> None:
    here, there = two_processes
    # a long interval, so a slow save on a busy machine cannot outlast it
    monkeypatch.setattr(postgres_store, "CHECK_EVERY", 3600.0)
    postgres_store.sync(there, force=True)
    save_model(here)
    assert storage.sync(there) is False  # checked less than CHECK_EVERY ago
    assert postgres_store.sync(there, force=True) is True


def test_one_process_of_many_claims_a_build(two_processes) -> None:
    cursors = [c.cursor() for c in two_processes for _ in range(4)]
    results: list[bool] = []
    start = threading.Barrier(len(cursors))

    def claim(cur) -> None:
        start.wait()
        results.append(storage.store_for(cur).claim_reaggregation("build-1"))

    threads = [threading.Thread(target=claim, args=(c,)) for c in cursors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * (len(cursors) - 1) + [True]


def test_two_processes_saving_at_once_both_succeed(two_processes) -> None:
    here, there = two_processes
    errors: list[BaseException] = []

    def upload(cur, name: str) -> None:
        try:
            save_model(cur, name)
        except (StoreBusy, Exception) as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=upload, args=(here, "North")),
        threading.Thread(target=upload, args=(there, "South")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    names = storage.store_for(here).list_models(TRAFFORD).model_name.tolist()
    assert names == ["North", "South"]


def test_pages_keep_working_when_the_shared_store_is_unreachable(two_processes) -> None:
    here, there = two_processes
    save_model(here)
    backend = postgres_store.mirror_of(there)[0]
    backend.pool.close()  # no connection to the store any more, in this process
    postgres_store.CHECK_EVERY, every = 0.0, postgres_store.CHECK_EVERY
    try:
        assert storage.sync(there) is False  # the page's look: logged, not raised
        assert there.execute("SELECT count(*) FROM neighbourhood_models").fetchall()[0][0] > 0
        with pytest.raises(psycopg.Error):  # a read of the store itself says so
            storage.store_for(there).list_models()
    finally:
        postgres_store.CHECK_EVERY = every
        postgres_store.close_all()


def test_a_setting_drawn_at_first_use_is_kept_by_everyone(con) -> None:
    store = storage.store_for(con)
    assert store.setdefault_setting("secret", "first") == "first"
    assert store.setdefault_setting("secret", "second") == "first"
    assert disclosure.installation_secret(con) == disclosure.installation_secret(con)


def test_copies_drawing_a_secret_at_once_share_the_first(two_processes) -> None:
    here, there = two_processes
    drawn: list[bytes] = []
    start = threading.Barrier(2)

    def draw(cur) -> None:
        start.wait()
        drawn.append(disclosure.installation_secret(cur))

    threads = [threading.Thread(target=draw, args=(c,)) for c in (here, there)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(drawn) == 2 and drawn[0] == drawn[1]


def mirrored(cur) -> dict[str, pd.DataFrame]:
    """Every table of a connection's mirror, in a stable order."""
    return {
        t: cur.execute(f"SELECT * FROM usr.{t} ORDER BY ALL").df() for t in postgres_store.MIRRORED
    }


def test_a_reload_copies_only_the_tables_that_changed(two_processes, monkeypatch) -> None:
    here, there = two_processes
    backend, mirror_id, _ = postgres_store.mirror_of(there)
    monkeypatch.setattr(postgres_store, "CHECK_EVERY", 0.0)
    dataset_id = save_dataset(here, service_file(here))
    assert storage.sync(there) is True
    storage.store_for(here).set_setting("colour", "teal")
    assert storage.sync(there) is True
    assert backend.reloaded[mirror_id] == ("user_settings",)
    model_id = save_model(here)  # re-aggregates the borough's dataset onto the new model
    assert storage.sync(there) is True
    assert "user_models" in backend.reloaded[mirror_id]
    assert "user_dataset_rows" not in backend.reloaded[mirror_id]  # unchanged: not copied
    for table, frame in mirrored(here).items():
        pd.testing.assert_frame_equal(mirrored(there)[table], frame, obj=table)
    hoods = storage.store_for(there).dataset_values(dataset_id, model_id, lsoas=False)
    assert set(hoods[hoods.area_type == "neighbourhood"].area_name) == {"Part 0", "Part 1"}


def test_a_change_made_outside_the_app_reaches_every_mirror(two_processes, monkeypatch) -> None:
    here, there = two_processes
    monkeypatch.setattr(postgres_store, "CHECK_EVERY", 0.0)
    storage.store_for(here).set_setting("colour", "teal")
    assert storage.sync(there) is True
    with psycopg.connect(os.environ[postgres_store.ENV_VAR]) as pg:  # an administrator, by hand
        pg.execute("UPDATE user_settings SET value = 'navy' WHERE key = 'colour'")
    assert storage.sync(there) is True
    assert storage.store_for(there).get_setting("colour") == "navy"
    assert postgres_store.mirror_of(there)[0].reloaded[postgres_store.mirror_of(there)[1]] == (
        "user_settings",
    )
