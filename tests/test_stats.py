"""Tests for outcomes.stats.

PHStatsMethods (DHSC's port of the Fingertips methods) is the oracle for the
Wilson and Byar's/exact intervals. Where it has no function (Newcombe, rate
ratio, SII) the oracle is a published table, scipy, or a hand-worked example.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import PHStatsMethods as phs
import pytest
from scipy import stats as sps

from outcomes import stats

CONFIDENCES = [0.95, 0.998]
Z = {0.95: 1.959963984540054, 0.998: 3.090232306167813}
MACROS_SQL = Path(__file__).resolve().parents[1] / "transforms" / "macros.sql"


def _ph_limits(result: pd.DataFrame) -> tuple[float, float]:
    lower = next(c for c in result.columns if c.startswith("lower"))
    upper = next(c for c in result.columns if c.startswith("upper"))
    return float(result[lower].iloc[0]), float(result[upper].iloc[0])


# --------------------------------------------------------------------------- Wilson

WILSON_CASES = [
    (0, 100),  # no events
    (1, 100),
    (3, 7),  # tiny denominator
    (9, 1000),
    (10, 1000),
    (50, 50),  # numerator == denominator
    (500, 100_000),
    (123_456, 1_000_000),  # large counts
    (999_999, 1_000_000),  # near 1
]


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize(("num", "den"), WILSON_CASES)
def test_wilson_matches_phstatsmethods(num: int, den: int, confidence: float) -> None:
    df = pd.DataFrame({"n": [num], "d": [den]})
    expected = _ph_limits(phs.ph_proportion(df, "n", "d", confidence=confidence))
    lower, upper = stats.wilson_ci(num, den, confidence)
    assert isinstance(lower, float)
    assert (lower, upper) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_wilson_exact_bounds_at_zero_and_full() -> None:
    lower, upper = stats.wilson_ci([0, 20], [20, 20])
    assert lower[0] == 0.0
    assert upper[1] == 1.0
    assert 0 < upper[0] < 1 and 0 < lower[1] < 1


def test_wilson_vectorised_matches_scalar_and_missing_is_nan() -> None:
    nums = np.array([0, 7, 40, np.nan, 5])
    dens = np.array([40, 40, 40, 40, 0])
    lower, upper = stats.wilson_ci(nums, dens, 0.998)
    assert isinstance(lower, np.ndarray) and lower.shape == (5,)
    for i in range(3):
        assert (lower[i], upper[i]) == stats.wilson_ci(nums[i], dens[i], 0.998)
    assert np.isnan(lower[3:]).all() and np.isnan(upper[3:]).all()


@pytest.mark.parametrize(("num", "den"), [(-1, 10), (11, 10)])
def test_wilson_rejects_impossible_counts(num: int, den: int) -> None:
    with pytest.raises(ValueError):
        stats.wilson_ci(num, den)


# --------------------------------------------------------------------------- Byar's / exact

RATE_CASES = [
    (1, 100),
    (5, 20_000),
    (9, 1_000),  # last count using the exact method
    (10, 1_000),  # first count using Byar's
    (11, 5_000),
    (100, 100),  # count == denominator
    (500, 100_000),
    (25_000, 5_000_000),  # large count
]


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize(("count", "den"), RATE_CASES)
def test_byars_matches_phstatsmethods(count: int, den: int, confidence: float) -> None:
    df = pd.DataFrame({"n": [count], "d": [den]})
    expected = _ph_limits(phs.ph_rate(df, "n", "d", confidence=confidence, multiplier=100_000))
    got = stats.byars_ci(count, den, confidence, multiplier=100_000)
    assert got == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_byars_zero_count(confidence: float) -> None:
    # PHStatsMethods.ph_rate raises on 0; Fingertips publishes lower = 0 and the
    # exact upper limit, which PHStatsMethods.exact_upper gives.
    lower, upper = stats.byars_ci(0, 2_000, confidence, multiplier=1_000)
    assert lower == 0.0
    assert upper == pytest.approx(phs.exact_upper(0, confidence) / 2_000 * 1_000, rel=1e-9)
    assert upper > 0


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_poisson_count_ci_matches_phstatsmethods_over_range(confidence: float) -> None:
    counts = np.arange(1, 60)
    lower, upper = stats.poisson_count_ci(counts, confidence)
    expected_lower = [phs.byars_lower(int(c), confidence) for c in counts]
    expected_upper = [phs.byars_upper(int(c), confidence) for c in counts]
    np.testing.assert_allclose(lower, expected_lower, rtol=1e-9)
    np.testing.assert_allclose(upper, expected_upper, rtol=1e-9)


def test_byars_missing_denominator_is_nan_and_negative_raises() -> None:
    lower, upper = stats.byars_ci([5, 5, np.nan], [0, np.nan, 10])
    assert np.isnan(lower).all() and np.isnan(upper).all()
    with pytest.raises(ValueError):
        stats.byars_ci(-1, 10)


def test_exact_poisson_limits_table() -> None:
    rows = stats.exact_poisson_limits_table()
    assert len(rows) == 20
    assert {(r[0], r[1]) for r in rows} == {(c, k) for c in range(10) for k in CONFIDENCES}
    for count, confidence, lower, upper in rows:
        assert isinstance(count, int)
        assert upper == pytest.approx(phs.exact_upper(count, confidence), rel=1e-12)
        if count == 0:
            assert lower == 0.0
        else:
            assert lower == pytest.approx(phs.exact_lower(count, confidence), rel=1e-12)


# --------------------------------------------------------------------------- comparator

COMPARATOR_CASES = [
    # value, lower, upper, comparator, polarity, expected
    (80.0, 78.0, 82.0, 75.0, "higher_is_better", "better"),
    (80.0, 78.0, 82.0, 75.0, "higher_is_worse", "worse"),
    (80.0, 78.0, 82.0, 75.0, "no_judgement", "higher"),
    (70.0, 68.0, 72.0, 75.0, "higher_is_better", "worse"),
    (70.0, 68.0, 72.0, 75.0, "higher_is_worse", "better"),
    (70.0, 68.0, 72.0, 75.0, "no_judgement", "lower"),
    (74.0, 70.0, 78.0, 75.0, "higher_is_better", "similar"),
    (74.0, 70.0, 78.0, 75.0, "no_judgement", "similar"),
    (77.0, 75.0, 79.0, 75.0, "higher_is_better", "similar"),  # comparator on the limit
    (74.0, np.nan, np.nan, 75.0, "higher_is_better", "not_compared"),
    (np.nan, 70.0, 78.0, 75.0, "higher_is_better", "not_compared"),
    (74.0, 70.0, 78.0, np.nan, "higher_is_worse", "not_compared"),
]


@pytest.mark.parametrize(
    ("value", "lower", "upper", "comparator", "polarity", "expected"), COMPARATOR_CASES
)
def test_compare_with_comparator(
    value: float, lower: float, upper: float, comparator: float, polarity: str, expected: str
) -> None:
    assert stats.compare_with_comparator(value, lower, upper, comparator, polarity) == expected


def test_compare_with_comparator_vectorised_with_wilson_limits() -> None:
    nums = np.array([30, 55, 80, 45])
    dens = np.array([100, 100, 100, 100])
    lower, upper = stats.wilson_ci(nums, dens)
    polarity = ["higher_is_better", "higher_is_better", "higher_is_worse", "no_judgement"]
    got = stats.compare_with_comparator(nums / dens, lower, upper, 0.5, polarity)
    assert list(got) == ["worse", "similar", "worse", "similar"]


def test_compare_with_comparator_rejects_unknown_polarity() -> None:
    with pytest.raises(ValueError, match="polarity"):
        stats.compare_with_comparator(1.0, 0.5, 1.5, 2.0, "higher_is_good")


# --------------------------------------------------------------------------- change: proportions

# Newcombe RG (1998) Stat Med 17:873-890, Table II, method 10 (hybrid score, no
# continuity correction). Tuples: current num/den, baseline num/den, lower, upper.
NEWCOMBE_TABLE_II = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (0, 10, 0, 10, -0.2775, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
    (10, 10, 0, 10, 0.6075, 1.0000),
]


@pytest.mark.parametrize(("x1", "n1", "x0", "n0", "lower", "upper"), NEWCOMBE_TABLE_II)
def test_newcombe_matches_published_table(
    x1: int, n1: int, x0: int, n0: int, lower: float, upper: float
) -> None:
    res = stats.change_since_baseline(x0, n0, x1, n1, "proportion")
    assert res.difference == pytest.approx(x1 / n1 - x0 / n0)
    assert res.estimate == res.difference
    assert (res.lower, res.upper) == pytest.approx((lower, upper), abs=5e-5)
    assert res.significant == (lower > 0)


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize(
    ("x0", "n0", "x1", "n1"), [(48, 80, 56, 70), (0, 50, 3, 40), (4_000, 10_000, 4_150, 10_000)]
)
def test_newcombe_built_from_phstatsmethods_wilson(
    x0: int, n0: int, x1: int, n1: int, confidence: float
) -> None:
    p0, p1 = x0 / n0, x1 / n1
    l0, u0 = phs.wilson(x0, n0, confidence)
    l1, u1 = phs.wilson(x1, n1, confidence)
    expected_lower = (p1 - p0) - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    expected_upper = (p1 - p0) + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    res = stats.change_since_baseline(x0, n0, x1, n1, "proportion", confidence, multiplier=100)
    assert (res.lower, res.upper) == pytest.approx(
        (expected_lower * 100, expected_upper * 100), rel=1e-9
    )


# --------------------------------------------------------------------------- change: rates

RATE_RATIO_CASES = [
    (10, 1_000, 25, 1_000),
    (100, 1_000, 70, 1_000),
    (0, 1_000, 8, 1_000),  # zero at baseline -> infinite upper limit
    (5, 1_000, 0, 2_000),  # zero now -> lower limit 0
    (3, 500, 4, 700),
    (20_000, 1_000_000, 21_000, 1_050_000),
]


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize(("x0", "d0", "x1", "d1"), RATE_RATIO_CASES)
def test_rate_ratio_matches_scipy_exact_binomial(
    x0: int, d0: int, x1: int, d1: int, confidence: float
) -> None:
    ci = sps.binomtest(x1, x0 + x1).proportion_ci(confidence, method="exact")
    to_ratio = lambda p: np.inf if p == 1 else p / (1 - p) * d0 / d1  # noqa: E731
    res = stats.change_since_baseline(x0, d0, x1, d1, "rate", confidence, multiplier=1_000)
    assert res.difference == pytest.approx((x1 / d1 - x0 / d0) * 1_000)
    if x0 > 0:
        assert res.estimate == pytest.approx((x1 / d1) / (x0 / d0))
    assert res.lower == pytest.approx(to_ratio(ci.low), rel=1e-7, abs=1e-12)
    assert res.upper == pytest.approx(to_ratio(ci.high), rel=1e-7)


CHANGE_LABEL_CASES = [
    # baseline num/den, current num/den, kind, confidence, expected label
    (48, 80, 56, 70, "proportion", 0.95, "significantly higher"),
    (56, 70, 48, 80, "proportion", 0.95, "significantly lower"),
    (48, 80, 56, 70, "proportion", 0.998, "no significant change"),
    (400, 1_000, 450, 1_000, "proportion", 0.95, "significantly higher"),
    (400, 1_000, 450, 1_000, "proportion", 0.998, "no significant change"),
    (0, 10, 0, 10, "proportion", 0.95, "no significant change"),
    (10, 1_000, 25, 1_000, "rate", 0.95, "significantly higher"),
    (100, 1_000, 70, 1_000, "rate", 0.95, "significantly lower"),
    (100, 1_000, 130, 1_000, "rate", 0.95, "no significant change"),
    (0, 1_000, 8, 1_000, "rate", 0.95, "significantly higher"),
    (0, 1_000, 0, 1_000, "rate", 0.95, "no significant change"),
    (100, 1_000, 140, 1_000, "rate", 0.95, "significantly higher"),
    (100, 1_000, 140, 1_000, "rate", 0.998, "no significant change"),
    (61.2, 1, 64.0, 1, "other", 0.95, "not tested"),  # a score: no counts
    (np.nan, 1_000, 10, 1_000, "rate", 0.95, "not tested"),
    (10, 0, 10, 1_000, "proportion", 0.95, "not tested"),
]


@pytest.mark.parametrize(
    ("x0", "n0", "x1", "n1", "kind", "confidence", "label"), CHANGE_LABEL_CASES
)
def test_change_labels(
    x0: float, n0: float, x1: float, n1: float, kind: str, confidence: float, label: str
) -> None:
    res = stats.change_since_baseline(x0, n0, x1, n1, kind, confidence)
    assert res.label == label
    assert res.significant == label.startswith("significantly")
    if label == "not tested":
        assert np.isnan(res.lower) and np.isnan(res.upper)


def test_change_vectorised_mixed_kinds_matches_scalar_calls() -> None:
    args = (
        np.array([48, 100, 3.0, 10]),
        np.array([80, 1_000, 1, 1_000]),
        np.array([56, 70, 5.0, 25]),
        np.array([70, 1_000, 1, 1_000]),
    )
    kinds = ["proportion", "rate", "other", "rate"]
    res = stats.change_since_baseline(*args, kinds)
    assert list(res.label) == [
        "significantly higher",
        "significantly lower",
        "not tested",
        "significantly higher",
    ]
    for i, kind in enumerate(kinds):
        one = stats.change_since_baseline(*(a[i] for a in args), kind)
        assert one.label == res.label[i]
        assert one.lower == pytest.approx(res.lower[i], nan_ok=True)


def test_change_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        stats.change_since_baseline(1, 10, 2, 10, "ratio")


@pytest.mark.parametrize(
    ("label", "polarity", "expected"),
    [
        ("significantly higher", "higher_is_better", "improved"),
        ("significantly higher", "higher_is_worse", "worsened"),
        ("significantly lower", "higher_is_better", "worsened"),
        ("significantly lower", "higher_is_worse", "improved"),
        ("significantly higher", "no_judgement", "increased"),
        ("significantly lower", "no_judgement", "decreased"),
        ("no significant change", "higher_is_better", "no significant change"),
        ("not tested", "higher_is_worse", "not tested"),
    ],
)
def test_change_direction(label: str, polarity: str, expected: str) -> None:
    assert stats.change_direction(label, polarity) == expected


def test_change_direction_vectorised_and_validates() -> None:
    got = stats.change_direction(["significantly higher", "significantly lower"], "higher_is_worse")
    assert list(got) == ["worsened", "improved"]
    with pytest.raises(ValueError):
        stats.change_direction("higher", "higher_is_worse")


# --------------------------------------------------------------------------- SII

# Decile data from the phe_sii documentation example (Area1).
PHE_POPS = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534]
PHE_VALUES = [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3]
PHE_SE = [1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57]


def test_sii_perfectly_linear_quintiles() -> None:
    # Equal populations -> ranks 0.1, 0.3, ..., 0.9; values rise 2 per 0.2 of rank.
    res = stats.slope_index_of_inequality([10, 12, 14, 16, 18], [500] * 5, [1, 2, 3, 4, 5])
    assert res.sii == pytest.approx(10.0)
    assert res.rii == pytest.approx(19 / 9)  # fitted 19 at rank 1 over 9 at rank 0
    assert (res.sii_lower, res.sii_upper) == pytest.approx((10.0, 10.0), abs=1e-9)
    assert res.method == "regression"


def test_sii_hand_worked_unequal_populations_and_unsorted_input() -> None:
    # Sorted by deprivation: shares .1 .3 .2 .4, midpoint ranks .05 .25 .5 .8,
    # values 5 3 4 1. Weighted: mean rank .5, mean value 2.6, Sxy -.33, Sxx .075
    # -> slope -4.4, intercept 4.8, RII .4/4.8. Weighted RSS .588 on 2 df
    # -> var(slope) = .294 / .075 = 3.92.
    res = stats.slope_index_of_inequality(
        values=[1, 4, 3, 5], populations=[400, 200, 300, 100], deprivation_order=[4, 3, 2, 1]
    )
    half = sps.t.ppf(0.975, 2) * np.sqrt(3.92)
    assert res.sii == pytest.approx(-4.4)
    assert res.rii == pytest.approx(0.4 / 4.8)
    assert (res.sii_lower, res.sii_upper) == pytest.approx((-4.4 - half, -4.4 + half))
    assert res.rii_lower < res.rii < res.rii_upper


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_sii_simulation_matches_sampling_distribution(confidence: float) -> None:
    # For normal values the SII is linear in them: SII = sum(c_i y_i) with
    # c_i = a_i (x_i - mean x) / Sxx, so its sampling sd is sqrt(sum c_i^2 se_i^2).
    a = np.array(PHE_POPS) / sum(PHE_POPS)
    x = np.cumsum(a) - a / 2
    xbar = a @ x
    c = a * (x - xbar) / (a @ (x - xbar) ** 2)
    sii = c @ np.array(PHE_VALUES)
    half = sps.norm.ppf(0.5 + confidence / 2) * np.sqrt(c**2 @ np.array(PHE_SE) ** 2)

    res = stats.slope_index_of_inequality(
        PHE_VALUES, PHE_POPS, range(1, 11), confidence, standard_errors=PHE_SE
    )
    assert res.method == "simulation"
    assert res.sii == pytest.approx(sii)
    assert res.sii > 0  # values rise towards the least deprived decile
    assert res.sii_lower == pytest.approx(sii - half, abs=0.03 * half)
    assert res.sii_upper == pytest.approx(sii + half, abs=0.03 * half)
    assert res.rii_lower < res.rii < res.rii_upper


def test_sii_simulation_is_reproducible_with_seed() -> None:
    run = lambda seed: stats.slope_index_of_inequality(  # noqa: E731
        PHE_VALUES, PHE_POPS, range(1, 11), standard_errors=PHE_SE, repetitions=5_000, seed=seed
    )
    assert run(7) == run(7)
    assert run(7).sii_lower != run(8).sii_lower


def test_sii_simulation_independent_of_row_order() -> None:
    perm = np.random.default_rng(3).permutation(10)
    ordered = stats.slope_index_of_inequality(
        PHE_VALUES, PHE_POPS, range(1, 11), standard_errors=PHE_SE, repetitions=5_000
    )
    shuffled = stats.slope_index_of_inequality(
        np.array(PHE_VALUES)[perm],
        np.array(PHE_POPS)[perm],
        np.arange(1, 11)[perm],
        standard_errors=np.array(PHE_SE)[perm],
        repetitions=5_000,
    )
    assert shuffled.sii == pytest.approx(ordered.sii)
    assert (shuffled.sii_lower, shuffled.sii_upper) == pytest.approx(
        (ordered.sii_lower, ordered.sii_upper)
    )


def test_sii_drops_zero_population_groups_and_handles_missing() -> None:
    full = stats.slope_index_of_inequality([5, 3, 4, 1], [100, 300, 200, 400], [1, 2, 3, 4])
    with_empty = stats.slope_index_of_inequality(
        [5, 99, 3, 4, 1], [100, 0, 300, 200, 400], [1, 2, 3, 4, 5]
    )
    assert with_empty.sii == pytest.approx(full.sii)
    missing = stats.slope_index_of_inequality([5, np.nan, 4, 1], [100, 300, 200, 400], [1, 2, 3, 4])
    assert np.isnan(missing.sii) and np.isnan(missing.sii_upper)
    too_few = stats.slope_index_of_inequality([5, 1], [100, 400], [1, 2])
    assert np.isnan(too_few.sii)
    with pytest.raises(ValueError):
        stats.slope_index_of_inequality([5, 3, 1], [1, 1, 1], [1, 1, 2])


# --------------------------------------------------------------------------- DuckDB macros


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ref_exact_poisson_limits "
        "(count INTEGER, confidence DOUBLE, lower DOUBLE, upper DOUBLE)"
    )
    con.executemany(
        "INSERT INTO ref_exact_poisson_limits VALUES (?, ?, ?, ?)",
        stats.exact_poisson_limits_table(),
    )
    con.execute(MACROS_SQL.read_text())
    return con


def _close(sql: list[float | None], py: np.ndarray) -> None:
    got = np.array([np.nan if v is None else v for v in sql], dtype=float)
    np.testing.assert_allclose(got, py, rtol=1e-9, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_sql_wilson_matches_python(con: duckdb.DuckDBPyConnection, confidence: float) -> None:
    rng = np.random.default_rng(1)
    dens = np.concatenate([[1, 7, 50, 50, 1_000, 10, 0], rng.integers(1, 2_000_000, 300)])
    nums = np.concatenate([[0, 7, 0, 50, 1, 3, 0], [rng.integers(0, d + 1) for d in dens[7:]]])
    con.register("frame", pd.DataFrame({"num": nums.astype("int64"), "den": dens.astype("int64")}))
    rows = con.execute(
        "SELECT wilson_lower(num, den, $z), wilson_upper(num, den, $z) FROM frame",
        {"z": Z[confidence]},
    ).fetchall()
    lower, upper = stats.wilson_ci(nums, dens, confidence)
    _close([r[0] for r in rows], lower)
    _close([r[1] for r in rows], upper)
    assert rows[6] == (None, None)  # zero denominator -> NULL


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_sql_byars_matches_python(con: duckdb.DuckDBPyConnection, confidence: float) -> None:
    rng = np.random.default_rng(2)
    counts = np.concatenate(
        [np.arange(0, 60), [10.5, 99.25], rng.integers(10, 5_000_000, 300), [np.nan]]
    )
    con.register("frame", pd.DataFrame({"observed": counts}))
    rows = con.execute(
        "SELECT byars_lower(observed, $z), byars_upper(observed, $z) FROM frame",
        {"z": Z[confidence]},
    ).fetchall()
    lower, upper = stats.poisson_count_ci(counts, confidence)
    _close([r[0] for r in rows], lower)
    _close([r[1] for r in rows], upper)
    assert rows[0][0] == 0.0  # zero count: exact lower limit is 0
    assert rows[-1] == (None, None)


def test_a_count_a_hair_off_whole_gets_the_whole_counts_interval(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """A neighbourhood count summed from apportioned parts in parallel can come out as
    3.9999999999999996 in one build and 4 in another; both must get 4's interval (below 10 a
    fractional count gets none, so the published interval used to come and go)."""
    hairs = [3.9999999999999996, 4.0, 4.000000000000001, 9.999999999999998, 10.0, -1e-17, 0.0]
    con.register("hairs", pd.DataFrame({"observed": hairs}))
    rows = con.execute(
        "SELECT byars_lower(observed, $z), byars_upper(observed, $z) FROM hairs", {"z": Z[0.95]}
    ).fetchall()
    assert rows[0] == rows[1] == rows[2] and rows[0][0] is not None
    assert rows[3] == rows[4] and rows[5] == rows[6]
    lower, upper = stats.poisson_count_ci(np.array(hairs))
    assert lower[0] == lower[1] == lower[2] and upper[3] == upper[4]
    _close([r[0] for r in rows], lower)
    partial = con.execute("SELECT byars_lower(3.5, $z)", {"z": Z[0.95]}).fetchone()
    assert partial == (None,)  # a count truly in parts still gets none


def test_sql_integer_columns_and_errors(con: duckdb.DuckDBPyConnection) -> None:
    # Integer inputs must not use integer division; small counts come from the table.
    row = con.execute(
        "SELECT wilson_lower(3::INTEGER, 7::INTEGER, 1.959963984540054), "
        "byars_upper(4::INTEGER, 3.090232306167813) / 1000::INTEGER"
    ).fetchone()
    assert row[0] == pytest.approx(stats.wilson_ci(3, 7)[0], rel=1e-12)
    assert row[1] == pytest.approx(stats.byars_ci(4, 1000, 0.998)[1], rel=1e-12)
    for sql in ("SELECT byars_lower(-1, 1.96)", "SELECT wilson_upper(11, 10, 1.96)"):
        with pytest.raises(duckdb.Error):
            con.execute(sql).fetchall()
