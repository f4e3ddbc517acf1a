"""Re-aggregation of the user's data after a change it depends on.

Stored values are derived: a model's from the public build; a dataset's from the public build,
the borough's uploaded models (its values are given for every model) and the disclosure
policy. Each keeps a note of what it was made from; whatever is out of date is redone,
lazily (when the app opens its connection, or the Your data page finds the configured policy
changed) or straight after the change (a model saved or deleted). Each redo is one
transaction: old values stay until new ones replace them.

The disclosure policy comes from configuration only (`policy`, `disclosure.threshold`). The
policy the stored values were made with is kept as a setting; when the configuration differs,
`apply_policy` re-aggregates once and records a `policy_change` in the audit log, made by
"configuration".
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import duckdb

from outcomes.uploads import aggregation, audit, disclosure, policy, storage

VERSION = "2"  # bump when aggregation changes, so stored values are re-aggregated
POLICY_SETTING = "disclosure_policy"


@dataclass(frozen=True)
class Policy:
    """The disclosure policy in force: the threshold, any other configured `[disclosure]`
    settings, where the threshold came from, and problems with the configuration."""

    threshold: int
    source: str
    settings: dict[str, object] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The policy as stable text: what stored values note they were made with."""
        return json.dumps(
            {**self.settings, "suppress_below": self.threshold}, sort_keys=True, default=str
        )


def configured_policy() -> Policy:
    """The policy the configuration sets now (`disclosure.policy`: the method and its
    parameters), where its threshold comes from, and any problem reading it."""
    settings, problems = policy.settings()
    in_force = disclosure.policy()
    if os.environ.get(disclosure.ENV_VAR, "").strip():
        source = f"environment variable {disclosure.ENV_VAR}"
    elif "suppress_below" in settings:
        source = f"[{policy.SECTION}] in .streamlit/secrets.toml"
    else:
        source = "the default"
    others = {k: v for k, v in in_force.as_dict().items() if k != "suppress_below"}
    warnings = (*problems, *in_force.warnings)
    return Policy(in_force.threshold, source, others, tuple(warnings))


def public_build(con: duckdb.DuckDBPyConnection) -> str:
    """When the public database was built: what a model's values were made from."""
    return con.execute("SELECT built_at FROM pub.build_info").fetchall()[0][0]


def dataset_state(con: duckdb.DuckDBPyConnection, lad_code: str, in_force: Policy) -> str:
    """What a dataset's values depend on besides its own rows: the public build, the
    borough's uploaded models and the disclosure policy. A change means re-aggregation."""
    models = storage.store_for(con).list_models(lad_code)
    uploaded = zip(models["model_id"], models["uploaded_at"], strict=True)
    return f"v{VERSION}|{public_build(con)}|{in_force.key}|" + ",".join(
        f"{m}@{t}" for m, t in uploaded
    )


def refresh_stale(con: duckdb.DuckDBPyConnection, in_force: Policy | None = None) -> int:
    """Re-aggregate and re-suppress datasets whose inputs changed (under the policy in force,
    the configured one unless given); return how many."""
    store = storage.store_for(con)
    in_force = in_force or configured_policy()
    limit = in_force.threshold
    datasets = store.list_datasets().sort_values("dataset_id", kind="stable")
    states: dict[str, str] = {}
    done = 0
    for meta in datasets.to_dict("records"):
        lad = meta["lad_code"]
        if lad not in states:
            states[lad] = dataset_state(con, lad, in_force)
        if meta["aggregated_state"] == states[lad]:
            continue
        rows, areas = store.dataset_inputs(meta["dataset_id"])
        catalogue, values = aggregation.materialise(con, meta, rows, areas, limit)
        store.replace_dataset_values(meta["dataset_id"], catalogue, values, states[lad])
        done += 1
    return done


def refresh_stale_models(con: duckdb.DuckDBPyConnection) -> int:
    """Re-aggregate user models built against an older public database, then the datasets
    given for them; return how many models were redone."""
    store = storage.store_for(con)
    build = public_build(con)
    models = store.list_models()
    stale = models.loc[models["aggregated_for_build"] != build, "model_id"].tolist()
    for model_id in stale:
        store.reaggregate_model(model_id, build)
    apply_policy(con)
    return len(stale)


def reaggregate_once(con: duckdb.DuckDBPyConnection) -> int:
    """Re-aggregate the user's models (and the datasets given for them) against the public
    build the connection serves, once among every process sharing the store: the first to
    claim the build does it, the others find it done (or being done). Return how many models
    this process redid. Called when a process opens or switches to a public snapshot."""
    if not storage.store_for(con).claim_reaggregation(public_build(con)):
        return 0
    return refresh_stale_models(con)


def apply_policy(con: duckdb.DuckDBPyConnection) -> int:
    """Bring stored values up to date with the configured disclosure policy; when it differs
    from the one recorded, record the change (with the policy setting, in one transaction).
    Return how many datasets were re-aggregated."""
    in_force = configured_policy()
    redone = refresh_stale(con, in_force)
    store = storage.store_for(con)
    before = store.get_setting(POLICY_SETTING)
    if before == in_force.key:
        return redone
    entry = audit.entry(
        audit.CONFIGURATION,
        audit.POLICY_CHANGE,
        audit.POLICY,
        "disclosure",
        "Disclosure policy",
        detail=f"{before or 'none recorded'} -> {in_force.key} (from {in_force.source}); "
        f"{redone} dataset(s) re-aggregated",
    )
    # Checked again inside the store's transaction: of two sessions noticing the same
    # change at the same moment, one records it.
    store.change_setting(POLICY_SETTING, in_force.key, entry)
    return redone
