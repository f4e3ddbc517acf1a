"""Re-aggregation of the user's data after a change it depends on.

Stored values are derived: a model's from the public build; a dataset's from the public build,
the borough's uploaded models (its values are given for every model) and the suppression
threshold. Each keeps a note of what it was made from; whatever is out of date is redone,
lazily (when the app opens its connection) or straight after the change (a model saved or
deleted, the threshold set). Each redo is one transaction: old values stay until new ones
replace them.
"""

from __future__ import annotations

import duckdb

from outcomes.uploads import aggregation, disclosure, storage

VERSION = "1"  # bump when aggregation changes, so stored values are re-aggregated


def public_build(con: duckdb.DuckDBPyConnection) -> str:
    """When the public database was built: what a model's values were made from."""
    return con.execute("SELECT built_at FROM pub.build_info").fetchall()[0][0]


def dataset_state(con: duckdb.DuckDBPyConnection, lad_code: str, limit: int) -> str:
    """What a dataset's values depend on besides its own rows: the public build, the
    borough's uploaded models and the threshold. A change means re-aggregation."""
    models = storage.store_for(con).list_models(lad_code)
    uploaded = zip(models["model_id"], models["uploaded_at"], strict=True)
    return f"v{VERSION}|{public_build(con)}|{limit}|" + ",".join(f"{m}@{t}" for m, t in uploaded)


def refresh_stale(con: duckdb.DuckDBPyConnection) -> int:
    """Re-aggregate and re-suppress datasets whose inputs changed; return how many."""
    store = storage.store_for(con)
    limit = disclosure.threshold(con)
    datasets = store.list_datasets().sort_values("dataset_id", kind="stable")
    states: dict[str, str] = {}
    done = 0
    for meta in datasets.to_dict("records"):
        lad = meta["lad_code"]
        if lad not in states:
            states[lad] = dataset_state(con, lad, limit)
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
    refresh_stale(con)
    return len(stale)


def set_threshold(con: duckdb.DuckDBPyConnection, value: int) -> int:
    """Store a new threshold and re-suppress every dataset; return how many were redone."""
    value = disclosure.check_threshold(value)
    storage.store_for(con).set_setting(storage.THRESHOLD_SETTING, str(value))
    return refresh_stale(con)
