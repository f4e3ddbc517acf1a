"""How the build stores each model (transforms/storage.py): published tables, temporary tables
and views, and when each temporary one is dropped. Models here are synthetic (a made-up graph)
except in the last test, which reads the real models."""

from __future__ import annotations

from pathlib import Path

from transforms import graph, run, storage
from transforms.contracts import CONTRACTS
from transforms.sources import RAW_FILES


def _model(name: str, layer: str, sql: str) -> graph.Model:
    return graph.Model(name, layer, Path(f"{layer}/{name}.sql"), sql)


# synthetic: a raw table read by a staging model, read twice by one intermediate model, read
# once by another, read once by a mart; a second intermediate model is read by a contract.
MODELS = [
    _model("stg_a", "staging", "select * from raw_x"),
    _model("int_b", "intermediate", "select * from stg_a union all select * from stg_a"),
    _model("int_c", "intermediate", "select * from int_b -- not int_b again: a comment"),
    _model("int_checked", "intermediate", "select * from raw_x"),
    _model("mart_d", "marts", "select * from int_c join int_checked using (k)"),
]
CONTRACT = ["select k from int_checked where k is null"]


def test_each_model_is_a_table_a_temporary_table_or_a_view() -> None:
    plan = storage.plan(MODELS, {"raw_x"}, CONTRACT)
    assert plan.kinds == {
        "stg_a": storage.TEMP_TABLE,  # named twice by its reader: computed once, kept in memory
        "int_b": storage.TEMP_VIEW,  # named once, by one model: computed by that model
        "int_c": storage.TEMP_VIEW,
        "int_checked": storage.TEMP_TABLE,  # a contract reads it after the models
        "mart_d": storage.TABLE,  # published: written to the database file
    }
    assert plan.kind("raw_x") == storage.TEMP_TABLE


def test_temporary_tables_and_views_are_dropped_after_their_last_reader() -> None:
    plan = storage.plan(MODELS, {"raw_x"}, CONTRACT)
    # int_b and int_c are views: mart_d computes them, and so reads stg_a too.
    assert plan.drop_statements("mart_d") == [
        "DROP VIEW int_b",
        "DROP VIEW int_c",
        "DROP TABLE stg_a",
    ]
    # raw_x is read last by int_checked; int_checked stays for the contract.
    assert plan.drop_statements("int_checked") == ["DROP TABLE raw_x"]
    assert all(plan.drop_statements(m.name) == [] for m in MODELS[:3])


def test_keeping_intermediate_tables_writes_every_model_and_drops_nothing() -> None:
    plan = storage.plan(MODELS, {"raw_x"}, CONTRACT, keep_intermediate=True)
    assert set(plan.kinds.values()) == {storage.TABLE}
    assert all(plan.drop_statements(m.name) == [] for m in MODELS)


def test_the_real_build_publishes_only_the_marts_and_computes_area_sums_in_place() -> None:
    tables = {raw.table for raw in RAW_FILES} | run.SEED_TABLES
    ordered = graph.build_order(tables)
    plan = storage.plan(ordered, tables, [sql for _, sql in CONTRACTS])
    published = {name for name, kind in plan.kinds.items() if kind == storage.TABLE}
    assert published == {m.name for m in ordered if m.layer == "marts"}
    # read once, by indicator_values: never written (they were 6.4 and 1.8 million rows)
    assert plan.kind("int_area_sums") == storage.TEMP_VIEW
    assert plan.kind("int_neighbourhood_sums") == storage.TEMP_VIEW
    # read by several models and by contracts: computed once
    assert plan.kind("int_lsoa21_indicator_inputs") == storage.TEMP_TABLE
    assert plan.kind("int_native_indicator_inputs") == storage.TEMP_TABLE
    dropped = [s.split()[-1] for m in ordered for s in plan.drop_statements(m.name)]
    assert len(dropped) == len(set(dropped))  # each dropped once
    assert "int_lsoa21_indicator_inputs" not in dropped  # the contracts read it last
    assert set(dropped) <= (tables - run.SEED_TABLES) | {m.name for m in ordered}
