"""Disclosure control against everything ever published (outcomes/uploads/disclosure.py,
aggregation.py), on the full real build: real boroughs, LSOAs and shipped models; every count
is synthetic (made-up numbers from fixed seeds, labelled where they are made).

(a) The differencing attack of issue 9: upload a model whose neighbourhood is a shipped MSOA
    minus one LSOA, record what is published, delete it, upload it again; subtract. Under
    suppression alone this recovered small counts exactly; now it gives the count plus the
    difference of two or more perturbations, never one value for certain.
(b) Properties over random models (random partitions of a borough's LSOAs) and random
    uploads, with hypothesis: the same events in the same areas get the same published
    value whatever model they are aggregated in; no true or published count below the
    threshold is published; re-aggregation gives identical values; no published count is
    further than the configured maximum from the truth.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

from outcomes import db, stats
from outcomes.identity import local_user
from outcomes.uploads import aggregation, datasets, disclosure, geography, models, storage

TRAFFORD = "E08000009"
MSOAS = f"{TRAFFORD}_msoa21"
PERIODS = ["2025-01", "2025-02"]
ATTACKS = 12  # models, as in the attack
LIMIT, SPREAD = 5, 4  # the default policy, set explicitly
SECRET = "5eed" * 16  # synthetic: a fixed installation secret, so the test is deterministic
USER_TABLES = ("user_datasets", "user_dataset_rows", "user_dataset_areas",
               "user_dataset_indicators", "user_indicator_values", "user_indicator_catalogue",
               "user_models", "user_neighbourhood_models", "user_settings")  # fmt: skip


@contextlib.contextmanager
def configured(limit: int = LIMIT, spread: int = SPREAD) -> Iterator[None]:
    """The disclosure policy set by the environment (which wins over any secrets file)."""
    saved = {k: os.environ.get(k) for k in (disclosure.ENV_VAR, disclosure.PERTURBATION_ENV_VAR)}
    os.environ[disclosure.ENV_VAR] = str(limit)
    os.environ[disclosure.PERTURBATION_ENV_VAR] = str(spread)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def base(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    con = db.open_database(real_db, tmp_path_factory.mktemp("differencing") / "user.duckdb")
    yield con
    con.close()


def fresh(base):
    """A cursor on an emptied user database holding the fixed secret."""
    cur = db.cursor(base)
    for table in USER_TABLES:
        cur.execute(f"DELETE FROM usr.{table}")
    storage.store_for(cur).set_setting(disclosure.SECRET_SETTING, SECRET)
    return cur


def to_csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------- (a) the differencing attack


def small_counts(codes: list[str]) -> pd.DataFrame:
    """synthetic: per LSOA and month, 20-260 booked appointments of which 0-4 missed, and
    0-4 referrals (a count indicator)."""
    rng = np.random.default_rng(9)
    rows = []
    for code in codes:
        for month in PERIODS:
            rows += [[code, month, "appointments_booked", int(rng.integers(20, 261))]]
            rows += [[code, month, "appointments_missed", int(rng.integers(0, 5))]]
            rows += [[code, month, "referrals", int(rng.integers(0, 5))]]
    return pd.DataFrame(rows, columns=["lsoa_code", "period", "measure", "count"])


def targets(con) -> list[tuple[str, list[str], str]]:
    """The first ATTACKS MSOAs of the borough, each with the LSOA to take out of it."""
    msoas = geography.borough_models(con, TRAFFORD).query("model_id == @MSOAS")
    out = []
    for code, group in msoas.groupby("neighbourhood_code", sort=True):
        leaves = sorted(group["leaf"])
        out.append((code, leaves, leaves[len(leaves) // 2]))
    return out[:ATTACKS]


def published(con, dataset_id: str, model_id: str | None = None) -> pd.DataFrame:
    frame = datasets.dataset_values(con, dataset_id, model_id)
    return frame.set_index(["indicator_id", "period", "area_type", "area_code", "model_id"])


@pytest.fixture(scope="module")
def attack(base) -> dict:
    """Run the attack through the app's own functions; return what an outsider records."""
    with configured():
        con = fresh(base)
        user = local_user()
        truth = small_counts(sorted(geography.borough_lsoas(con, TRAFFORD)))
        data = to_csv(list(truth.columns), truth.values.tolist())
        dataset = datasets.validate_dataset(con, data, TRAFFORD)
        dataset_id = datasets.save_dataset(con, dataset, "Attacked", user=user)
        before = published(con, dataset_id)
        seen, again = {}, {}
        for number, (msoa, leaves, taken) in enumerate(targets(con)):
            rows = [[code, "Target"] for code in leaves if code != taken]
            data = to_csv(["lsoa_code", "neighbourhood"], rows)
            for record in (seen, again) if number < 3 else (seen,):  # delete and upload again
                model = models.validate_model(con, data, TRAFFORD)
                model_id = models.save_model(con, model, f"Attack {number}", user=user)
                record[msoa] = published(con, dataset_id, model_id).xs(
                    "neighbourhood", level="area_type"
                )
                models.delete_model(con, model_id, user=user)
        after = published(con, dataset_id)
        ids = datasets.dataset_indicators(con, dataset_id).set_index("indicator_id")["name"]
        shipped = geography.borough_models(con, TRAFFORD)
    members = {
        ("neighbourhood", code, model): frozenset(group["leaf"])
        for (model, code), group in shipped.groupby(["model_id", "neighbourhood_code"])
    } | {("lad", TRAFFORD, None): frozenset(truth.lsoa_code)}
    return {"truth": truth, "before": before, "after": after, "seen": seen, "again": again,
            "ids": ids, "targets": targets(con), "members": members}  # fmt: skip


def true_count(truth: pd.DataFrame, measure: str, period: str, codes) -> int:
    at = truth[(truth.measure == measure) & (truth.period == period)]
    return int(at[at.lsoa_code.isin(set(codes))]["count"].sum())


def feasible(p_msoa, p_target, p_borough, p_rest) -> list[int]:
    """Every count of the removed LSOA consistent with the four published counts (each within
    ±D of its true value, published ones at least the threshold), for an attacker who knows
    D: msoa = target + L, borough = target + rest, rest = borough - msoa + L."""
    found = []
    for taken in range(0, LIMIT + SPREAD):  # its own row is suppressed: below T + D
        for msoa in range(p_msoa - SPREAD, p_msoa + SPREAD + 1):
            target = msoa - taken
            if target < LIMIT or abs(p_target - target) > SPREAD:
                continue
            boroughs = range(p_borough - SPREAD, p_borough + SPREAD + 1)
            if any(abs(p_rest - (b - target)) <= SPREAD for b in boroughs):
                found.append(taken)
                break
    return found


def guesses(attack: dict) -> pd.DataFrame:
    """For each attacked LSOA, indicator and month: the truth, the issue's estimate (MSOA
    minus the uploaded neighbourhood), an attacker's best use of all four counts, and the
    counts still consistent with everything published."""
    before, truth = attack["before"], attack["truth"]
    out = []
    for indicator, name in attack["ids"].items():
        measure = "appointments_missed" if "missed" in name.lower() else "referrals"
        for period in PERIODS:
            at = before.loc[(indicator, period)]
            borough = at.xs("lad", level="area_type")["numerator"].iloc[0]
            for msoa, _, taken in attack["targets"]:
                seen = attack["seen"][msoa].loc[(indicator, period)]
                p_msoa = at.loc[("neighbourhood", msoa, MSOAS), "numerator"]
                p_target = seen[seen.area_name == "Target"]["numerator"].iloc[0]
                p_rest = seen[seen.area_name == "Unassigned"]["numerator"].iloc[0]
                own = at.loc[("lsoa", taken, None)] if ("lsoa", taken, None) in at.index else None
                row = {
                    "indicator": measure,
                    "truth": true_count(truth, measure, period, [taken]),
                    "own_row_suppressed": own is None or bool(own["suppressed"]),
                    "cells": [p_msoa, p_target, borough, p_rest],
                }
                if not np.isnan(row["cells"]).any():
                    p = [int(v) for v in row["cells"]]
                    row["naive"] = p[0] - p[1]
                    both = (p[1] + (p[2] - p[3])) / 2  # two estimates of the target
                    row["best"] = int(np.clip(np.rint(p[0] - both), 0, 4))  # knows 0-4
                    row["feasible"] = feasible(*p)
                out.append(row)
    return pd.DataFrame(out)


def test_the_attack_recovers_no_small_count(attack) -> None:
    found = guesses(attack)
    assert len(found) == 2 * len(PERIODS) * ATTACKS
    assert found.own_row_suppressed.all()  # true counts 0-4: never published themselves
    attacked = found.dropna(subset=["naive"])
    assert len(attacked) >= 0.8 * len(found)  # the cells differenced are published
    # No count is determined: at least two values stay consistent with everything published
    # (the attack: exactly one, the true count, every time).
    sizes = attacked.feasible.map(len)
    assert (sizes >= 2).all()
    assert attacked.apply(lambda r: r.truth in r.feasible, axis=1).all()
    # The estimate (MSOA minus the uploaded neighbourhood) is right no more often
    # than guessing one of five values (20%): at most 10 of 48 plus a binomial margin.
    hits = int((attacked.naive == attacked.truth).sum())
    n = len(attacked)
    assert hits <= 0.2 * n + 2 * np.sqrt(n * 0.2 * 0.8), (hits, n)
    # An attacker who also knows the counts are 0-4 and uses the borough does better than
    # chance, as any bounded noise allows, but is wrong most of the time and never sure.
    best = int((attacked.best == attacked.truth).sum())
    assert best < 0.5 * n, (best, n)
    # what the noise looks like: zero mean, within ±2D, the spread of two perturbations
    error = attacked.naive - attacked.truth
    assert error.abs().max() <= 2 * SPREAD
    assert abs(error.mean()) < 1.0 and error.std() > 1.0


def test_deleting_and_uploading_again_publishes_the_same_values(attack) -> None:
    assert len(attack["again"]) == 3
    for msoa, again in attack["again"].items():
        pd.testing.assert_frame_equal(attack["seen"][msoa], again)
    # every shipped and LSOA value is the same after 15 uploads and deletions
    pd.testing.assert_frame_equal(attack["before"], attack["after"])


def test_the_same_lsoas_give_the_same_value_in_every_model(attack) -> None:
    # Trafford's shipped models (localities, wards, MSOAs) and LSOA rows: wherever two
    # published areas cover the same LSOAs, every figure is the same.
    rows = attack["before"].reset_index()
    members = attack["members"] | {("lsoa", c, None): frozenset([c]) for c in rows.area_code}
    rows["leaves"] = [
        members[(r.area_type, r.area_code, r.model_id if r.area_type == "neighbourhood" else None)]
        for r in rows.itertuples()
    ]
    figures = ["numerator", "denominator", "value", "lower_ci95", "suppressed"]
    groups = rows.groupby(["indicator_id", "period", "leaves"])
    repeated = 0
    for _, group in groups:
        if len(group) > 1:
            repeated += 1
            assert (group[figures].nunique(dropna=False) <= 1).all(), group
    assert repeated > 0  # e.g. a ward that is also an MSOA, and the borough in every model


# ---------------------------------------------------------------- (b) properties


HARTLEPOOL = "E06000001"  # 57 LSOAs: small enough for many examples


@pytest.fixture(scope="module")
def small_borough(base) -> dict:
    con = fresh(base)
    codes = sorted(geography.borough_lsoas(con, HARTLEPOOL))
    shipped = geography.borough_models(con, HARTLEPOOL)
    return {"con": con, "codes": codes, "shipped": shipped}


@hst.composite
def uploads(draw, codes: list[str]) -> dict:
    """A random upload (synthetic counts on a random subset of LSOAs, one or two months),
    one to three random models (partitions of the LSOAs), and a policy."""
    n = len(codes)
    present = draw(hst.lists(hst.booleans(), min_size=n, max_size=n).filter(any))
    months = PERIODS[: draw(hst.integers(1, 2))]
    counts = []
    for code, here in zip(codes, present, strict=True):
        for month in months if here else []:
            missed = draw(hst.integers(0, 12))
            counts += [[code, month, "appointments_missed", missed]]
            counts += [[code, month, "appointments_booked", missed + draw(hst.integers(0, 30))]]
    partitions = [
        draw(hst.lists(hst.integers(0, draw(hst.integers(0, 8))), min_size=n, max_size=n))
        for _ in range(draw(hst.integers(1, 3)))
    ]
    limit = draw(hst.integers(1, 10))
    spread = draw(hst.integers(*disclosure.PERTURBATION_RANGE))
    return {"counts": counts, "partitions": partitions, "limit": limit, "spread": spread}


def put_models(con, codes: list[str], partitions: list[list[int]]) -> None:
    frames = []
    for number, labels in enumerate(partitions):
        model_id = f"{HARTLEPOOL}_user_random{number}"
        frames.append(
            pd.DataFrame(
                {
                    "model_id": model_id,
                    "model_name": f"Random {number}",
                    "lad_code": HARTLEPOOL,
                    "neighbourhood_code": [f"{model_id}:n{label}" for label in labels],
                    "neighbourhood_name": [f"N{label}" for label in labels],
                    "lsoa21_code": codes,
                }
            )
        )
    con.execute("DELETE FROM usr.user_neighbourhood_models")
    con.register("_random_models", pd.concat(frames, ignore_index=True))
    try:
        con.execute(
            "INSERT INTO usr.user_neighbourhood_models BY NAME SELECT * FROM _random_models"
        )
    finally:
        con.unregister("_random_models")


def materialise(con, counts: list[list[object]]) -> pd.DataFrame:
    rows = pd.DataFrame(counts, columns=["area_code", "period", "measure", "count"])
    rows["row"] = range(2, len(rows) + 2)
    rows["period_start"] = pd.to_datetime(rows["period"] + "-01")
    rows[["respondents", "agreeing"]] = None
    codes = sorted(rows["area_code"].unique())
    areas = pd.DataFrame({"area_code": codes, "unit_code": codes, "lsoa21_code": codes})
    meta = {
        "dataset_id": f"{HARTLEPOOL}_data_random", "dataset_name": "Random",
        "kind": "service_events", "lad_code": HARTLEPOOL, "area_column": "lsoa_code",
        "model_id": None, "organisation": "", "source_file": "random.csv",
        "uploaded_at": pd.Timestamp("2025-03-01"), "polarity": "higher_is_worse",
    }  # fmt: skip
    areas["share"] = 1.0
    return aggregation.materialise(con, meta, rows, areas, disclosure.threshold())[1]


def leaf_sets(con) -> dict[tuple, frozenset]:
    """Every published area's LSOAs: (area_type, area_code, model_id) -> LSOAs."""
    found = geography.borough_models(con, HARTLEPOOL)
    sets = {
        ("neighbourhood", code, model): frozenset(group["leaf"])
        for (model, code), group in found.groupby(["model_id", "neighbourhood_code"])
    }
    everything = frozenset(geography.borough_lsoas(con, HARTLEPOOL))
    return sets | {("lad", HARTLEPOOL, None): everything}


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=hst.data())
def test_properties_over_random_models_and_uploads(small_borough, data) -> None:
    con, codes = small_borough["con"], small_borough["codes"]
    upload = data.draw(uploads(codes))
    with configured(upload["limit"], upload["spread"]):
        put_models(con, codes, upload["partitions"])
        values = materialise(con, upload["counts"])
        again = materialise(con, upload["counts"])
        pd.testing.assert_frame_equal(values, again)  # re-aggregation: identical
        con.execute("DELETE FROM usr.user_neighbourhood_models")
        without = materialise(con, upload["counts"])  # the same upload, no random models
    counts = pd.DataFrame(upload["counts"], columns=["lsoa", "period", "measure", "count"])
    check_published(values, counts, leaf_sets_for(con, codes, upload["partitions"]), upload)
    same_leaves_same_value(values, without, leaf_sets_for(con, codes, upload["partitions"]))


def leaf_sets_for(con, codes: list[str], partitions: list[list[int]]) -> dict[tuple, frozenset]:
    sets = leaf_sets(con)
    for number, labels in enumerate(partitions):
        model_id = f"{HARTLEPOOL}_user_random{number}"
        for label in set(labels):
            chosen = frozenset(c for c, x in zip(codes, labels, strict=True) if x == label)
            sets[("neighbourhood", f"{model_id}:n{label}", model_id)] = chosen
    return sets | {("lsoa", code, None): frozenset([code]) for code in codes}


def area_key(r) -> tuple:
    """(area_type, area_code, model_id or None) of a row of values."""
    return (r.area_type, r.area_code, r.model_id if isinstance(r.model_id, str) else None)


def check_published(values: pd.DataFrame, counts: pd.DataFrame, sets: dict, upload: dict):
    """Published rows: never a small true or published count, never further than D from the
    truth, values and Wilson limits from the published counts."""
    limit, spread = upload["limit"], upload["spread"]
    totals: dict[tuple, int] = {}
    for r in counts.itertuples():
        totals[(r.period, r.measure, r.lsoa)] = int(r.count)
    for r in values.itertuples():
        leaves = sets[area_key(r)]
        missed = sum(totals.get((r.period, "appointments_missed", c), 0) for c in leaves)
        booked = sum(totals.get((r.period, "appointments_booked", c), 0) for c in leaves)
        if r.suppressed:
            assert np.isnan([r.value, r.numerator, r.denominator, r.lower_ci95]).all()
            continue
        assert min(missed, booked - missed) >= limit, "a small true count published"
        assert min(r.numerator, r.denominator - r.numerator) >= limit
        assert abs(r.numerator - missed) <= spread and abs(r.denominator - booked) <= spread
        assert r.numerator == int(r.numerator) and r.denominator == int(r.denominator)
        assert r.value == pytest.approx(100 * r.numerator / r.denominator)
        low, high = stats.wilson_ci(r.numerator, r.denominator, 0.95)
        assert (r.lower_ci95, r.upper_ci95) == pytest.approx((100 * low, 100 * high))


def same_leaves_same_value(values: pd.DataFrame, without: pd.DataFrame, sets: dict) -> None:
    """Rows of identical LSOA sets are identical, in whatever model, and with or without the
    random models present."""
    figures = ["numerator", "denominator", "value", "suppressed"]
    seen: dict[tuple, tuple] = {}
    for frame in (values, without):
        for r in frame.itertuples():
            key = (r.period, sets[area_key(r)])
            got = tuple(None if pd.isna(v) else v for v in (getattr(r, f) for f in figures))
            assert seen.setdefault(key, got) == got, (r.area_type, r.area_code, r.model_id)
