"""Ownership, the audit log and the disclosure policy from configuration, on the real build.

Who may replace or delete a model or dataset (its owner, a data steward, nobody else), what
the audit log records for each action (who, when, what, the file's SHA-256 and rows), that
the log is only ever appended to and survives reopening the database, that the policy comes
from configuration only (a change recorded once), and that deleting needs a confirmation on
the pages. Area codes are real (Trafford); every count is synthetic.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from outcomes import db, export, identity, ui
from outcomes.uploads import audit, datasets, disclosure, duckdb_store, models, policy, refresh
from outcomes.uploads.problems import DataFileError
from tests.apptest import route_pages_through_the_router

PROJECT_DIR = Path(__file__).resolve().parents[1]
APP = str(PROJECT_DIR / "dashboard.py")
TRAFFORD = "E08000009"
LOCALITIES_CSV = (
    PROJECT_DIR / "data/raw/geography/trafford_localities/trafford_lsoa21_to_locality.csv"
)
OWNER = identity.User("owner@trafford.example", "Olu Owner", "Trafford Council", "analyst")
OTHER = identity.User("other@nhs.example", "Ola Other", "NHS Trafford", "analyst")
STEWARD = identity.User("ig@trafford.example", "Sam Steward", "Trafford Council", "steward")
VIEWER = identity.User("viewer@example.org", "Vi Viewer", "example.org", "viewer")
LOG = "usr.user_audit_log"


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(autouse=True)
def no_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No secrets file and no environment variable unless a test sets one; returns the path
    a test may write a secrets file to."""
    secrets = tmp_path / "secrets.toml"
    monkeypatch.setattr(policy, "SECRETS_FILES", (secrets,))
    monkeypatch.delenv(disclosure.ENV_VAR, raising=False)
    return secrets


@pytest.fixture(scope="module")
def base(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    con = db.open_database(real_db, tmp_path_factory.mktemp("audit_user") / "user.duckdb")
    yield con
    con.close()


@pytest.fixture
def con(base):
    """A cursor on an emptied user database (the log included: each test reads its own)."""
    cur = db.cursor(base)
    for (table,) in cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'usr'"
    ).fetchall():
        if table != "user_schema_version":
            cur.execute(f"DELETE FROM usr.{table}")
    return cur


def trafford_lsoas(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT lsoa21_code FROM lsoa_geography WHERE lad_code = ? ORDER BY 1", [TRAFFORD]
        ).fetchall()
    ]


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


def model_file(con, parts: int = 2) -> bytes:
    """Trafford's real LSOAs in `parts` neighbourhoods."""
    rows = "".join(f"{c},Part {i % parts}\n" for i, c in enumerate(trafford_lsoas(con)))
    return ("lsoa_code,neighbourhood\n" + rows).encode("utf-8")


def save_dataset(con, data: bytes, user: identity.User, name: str = "Clinic", **kw) -> str:
    dataset = datasets.validate_dataset(con, data, TRAFFORD)
    return datasets.save_dataset(con, dataset, name, user=user, source_file="clinic.csv", **kw)


def save_model(con, data: bytes, user: identity.User, name: str = "Halves") -> str:
    return models.save_model(
        con, models.validate_model(con, data, TRAFFORD), name, "halves.csv", user=user
    )


def log(con) -> pd.DataFrame:
    return con.execute(f"SELECT * FROM {LOG} ORDER BY at_utc, entry_id").df()


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def data_rows(data: bytes) -> int:
    return len(data.decode("utf-8").strip().splitlines()) - 1


# ---------------------------------------------------------------- ownership


def test_models_record_their_owner_from_the_identity(con) -> None:
    model_id = save_model(con, model_file(con), OWNER)
    listed = models.list_models(con, TRAFFORD).set_index("model_id").loc[model_id]
    assert (listed.owner_email, listed.owner_name, listed.organisation) == (
        OWNER.email,
        OWNER.name,
        OWNER.organisation,
    )


def test_datasets_record_owner_and_organisation_from_the_identity_only(con) -> None:
    dataset_id = save_dataset(con, service_file(con), OTHER)
    listed = datasets.list_datasets(con, TRAFFORD).set_index("dataset_id").loc[dataset_id]
    assert (listed.owner_email, listed.owner_name, listed.organisation) == (
        OTHER.email,
        OTHER.name,
        OTHER.organisation,
    )
    source = datasets.dataset_indicators(con, dataset_id).source.unique().tolist()
    assert source == [f"Uploaded by {OTHER.organisation}"]
    with pytest.raises(TypeError):  # no free-text organisation any more
        datasets.save_dataset(
            con,
            datasets.validate_dataset(con, service_file(con), TRAFFORD),
            "Other",
            user=OTHER,
            organisation="NHS England",
        )


def test_a_viewer_cannot_upload(con) -> None:
    with pytest.raises(PermissionError, match="analyst"):
        save_model(con, model_file(con), VIEWER)
    with pytest.raises(PermissionError, match="analyst"):
        save_dataset(con, service_file(con), VIEWER)
    assert log(con).empty
    assert models.list_models(con, TRAFFORD).empty


def test_only_the_owner_or_a_steward_may_replace_or_delete_a_model(con) -> None:
    first, second = model_file(con, 2), model_file(con, 3)
    model_id = save_model(con, first, OWNER)
    entries = len(log(con))
    with pytest.raises(
        PermissionError, match=re.escape("belongs to Olu Owner <owner@trafford.example>")
    ):
        save_model(con, second, OTHER)  # same name: would replace the owner's model
    with pytest.raises(PermissionError, match="only its owner or a data steward"):
        models.delete_model(con, model_id, user=OTHER)
    assert len(log(con)) == entries  # refusals change nothing, so record nothing
    assert len(models.list_models(con, TRAFFORD)) == 1
    hoods = con.execute(
        "SELECT count(DISTINCT neighbourhood_name) FROM neighbourhood_models WHERE model_id = ?",
        [model_id],
    ).fetchall()
    assert hoods == [(2,)]
    assert save_model(con, second, STEWARD) == model_id  # a steward may; the owner stays
    assert models.list_models(con, TRAFFORD).owner_email.tolist() == [OWNER.email]
    assert save_model(con, first, OWNER) == model_id  # and so may the owner
    models.delete_model(con, model_id, user=STEWARD)
    assert models.list_models(con, TRAFFORD).empty
    other_id = save_model(con, first, OTHER, name="Theirs")
    models.delete_model(con, other_id, user=OTHER)  # owners delete their own
    assert models.list_models(con, TRAFFORD).empty


def test_only_the_owner_or_a_steward_may_replace_or_delete_a_dataset(con) -> None:
    first, second = service_file(con, "2025-01"), service_file(con, "2025-02", seed=3)
    dataset_id = save_dataset(con, first, OWNER)
    entries = len(log(con))
    for replace in (False, True):  # a same-named upload is refused, asked to replace or not
        with pytest.raises(PermissionError, match="belongs to Olu Owner"):
            save_dataset(con, second, OTHER, replace=replace)
    with pytest.raises(PermissionError):
        datasets.delete_dataset(con, dataset_id, user=OTHER)
    assert len(log(con)) == entries
    assert datasets.list_datasets(con, TRAFFORD).last_period.tolist() == ["2025-01"]
    with pytest.raises(DataFileError, match="already exists"):  # the owner must ask to replace
        save_dataset(con, second, OWNER)
    assert save_dataset(con, second, STEWARD, replace=True) == dataset_id
    listed = datasets.list_datasets(con, TRAFFORD)
    assert listed.last_period.tolist() == ["2025-02"]
    assert listed.owner_email.tolist() == [OWNER.email]  # replaced for the owner, still theirs
    datasets.delete_dataset(con, dataset_id, user=OWNER)
    assert datasets.list_datasets(con, TRAFFORD).empty


# ---------------------------------------------------------------- the audit log


def test_every_upload_replacement_and_deletion_is_recorded_with_hash_and_rows(con) -> None:
    first, second = model_file(con, 2), model_file(con, 4)
    data1, data2 = service_file(con, "2025-01"), service_file(con, "2025-02", seed=3)
    started = utc_now() - timedelta(seconds=1)
    model_id = save_model(con, first, OWNER)
    save_model(con, second, STEWARD)
    dataset_id = save_dataset(con, data1, OTHER)
    save_dataset(con, data2, OTHER, replace=True)
    datasets.delete_dataset(con, dataset_id, user=STEWARD)
    models.delete_model(con, model_id, user=OWNER)
    got = log(con)
    expected = [
        (OWNER, audit.UPLOAD, audit.MODEL, model_id, first),
        (STEWARD, audit.REPLACE, audit.MODEL, model_id, second),
        (OTHER, audit.UPLOAD, audit.DATASET, dataset_id, data1),
        (OTHER, audit.REPLACE, audit.DATASET, dataset_id, data2),
        (STEWARD, audit.DELETE, audit.DATASET, dataset_id, None),
        (OWNER, audit.DELETE, audit.MODEL, model_id, None),
    ]
    assert len(got) == len(expected)
    for row, (user, action, kind, object_id, data) in zip(got.itertuples(), expected, strict=True):
        assert (row.actor_email, row.actor_role, row.actor_organisation) == (
            user.email,
            user.role,
            user.organisation,
        )
        assert (row.action, row.object_kind, row.object_id, row.lad_code) == (
            action,
            kind,
            object_id,
            TRAFFORD,
        )
        assert started <= row.at_utc <= utc_now()
        if data is not None:
            assert row.sha256 == hashlib.sha256(data).hexdigest()
            assert row.row_count == data_rows(data)
        else:
            assert row.sha256 is None or pd.isna(row.sha256)
    assert got.object_name.tolist() == ["Halves"] * 2 + ["Clinic"] * 3 + ["Halves"]
    assert got.iloc[4].row_count == data_rows(data2)  # a deletion says how many rows went


class _FailingValues:
    """The connection, except that inserting values fails part-way through a save (after
    the deletes and the other inserts of the same transaction)."""

    def __init__(self, con):
        self._con = con

    def execute(self, sql: str, *args):
        if sql.startswith("INSERT INTO usr.user_indicator_values"):
            raise RuntimeError("disk full")
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def test_an_entry_is_written_in_the_same_transaction_as_its_change(con) -> None:
    with pytest.raises(RuntimeError):
        save_model(_FailingValues(con), model_file(con), OWNER)
    with pytest.raises(RuntimeError):
        save_dataset(_FailingValues(con), service_file(con), OWNER)
    assert log(con).empty  # no change, no entry
    assert models.list_models(con, TRAFFORD).empty
    assert datasets.list_datasets(con, TRAFFORD).empty


class _Recorder:
    """The connection, keeping every statement it runs."""

    def __init__(self, con):
        self._con, self.statements = con, []

    def execute(self, sql: str, *args):
        self.statements.append(sql)
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


_CHANGES_LOG = re.compile(
    r"\b(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE|ALTER\s+TABLE|INSERT\s+OR\s+REPLACE\s+INTO)"
    r"\s+(usr\.)?user_audit_log\b",
    re.IGNORECASE,
)


def test_no_statement_of_the_app_updates_or_deletes_audit_entries(con, monkeypatch) -> None:
    # Everything that writes, run through a connection that keeps its statements.
    recorder = _Recorder(con)
    model_id = save_model(recorder, model_file(con), OWNER)
    save_model(recorder, model_file(con, 3), STEWARD)
    dataset_id = save_dataset(recorder, service_file(con), OWNER)
    save_dataset(recorder, service_file(con, "2025-02"), OWNER, replace=True)
    monkeypatch.setenv(disclosure.ENV_VAR, "9")
    refresh.apply_policy(recorder)
    datasets.record_download(recorder, OTHER, "x.csv", 10, ("user_x",))
    datasets.delete_dataset(recorder, dataset_id, user=OWNER)
    models.delete_model(recorder, model_id, user=STEWARD)
    refresh.refresh_stale_models(recorder)
    duckdb_store.install(recorder)  # migrations run again on every start
    written = [s for s in recorder.statements if "user_audit_log" in s]
    assert written and all(s.lstrip().startswith(("INSERT INTO", "SELECT")) for s in written)
    assert not any(_CHANGES_LOG.search(s) for s in recorder.statements)
    assert "user_audit_log" not in duckdb_store.MODEL_TABLES + duckdb_store.DATASET_TABLES
    # and no source file of the app holds such a statement either
    for path in [*PROJECT_DIR.joinpath("outcomes").rglob("*.py"), *PROJECT_DIR.glob("pages/*.py")]:
        assert not _CHANGES_LOG.search(path.read_text(encoding="utf-8")), path
    assert len(log(con)) == 8  # 2 models, 2 datasets, a policy change, a download, 2 deletes


def test_the_log_survives_closing_and_reopening_the_database(real_db, tmp_path) -> None:
    user_db = tmp_path / "user.duckdb"
    base = db.open_database(real_db, user_db)
    cur = db.cursor(base)
    model_id = save_model(cur, model_file(cur), OWNER)
    models.delete_model(cur, model_id, user=OWNER)
    before = log(cur)
    base.close()
    again = db.open_database(real_db, user_db)  # a restart: migrations find nothing to do
    try:
        after = log(db.cursor(again))
        pd.testing.assert_frame_equal(before, after)
        assert after.action.tolist() == [audit.UPLOAD, audit.DELETE]
        versions = again.execute("SELECT version FROM usr.user_schema_version ORDER BY 1")
        assert [v for (v,) in versions.fetchall()] == [m[0] for m in duckdb_store.MIGRATIONS]
    finally:
        again.close()


def test_an_older_user_database_is_migrated_once_and_owned_by_local(real_db, tmp_path) -> None:
    user_db = tmp_path / "old.duckdb"
    old = duckdb.connect()
    old.execute(f"ATTACH '{real_db}' AS pub (READ_ONLY)")
    old.execute(f"ATTACH '{user_db}' AS usr")
    old.execute(duckdb_store.USER_SCHEMA)  # the schema before owners and the log
    old.execute(
        "INSERT INTO usr.user_models VALUES ('E08000009_user_old', 'Old', 'E08000009', "
        "'old.csv', now()::TIMESTAMP, 'b')"
    )
    old.execute("INSERT INTO usr.user_settings VALUES ('suppress_below', '1')")
    old.close()
    base = db.open_database(real_db, user_db)
    try:
        cur = db.cursor(base)
        listed = models.list_models(cur, TRAFFORD)
        assert listed[["owner_email", "owner_name"]].values.tolist() == [["local", "local"]]
        assert cur.execute("SELECT * FROM usr.user_settings").fetchall() == []
        assert log(cur).empty
        assert duckdb_store.migrate(cur) == []  # nothing left to apply
        # the local user owns it, so may delete it; nobody else but a steward may
        with pytest.raises(PermissionError):
            models.delete_model(cur, "E08000009_user_old", user=OWNER)
        models.delete_model(cur, "E08000009_user_old", user=identity.local_user())
        assert log(cur).actor_email.tolist() == [identity.LOCAL_EMAIL]
    finally:
        base.close()


def test_the_log_filters_and_downloads_formula_safe() -> None:
    when = datetime(2025, 3, 1, 12)
    entries = [  # synthetic
        audit.entry(OWNER, audit.UPLOAD, audit.MODEL, "m", "=HYPERLINK(1)", at_utc=when),
        audit.entry(OTHER, audit.DOWNLOAD, audit.TABLE, "t.csv", "t.csv", at_utc=when),
        audit.entry(
            STEWARD, audit.DELETE, audit.MODEL, "m", "+cmd|x", at_utc=when + timedelta(days=3)
        ),
    ]
    frame = pd.DataFrame([e.row() for e in entries])
    assert len(audit.filtered(frame)) == 3
    assert audit.filtered(frame, actions=[audit.DELETE]).actor_email.tolist() == [STEWARD.email]
    assert audit.filtered(frame, actor="OLA").actor_email.tolist() == [OTHER.email]
    assert len(audit.filtered(frame, start=date(2025, 3, 2))) == 1
    assert len(audit.filtered(frame, end=date(2025, 3, 1))) == 2
    shown = audit.for_display(frame)
    assert shown.columns[0] == "When (UTC)" and shown.iloc[0]["Who"] == STEWARD.email
    downloaded = pd.read_csv(io.BytesIO(export.to_csv_bytes(shown)), dtype=str)
    assert set(downloaded["Name"]) == {"'=HYPERLINK(1)", "t.csv", "'+cmd|x"}
    with pytest.raises(ValueError):
        audit.entry(OWNER, "tamper", audit.MODEL, "m")


def test_a_download_of_partner_data_is_recorded_by_its_button(con, monkeypatch) -> None:
    dataset_id = save_dataset(con, service_file(con), OWNER)
    values = datasets.dataset_values(con, dataset_id)
    pressed: dict[str, dict] = {}
    monkeypatch.setattr(ui, "cursor", lambda: con)
    monkeypatch.setattr(ui.signin, "current_user", lambda: OTHER)
    monkeypatch.setattr(
        ui.st, "download_button", lambda label, data, **kw: pressed.update({kw["key"]: kw})
    )
    ui.download_csv(values, "clinic_values.csv")
    ui.download_csv(pd.DataFrame({"indicator_id": ["imd_score"], "value": [1.0]}), "imd.csv")
    assert pressed["dl-imd.csv"]["on_click"] == "rerun"  # public data: nothing to record
    button = pressed["dl-clinic_values.csv"]
    before = len(log(con))
    button["on_click"](*button["args"])  # what Streamlit does when it is pressed
    entry = log(con).iloc[before:]
    assert len(entry) == 1
    entry = entry.iloc[0]
    assert (entry.actor_email, entry.action, entry.object_kind, entry.object_name) == (
        OTHER.email,
        audit.DOWNLOAD,
        audit.TABLE,
        "clinic_values.csv",
    )
    assert entry.row_count == len(values)
    indicators = datasets.dataset_indicators(con, dataset_id).indicator_id
    assert all(i in entry.detail for i in indicators)


# ---------------------------------------------------------------- policy from configuration


def test_the_threshold_comes_from_configuration_only(no_configuration, monkeypatch) -> None:
    assert disclosure.threshold() == 5
    no_configuration.write_text("[disclosure]\nsuppress_below = 7\n", encoding="utf-8")
    assert disclosure.threshold() == 7
    assert refresh.configured_policy().source.startswith("[disclosure]")
    monkeypatch.setenv(disclosure.ENV_VAR, "11")  # the environment wins over the file
    assert disclosure.threshold() == 11
    monkeypatch.delenv(disclosure.ENV_VAR)
    no_configuration.write_text("[disclosure]\nsuppress_below = 0\n", encoding="utf-8")
    in_force = refresh.configured_policy()
    assert in_force.threshold == 5 and "suppress_below" in in_force.warnings[0]
    no_configuration.write_text("[disclosure\n", encoding="utf-8")
    in_force = refresh.configured_policy()
    assert in_force.threshold == 5 and "could not be read" in in_force.warnings[0]


def test_a_policy_change_reaggregates_once_and_is_recorded_once(
    con, monkeypatch, no_configuration
) -> None:
    dataset_id = save_dataset(con, service_file(con), OWNER)
    refresh.apply_policy(con)  # the policy in force is noted (from nothing)
    first = log(con)
    assert first.action.tolist()[-1] == audit.POLICY_CHANGE
    assert refresh.apply_policy(con) == 0
    assert len(log(con)) == len(first)  # unchanged policy: nothing more
    no_configuration.write_text("[disclosure]\nsuppress_below = 30\n", encoding="utf-8")
    assert refresh.apply_policy(con) == 1  # the dataset is re-aggregated
    assert refresh.apply_policy(con) == 0  # once
    changes = log(con).iloc[len(first) :]
    assert len(changes) == 1
    change = changes.iloc[0]
    assert (change.action, change.actor_email, change.object_kind) == (
        audit.POLICY_CHANGE,
        "configuration",
        audit.POLICY,
    )
    assert '"suppress_below": 5' in change.detail and '"suppress_below": 30' in change.detail
    values = datasets.dataset_values(con, dataset_id)
    shown = values[~values.suppressed]
    assert len(shown) and (shown.numerator >= 30).all()


# ---------------------------------------------------------------- the pages


@pytest.fixture
def app(real_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app on the real build with a fresh user database, through the router."""
    monkeypatch.setattr(db, "PUBLIC_DB", real_db)
    monkeypatch.setattr(db, "USER_DB", tmp_path / "user" / "user_data.duckdb")
    route_pages_through_the_router(monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield tmp_path
    st.cache_data.clear()
    st.cache_resource.clear()


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def app_cursor():
    return db.cursor(ui.base_connection())  # the app's own connection (one per process)


@pytest.mark.slow
def test_deleting_a_dataset_needs_a_confirmation_that_names_it(app) -> None:
    save_dataset(app_cursor(), service_file(app_cursor()), identity.local_user(), "Clinic *A*")
    at = open_page("partner_data")
    assert not [n for n in at.number_input if "Suppress" in n.label]  # no policy widget
    assert any("counts below 5 are protected" in m.value for m in at.markdown)
    assert at.button(key="data_delete").disabled  # step one not taken: it cannot be pressed
    assert len(datasets.list_datasets(app_cursor(), TRAFFORD)) == 1
    box = next(c for c in at.checkbox if (c.key or "").startswith("data_delete_sure:"))
    assert "Clinic \\*A\\*" in box.label  # names the dataset, as text
    box.check()
    at.run()
    assert not at.button(key="data_delete").disabled
    at.button(key="data_delete").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert datasets.list_datasets(app_cursor(), TRAFFORD).empty
    entry = log(app_cursor()).iloc[-1]
    assert (entry.action, entry.actor_email) == (audit.DELETE, identity.LOCAL_EMAIL)


@pytest.mark.slow
def test_deleting_a_model_needs_a_confirmation_and_lists_show_owners(app) -> None:
    model_id = save_model(app_cursor(), model_file(app_cursor()), identity.local_user())
    at = open_page("neighbourhoods")
    listed = at.dataframe[0].value.set_index("model_id")
    assert listed.loc[model_id, "Owner"] == identity.LOCAL_EMAIL
    assert set(listed.drop(index=model_id)["Owner"]) == {"published"}
    assert at.button(key="model_delete").disabled
    next(c for c in at.checkbox if c.key == f"model_delete_sure:{model_id}").check()
    at.run()
    at.button(key="model_delete").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert models.list_models(app_cursor(), TRAFFORD).empty


@pytest.mark.slow
def test_stewards_see_the_audit_log_and_analysts_do_not(app, monkeypatch) -> None:
    save_model(app_cursor(), model_file(app_cursor()), OWNER)
    at = open_page("audit")  # local mode: an analyst
    assert not at.dataframe
    assert any("steward" in i.value for i in at.info)
    monkeypatch.setenv("OUTCOMES_LOCAL_ROLE", "steward")
    at = open_page("audit")
    shown = at.dataframe[0].value
    assert shown["Who"].tolist()[0] == OWNER.email  # newest first
    assert set(shown["Action"]) == {audit.UPLOAD, audit.POLICY_CHANGE}
    at.multiselect(key="audit_actions").select(audit.UPLOAD).run()
    assert at.dataframe[0].value["Action"].tolist() == [audit.UPLOAD]
    at.text_input(key="audit_actor").input("nobody@").run()
    assert at.dataframe[0].value.empty
