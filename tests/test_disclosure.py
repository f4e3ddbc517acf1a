"""Disclosure control (outcomes/uploads/disclosure.py) on its own: the p-table, record keys,
whole-event apportioning, the small-count rule, the configured policy, and frames leaving the
app. The attack on the real build and the property-based tests over random models are in
tests/test_differencing.py.

All counts here are synthetic: made-up numbers on made-up areas, to exercise the rules.
"""

from __future__ import annotations

import math
import re

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomes.uploads import disclosure
from outcomes.uploads.aggregation import apportion

SPREADS = range(disclosure.PERTURBATION_RANGE[0], disclosure.PERTURBATION_RANGE[1] + 1)


# ---------------------------------------------------------------- the p-table


@pytest.mark.parametrize("spread", SPREADS)
def test_the_ptable_is_bounded_unbiased_and_never_negative(spread: int) -> None:
    table = disclosure.ptable(spread)
    assert table.shape == (spread + 1, disclosure.KEY_SPACE)
    for value, row in enumerate(table):
        assert np.abs(row).max() <= min(value, spread)  # a count v moves at most ±v
        assert (value + row >= 0).all()
        assert row.sum() == 0  # mean zero exactly: +j and -j have as many keys
    # every perturbation from -D to D is possible for a large count
    assert set(table[spread]) == set(range(-spread, spread + 1))


def test_the_default_ptable_is_the_binomial_shape_on_256_keys() -> None:
    table = disclosure.ptable(4)
    counts = np.bincount(table[4] + 4, minlength=9)
    assert counts.tolist() == [math.comb(8, k) for k in range(9)]  # 1, 8, 28, 56, 70, ...
    assert np.bincount(table[0]).tolist() == [256]  # zero stays zero (and is suppressed)


def test_perturbation_is_a_function_of_count_and_key() -> None:
    counts = np.array([0, 1, 3, 7, 40, 1000, 1000])  # synthetic
    keys = np.array([5, 200, 17, 17, 255, 0, 0])
    first = disclosure.perturb(counts, keys, 4)
    assert (first == disclosure.perturb(counts, keys, 4)).all()
    assert first[5] == first[6]  # same count, same key: same value
    assert first[0] == 0
    assert (np.abs(first - counts) <= 4).all()


# ---------------------------------------------------------------- record keys


SECRET = bytes(range(32))  # synthetic: a fixed secret for the tests


def test_record_keys_are_stable_and_add_up_over_consecutive_events() -> None:
    keys = disclosure.RecordKeys(SECRET, "E08000009_data_test")
    row = ("E01006074", "2025-01", "appointments_missed", "count")
    assert keys.running(row, 0) == 0
    again = disclosure.RecordKeys(SECRET, "E08000009_data_test")
    assert [keys.running(row, n) for n in range(1, 50)] == [
        again.running(row, n) for n in range(1, 50)
    ]
    # Events 0..a-1 and a..b-1 make up events 0..b-1, whatever the split.
    for a, b in [(0, 7), (3, 7), (7, 7), (1, 1000)]:
        assert (keys.events(row, 0, a) + keys.events(row, a, b)) % 256 == keys.events(row, 0, b)


def test_record_keys_depend_on_the_secret_the_dataset_and_the_row() -> None:
    row = ("E01006074", "2025-01", "appointments_missed", "count")
    base = disclosure.RecordKeys(SECRET, "a")
    others = [
        disclosure.RecordKeys(bytes(32), "a"),  # another installation
        disclosure.RecordKeys(SECRET, "b"),  # another dataset
    ]
    sums = [base.running(row, n) for n in range(1, 200)]
    for other in others:
        assert sums != [other.running(row, n) for n in range(1, 200)]
    moved = ("E01006074", "2025-02", "appointments_missed", "count")
    assert sums != [base.running(moved, n) for n in range(1, 200)]


def test_running_sums_and_block_keys_are_spread_over_all_256_values() -> None:
    keys = disclosure.RecordKeys(SECRET, "d")
    running = [keys.running(("x", "2025", "m", "count"), n) for n in range(1, 25_601)]
    blocks = [keys.block(("m", "count"), "2025", f"E01{n:06d}") for n in range(25_600)]
    for drawn in (running, blocks):
        counts = np.bincount(drawn, minlength=256)
        # 100 expected per value: a uniform draw stays within 50..150 (over 5 sd)
        assert counts.min() > 50 and counts.max() < 150


def test_the_installation_secret_is_drawn_once_and_kept() -> None:
    con = duckdb.connect()
    con.execute("ATTACH ':memory:' AS usr")
    con.execute("CREATE TABLE usr.user_settings (key VARCHAR PRIMARY KEY, value VARCHAR)")
    first = disclosure.installation_secret(con)
    assert len(first) == 32
    assert disclosure.installation_secret(con) == first
    stored = con.execute(
        "SELECT value FROM usr.user_settings WHERE key = ?", [disclosure.SECRET_SETTING]
    ).fetchall()
    assert stored == [(first.hex(),)]


# ---------------------------------------------------------------- whole events


def test_apportion_gives_whole_events_that_add_up() -> None:
    assert apportion(10, np.array([0.5, 0.5])).tolist() == [5, 5]
    assert apportion(7, np.array([0.4, 0.6])).tolist() == [3, 4]  # 2.8, 4.2
    assert apportion(1, np.array([0.5, 0.5])).tolist() == [1, 0]  # ties: the first
    assert apportion(0, np.array([0.3, 0.7])).tolist() == [0, 0]
    # a lookup that keeps only part of the area (the rest is outside the borough)
    assert apportion(10, np.array([0.25, 0.5])).sum() == 8  # 7.5 rounded


@given(
    st.integers(0, 10_000),
    st.lists(st.floats(0.01, 1.0), min_size=1, max_size=6),
)
@settings(max_examples=200, deadline=None)
def test_apportion_is_within_one_event_of_each_share(total: int, weights: list[float]) -> None:
    shares = np.array(weights) / sum(weights)
    got = apportion(total, shares)
    assert got.sum() == total
    assert (np.abs(got - total * shares) < 1 + 1e-9).all()
    assert (got >= 0).all()


# ---------------------------------------------------------------- the small-count rule


def test_withheld_when_any_true_or_published_count_is_small() -> None:
    true = np.array([0.0, 4, 5, 9, 12, np.nan])  # synthetic
    published = np.array([0.0, 6, 3, 9, 12, 12])
    rest = np.array([50.0, 50, 50, 50, 2, 50])
    assert disclosure.withheld(5, true, published, rest).tolist() == [
        True, True, True, False, True, True,
    ]  # fmt: skip


# ---------------------------------------------------------------- the configured policy


@pytest.fixture
def no_configuration(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No environment variables and an empty [disclosure] table."""
    monkeypatch.delenv(disclosure.ENV_VAR, raising=False)
    monkeypatch.delenv(disclosure.PERTURBATION_ENV_VAR, raising=False)
    monkeypatch.setattr(disclosure.config, "settings", lambda: ({}, []))
    return monkeypatch


def test_the_policy_defaults(no_configuration) -> None:
    got = disclosure.policy()
    assert (got.method, got.threshold, got.max_perturbation, got.warnings) == (
        disclosure.METHOD, 5, 4, (),
    )  # fmt: skip
    assert got.as_dict() == {
        "method": "cell key perturbation", "suppress_below": 5, "max_perturbation": 4,
    }  # fmt: skip


def test_the_policy_from_the_environment_and_the_secrets_file(no_configuration) -> None:
    no_configuration.setattr(
        disclosure.config, "settings", lambda: ({"suppress_below": 10, "max_perturbation": 3}, [])
    )
    assert (disclosure.policy().threshold, disclosure.policy().max_perturbation) == (10, 3)
    no_configuration.setenv(disclosure.ENV_VAR, "7")
    no_configuration.setenv(disclosure.PERTURBATION_ENV_VAR, "6")
    assert (disclosure.policy().threshold, disclosure.policy().max_perturbation) == (7, 6)


@pytest.mark.parametrize("bad", ["0", "1", "9", "four", "2.5", "-3"])
def test_a_bad_maximum_perturbation_falls_back_to_the_default(no_configuration, bad) -> None:
    no_configuration.setenv(disclosure.PERTURBATION_ENV_VAR, bad)
    got = disclosure.policy()
    assert got.max_perturbation == 4
    assert any(disclosure.PERTURBATION_ENV_VAR in w for w in got.warnings)


def test_the_threshold_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(disclosure.ENV_VAR, raising=False)
    assert disclosure.env_threshold() == (5, None)
    monkeypatch.setenv(disclosure.ENV_VAR, "10")
    assert disclosure.env_threshold() == (10, None)
    for bad in ("ten", "0", "-3", "2.5", "100000"):
        monkeypatch.setenv(disclosure.ENV_VAR, bad)
        value, warning = disclosure.env_threshold()
        assert value == 5 and disclosure.ENV_VAR in warning


@pytest.mark.parametrize("bad", [0, -1, 1001, 2.5, "5", True, None])
def test_check_threshold_rejects_bad_values(bad) -> None:
    with pytest.raises(ValueError):
        disclosure.check_threshold(bad)


def test_the_method_text_is_plain_and_names_the_parameters(no_configuration) -> None:
    no_configuration.setenv(disclosure.ENV_VAR, "8")
    no_configuration.setenv(disclosure.PERTURBATION_ENV_VAR, "3")
    text = disclosure.method_text()
    assert "cell key perturbation" in text and "at most 3" in text and "at least 8" in text
    assert not re.search(r"[*_`\[\]<>$#|]", text)  # nothing Markdown or HTML would act on


# ---------------------------------------------------------------- frames leaving the app


def frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=["area_type", "area_code", "model_id", "indicator_id", "period", "value",
                 "numerator", "denominator", "lower_ci95", "upper_ci95"],
    )  # fmt: skip


USER = "user_e08000009_data_test__appointments_missed"


def test_protect_frame_leaves_public_frames_alone() -> None:
    public = frame([("lad", "E08000009", None, "imd_score", "2019", 16.1, None, None, None, None)])
    out = disclosure.protect_frame(public, 5)
    pd.testing.assert_frame_equal(out, public)


def test_protect_frame_nulls_user_rows_with_a_small_count_or_rest() -> None:
    rows = frame(
        [  # synthetic
            ("lad", "E08000009", None, USER, "2025-01", 5.0, 50.0, 1000.0, 3.8, 6.5),
            ("neighbourhood", "a", "m", USER, "2025-01", 1.0, 3.0, 300.0, 0.3, 2.9),
            ("neighbourhood", "b", "m", USER, "2025-01", 5.0, 20.0, 400.0, 3.3, 7.6),
            ("neighbourhood", "c", "m", USER, "2025-01", 90.0, 27.0, 30.0, 73.0, 97.0),
            ("neighbourhood", "d", "m", USER, "2025-01", None, None, None, None, None),
            ("lad", "E08000009", None, "imd_score", "2019", 16.1, None, None, None, None),
        ]
    )
    out = disclosure.protect_frame(rows, 5)
    # a: 3 missed; c: 30 - 27 = 3 not missed; d: no counts at all
    assert out.suppressed.tolist() == [False, True, False, True, True, False]
    assert out.loc[out.suppressed, list(disclosure.NULLED[:5])].isna().all().all()
    assert out.loc[5, "value"] == 16.1
    again = disclosure.protect_frame(out, 5)
    pd.testing.assert_frame_equal(again, out)  # idempotent


def test_protect_frame_keeps_rows_flagged_upstream_suppressed() -> None:
    rows = frame(
        [  # synthetic: row 1 came out of the store already suppressed
            ("lad", "E08000009", None, USER, "2025", 5.0, 50.0, 1000.0, 3.8, 6.5),
            ("neighbourhood", "a", "m", USER, "2025", 5.0, 20.0, 400.0, 3.3, 7.6),
            ("neighbourhood", "b", "m", USER, "2025", 5.0, 20.0, 400.0, 3.3, 7.6),
        ]
    ).assign(suppressed=[False, True, False])
    out = disclosure.protect_frame(rows, 5)
    assert out.suppressed.tolist() == [False, True, False]
    assert pd.isna(out.loc[1, "value"])


def test_protect_frame_checks_counts_without_a_denominator() -> None:
    rows = frame(
        [  # synthetic: a count indicator (no denominator)
            ("lad", "E08000009", None, "user_x__visits", "2025", 12.0, 12.0, None, None, None),
            ("lsoa", "E01006074", None, "user_x__visits", "2025", 2.0, 2.0, None, None, None),
        ]
    )
    assert disclosure.protect_frame(rows, 5).suppressed.tolist() == [False, True]
