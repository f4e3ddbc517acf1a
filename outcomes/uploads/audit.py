"""The audit log: who changed or took what, when, from which file.

An information governance officer must be able to answer "who uploaded, replaced or deleted
this, who changed the disclosure policy, who downloaded tables made from partner data" long
after the fact. Every such action is one `Entry`, appended by the store to `user_audit_log`
in the same transaction as the change it records (so a change never happens unrecorded, and
a failed change leaves no entry). Entries are never updated or deleted: no statement of the
store does either.

This module is plain: entries from an `identity.User`, the log filtered, and the log as
shown and downloaded. The store (`duckdb_store`) writes and reads it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

import pandas as pd

from outcomes.identity import User, can, may_change

UPLOAD, REPLACE, DELETE = "upload", "replace", "delete"
POLICY_CHANGE, DOWNLOAD = "policy_change", "download"
SETTING_CHANGE = "setting_change"  # a shared setting, e.g. a borough's headline indicators
STORE_MOVE = "store_move"  # the whole store copied from a DuckDB file into PostgreSQL
ACTIONS = (UPLOAD, REPLACE, DELETE, POLICY_CHANGE, DOWNLOAD, SETTING_CHANGE, STORE_MOVE)
MODEL, DATASET, POLICY, TABLE = "model", "dataset", "policy", "table"
SETTING, STORE = "setting", "store"
# A change made by configuration (the disclosure policy), not by a person in the app.
# Its role is a label only (never passed to `identity.can`).
CONFIGURATION = User(
    email="configuration", name="Configuration", organisation="", role="configuration"
)
COLUMNS = (
    "entry_id", "at_utc", "actor_email", "actor_name", "actor_role", "actor_organisation",
    "action", "object_kind", "object_id", "object_name", "lad_code", "sha256", "row_count",
    "detail",
)  # fmt: skip
SHOWN = {
    "at_utc": "When (UTC)", "actor_email": "Who", "actor_role": "Role",
    "actor_organisation": "Organisation", "action": "Action", "object_kind": "Kind",
    "object_name": "Name", "object_id": "Id", "row_count": "Rows", "sha256": "File SHA-256",
    "detail": "Detail",
}  # fmt: skip


def _now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Entry:
    """One line of the audit log (`at_utc` is naive UTC: the store keeps no time zones)."""

    actor_email: str
    actor_name: str
    actor_role: str
    actor_organisation: str
    action: str
    object_kind: str
    object_id: str
    object_name: str = ""
    lad_code: str = ""
    sha256: str | None = None
    row_count: int | None = None
    detail: str = ""
    at_utc: datetime = field(default_factory=_now_utc)
    entry_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def row(self) -> dict[str, object]:
        """The entry as the store's columns."""
        return {column: asdict(self)[column] for column in COLUMNS}


def sha256(data: bytes) -> str:
    """The SHA-256 of a file's bytes (hex): which file it was, without keeping the file."""
    return hashlib.sha256(data).hexdigest()


def entry(
    user: User, action: str, kind: str, object_id: str, object_name: str = "", **more: object
) -> Entry:
    """An entry of `user` doing `action` to one object (more: lad_code, sha256, row_count,
    detail)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    return Entry(
        actor_email=user.email,
        actor_name=user.name,
        actor_role=user.role,
        actor_organisation=user.organisation,
        action=action,
        object_kind=kind,
        object_id=object_id,
        object_name=object_name,
        **more,  # type: ignore[arg-type]
    )


def filtered(
    log: pd.DataFrame,
    *,
    actions: list[str] | None = None,
    actor: str = "",
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """The log's entries of some actions, of actors whose email or name contains `actor`
    (any case), from `start` to `end` inclusive (UTC dates)."""
    keep = pd.Series(True, index=log.index)
    if actions:
        keep &= log["action"].isin(actions)
    if actor.strip():
        needle = actor.strip().casefold()
        who = log["actor_email"].fillna("") + " " + log["actor_name"].fillna("")
        keep &= who.str.casefold().str.contains(needle, regex=False)
    day = pd.to_datetime(log["at_utc"]).dt.date
    if start is not None:
        keep &= day >= start
    if end is not None:
        keep &= day <= end
    return log[keep]


def for_display(log: pd.DataFrame) -> pd.DataFrame:
    """The log's columns as the page shows them, newest first."""
    return log.sort_values("at_utc", ascending=False)[list(SHOWN)].rename(columns=SHOWN)


def require_upload(user: User) -> None:
    """PermissionError unless `user` may upload (analysts and above)."""
    if not can(user, "upload"):
        raise PermissionError(
            f"{user.label or 'This user'} may not upload: that needs the analyst role or above"
        )


def require_may_change(user: User, what: str, owner_email: str, owner_name: str = "") -> None:
    """PermissionError unless `user` may replace or delete `what` (e.g. "the model 'North'"),
    owned by `owner_email`: only its owner or a data steward may."""
    if not may_change(user, owner_email):
        owner = f"{owner_name} <{owner_email}>" if owner_name else owner_email
        raise PermissionError(
            f"{what} belongs to {owner}: only its owner or a data steward may change it"
        )
