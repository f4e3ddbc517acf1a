"""Where the council's own data is kept: a small interface, so the rest of the package never
writes SQL for the user tables and another backend can stand behind it.

`UserStore` is everything the upload code asks of the store. Every change is atomic: it is
made whole or not at all, together with its audit entry (`audit.Entry`) where it has one: a
change is never made unrecorded, and the audit log is only ever appended to. `store_for`
gives the store of a connection: the DuckDB user database attached to the app's connection
(`duckdb_store`, the default), or, when `OUTCOMES_STORE_URL` names a PostgreSQL database, the
store shared by every copy of the app, mirrored into the connection (`postgres_store`).
"""

from __future__ import annotations

from typing import Protocol

import duckdb
import pandas as pd

from outcomes.uploads import postgres_store
from outcomes.uploads.audit import Entry
from outcomes.uploads.duckdb_store import DuckDBStore
from outcomes.uploads.postgres_store import PostgresStore


class UserStore(Protocol):
    """The user's models, datasets, their indicators and values, and settings."""

    # settings
    def get_setting(self, key: str) -> str | None:
        """A stored setting, or None."""

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting (replacing its value)."""

    def setdefault_setting(self, key: str, value: str) -> str:
        """Store a setting unless it has a value already; return the value stored. Of several
        processes doing this at once, the first one's value is everyone's."""

    def change_setting(self, key: str, value: str, audit: Entry) -> bool:
        """Store a setting with the audit entry recording the change, unless it has that
        value already (then nothing is written); return whether it changed."""

    # the audit log
    def append_audit(self, entry: Entry) -> None:
        """Append one entry to the audit log (for actions that change nothing stored)."""

    def audit_log(self) -> pd.DataFrame:
        """Every audit entry (`audit.COLUMNS`), oldest first."""

    # neighbourhood models
    def save_model(
        self,
        membership: pd.DataFrame,
        *,
        source_file: str,
        build: str,
        owner: dict[str, str],
        audit: Entry,
    ) -> None:
        """Store one model (membership rows: model_id, model_name, lad_code,
        neighbourhood_code, neighbourhood_name, lsoa21_code), its owner (owner_email,
        owner_name, organisation) and its indicator values for the public build `build`,
        replacing a model of the same id."""

    def get_model(self, model_id: str) -> dict | None:
        """An uploaded model's stored description (with its owner), or None."""

    def delete_model(self, model_id: str, audit: Entry) -> None:
        """Remove an uploaded model with its values (only the entry for any other id)."""

    def list_models(self, lad_code: str | None = None) -> pd.DataFrame:
        """Uploaded models (of one borough, or all), by id: model_id, model_name, lad_code,
        source_file, uploaded_at, aggregated_for_build, owner_email, owner_name,
        organisation."""

    def reaggregate_model(self, model_id: str, build: str) -> None:
        """Replace a model's indicator values with those of the public build `build`."""

    def claim_reaggregation(self, build: str) -> bool:
        """Claim the re-aggregation of the user data against public build `build`: True for
        exactly one caller per build among every process sharing the store (it then
        re-aggregates, e.g. `refresh.refresh_stale_models`), False for the others. A claim
        not followed within ten minutes (its claimer died) may be granted again."""

    # partner datasets
    def get_dataset(self, dataset_id: str) -> dict | None:
        """A dataset's stored description, or None."""

    def list_datasets(self, lad_code: str | None = None) -> pd.DataFrame:
        """Datasets (of one borough, or all), newest first, with their first and last period,
        number of periods and of indicators."""

    def dataset_inputs(self, dataset_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """A dataset's rows (by row number) and its areas' links to LSOAs 2021."""

    def save_dataset(
        self,
        meta: dict,
        rows: pd.DataFrame,
        areas: pd.DataFrame,
        catalogue: pd.DataFrame,
        values: pd.DataFrame,
        audit: Entry,
    ) -> None:
        """Store a dataset (its description `meta` names its owner) with its rows, areas,
        catalogue rows and values, replacing one of the same id."""

    def replace_dataset_values(
        self, dataset_id: str, catalogue: pd.DataFrame, values: pd.DataFrame, state: str
    ) -> None:
        """Replace a dataset's catalogue rows and values, noting what they were made from."""

    def delete_dataset(self, dataset_id: str, audit: Entry) -> None:
        """Remove a dataset with its rows, indicators and values."""

    def dataset_indicators(self, dataset_id: str) -> pd.DataFrame:
        """The catalogue rows of a dataset's indicators."""

    def dataset_values(
        self, dataset_id: str, model_id: str | None = None, *, lsoas: bool = True
    ) -> pd.DataFrame:
        """A dataset's stored values for the borough, one model's neighbourhoods (every
        model's if None) and, optionally, LSOAs, with the indicator's name."""


def store_for(con: duckdb.DuckDBPyConnection) -> UserStore:
    """The user store behind an app connection or cursor (`outcomes.db`)."""
    mirror = postgres_store.mirror_of(con)
    if mirror is not None:
        return PostgresStore(con, mirror[0])
    return DuckDBStore(con)


def sync(con: duckdb.DuckDBPyConnection) -> bool:
    """Bring this process's view of a shared store up to date (checked at most about once a
    second); return True when it changed, so cached query results must be dropped. Always
    False for the embedded store, which only this process writes."""
    return postgres_store.configured() is not None and postgres_store.sync(con)
