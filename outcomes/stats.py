"""Fingertips-style statistics: confidence intervals, benchmarking, change and inequality.

The methods follow those used by OHID Fingertips (and DHSC's PHStatsMethods /
PHEindicatormethods), so that figures in the dashboard match what councils see
in national tools:

* proportions: Wilson score interval;
* rates of counts: Byar's approximation, or the exact Poisson interval when the
  count is below 10;
* benchmarking: "is the comparator outside the area's confidence interval?";
* change over time: Newcombe's hybrid score interval (proportions) and an exact
  conditional interval for the rate ratio (rates);
* inequality: the slope index of inequality (SII) across deprivation deciles.

Return convention (all public functions): inputs may be scalars or array-likes
that broadcast together. Outputs are numpy arrays of the broadcast shape, except
when *every* input is a scalar, in which case plain Python scalars (float, bool
or str) are returned. Label outputs are arrays of ``dtype=object`` holding str.

Missing data (NaN counts or denominators, zero denominators) gives NaN limits
rather than an exception, because suppressed or absent figures are routine in
published data. Impossible data (negative counts, numerator > denominator)
raises ``ValueError`` because it signals a bug upstream.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

FloatOrArray = float | NDArray[np.float64]
BoolOrArray = bool | NDArray[np.bool_]
StrOrArray = str | NDArray[np.object_]

#: Fingertips uses the exact Poisson interval for counts below this threshold.
BYARS_MIN_COUNT = 10

#: Confidence levels for which ``ref_exact_poisson_limits`` is generated.
FINGERTIPS_CONFIDENCE_LEVELS = (0.95, 0.998)

POLARITIES = ("higher_is_better", "higher_is_worse", "no_judgement")

SIGNIFICANTLY_HIGHER = "significantly higher"
SIGNIFICANTLY_LOWER = "significantly lower"
NO_SIGNIFICANT_CHANGE = "no significant change"
NOT_TESTED = "not tested"

CHANGE_KINDS = ("proportion", "rate", "other")


# --------------------------------------------------------------------------- helpers


def _z(confidence: float) -> float:
    """Two-sided standard normal critical value, e.g. 1.96 for 0.95."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _floats(*args: ArrayLike) -> tuple[list[NDArray[np.float64]], bool]:
    """Broadcast inputs to float arrays; also report whether all were scalars."""
    arrays = [np.asarray(a, dtype=float) for a in args]
    scalar = all(a.ndim == 0 for a in arrays)
    return [np.array(a, dtype=float) for a in np.broadcast_arrays(*arrays)], scalar


def _out(x: NDArray[Any], scalar: bool) -> Any:
    """Unwrap to a Python scalar when every input was a scalar."""
    return x.item() if scalar else x


def _check_counts(*counts: NDArray[np.float64]) -> None:
    for c in counts:
        if np.any(c < 0):
            raise ValueError("counts and denominators must not be negative")


def _check_polarity(polarity: NDArray[np.object_]) -> None:
    bad = set(polarity.ravel().tolist()) - set(POLARITIES)
    if bad:
        raise ValueError(f"unknown polarity {sorted(map(str, bad))}; expected one of {POLARITIES}")


# --------------------------------------------------------------------------- intervals


def wilson_ci(
    numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95
) -> tuple[FloatOrArray, FloatOrArray]:
    """Wilson score interval for a proportion, as (lower, upper) on the 0..1 scale.

    Fingertips uses Wilson rather than the normal approximation because it stays
    inside [0, 1] and behaves well for small numerators and for 0 or n events.
    Limits are NaN where the denominator is 0 or either input is NaN; the lower
    limit is exactly 0 when the numerator is 0 and the upper exactly 1 when the
    numerator equals the denominator.
    """
    (x, n), scalar = _floats(numerator, denominator)
    _check_counts(x, n)
    if np.any((x > n) & (n > 0)):
        raise ValueError("numerator must not exceed denominator for a proportion")
    z = _z(confidence)
    valid = n > 0  # False for NaN too
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = 2 * x + z**2
        spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
        scale = 2 * (n + z**2)
        lower = np.where(x == 0, 0.0, (centre - spread) / scale)
        upper = np.where(x == n, 1.0, (centre + spread) / scale)
    lower = np.where(valid & ~np.isnan(x), lower, np.nan)
    upper = np.where(valid & ~np.isnan(x), upper, np.nan)
    return _out(lower, scalar), _out(upper, scalar)


def poisson_count_ci(
    count: ArrayLike, confidence: float = 0.95
) -> tuple[FloatOrArray, FloatOrArray]:
    """Interval for a Poisson count: exact (chi-square) below 10, Byar's from 10.

    This is the Fingertips rule for rates (PHStatsMethods ``byars_lower`` /
    ``byars_upper``). For a count of 0 the lower limit is 0 (PHStatsMethods
    returns NaN / raises there; Fingertips publishes 0). Divide by the
    denominator to get a rate interval - see :func:`byars_ci`.
    """
    (x,), scalar = _floats(count)
    # A sum of apportioned parts a hair off a whole number (3.9999999999999996) is that number,
    # as in the build's SQL (settled_count): the interval must not depend on summation order.
    x = np.where(np.abs(x - np.round(x)) < 1e-9, np.round(x), x)
    _check_counts(x)
    alpha = 1 - confidence
    z = _z(confidence)
    exact = x < BYARS_MIN_COUNT  # False for NaN, which then propagates via Byar's
    xe = np.where(exact, x, 0.0)  # keep each branch away from the other's domain
    xb = np.where(exact, float(BYARS_MIN_COUNT), x)
    exact_lower = np.where(xe == 0, 0.0, stats.chi2.ppf(alpha / 2, 2 * xe) / 2)
    exact_upper = stats.chi2.ppf(1 - alpha / 2, 2 * xe + 2) / 2
    byars_lower = xb * (1 - 1 / (9 * xb) - z / (3 * np.sqrt(xb))) ** 3
    byars_upper = (xb + 1) * (1 - 1 / (9 * (xb + 1)) + z / (3 * np.sqrt(xb + 1))) ** 3
    lower = np.where(exact, exact_lower, byars_lower)
    upper = np.where(exact, exact_upper, byars_upper)
    return _out(lower, scalar), _out(upper, scalar)


def byars_ci(
    count: ArrayLike,
    denominator: ArrayLike,
    confidence: float = 0.95,
    multiplier: float = 1,
) -> tuple[FloatOrArray, FloatOrArray]:
    """Interval for the rate count / denominator * multiplier, as (lower, upper).

    Uses :func:`poisson_count_ci` (Byar's, or exact Poisson when count < 10, as
    PHStatsMethods ``ph_rate``) and scales by multiplier / denominator. NaN where
    the denominator is 0 or NaN.
    """
    (x, d), scalar = _floats(count, denominator)
    _check_counts(x, d)
    lower, upper = poisson_count_ci(x, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(d > 0, multiplier / d, np.nan)
    return _out(lower * scale, scalar), _out(upper * scale, scalar)


def exact_poisson_limits_table(
    confidences: tuple[float, ...] = FINGERTIPS_CONFIDENCE_LEVELS,
) -> list[tuple[int, float, float, float]]:
    """Rows (count, confidence, lower, upper) of exact Poisson limits for counts 0..9.

    DuckDB has no chi-square quantile function, so the SQL macros in
    ``transforms/macros.sql`` look the small-count limits up in a table
    ``ref_exact_poisson_limits`` built from these rows. Limits are counts, not
    rates.
    """
    counts = np.arange(BYARS_MIN_COUNT, dtype=float)
    rows = []
    for confidence in confidences:
        lower, upper = poisson_count_ci(counts, confidence)
        rows += [
            (int(c), float(confidence), float(lo), float(hi))
            for c, lo, hi in zip(counts, lower, upper, strict=True)
        ]
    return rows


# --------------------------------------------------------------------------- benchmarking


def compare_with_comparator(
    value: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    comparator_value: ArrayLike,
    polarity: str | ArrayLike,
) -> StrOrArray:
    """Fingertips benchmarking label for an area against a comparator (e.g. England).

    The area differs from the comparator only when the comparator lies strictly
    outside the area's confidence interval. Differences are labelled 'better' /
    'worse' according to polarity ('higher_is_better' or 'higher_is_worse'), or
    'higher' / 'lower' for 'no_judgement'. Otherwise 'similar'. Any missing
    value, limit or comparator gives 'not_compared'.
    """
    (v, lo, hi, comp), scalar = _floats(value, lower, upper, comparator_value)
    pol = np.asarray(polarity, dtype=object)
    scalar = scalar and pol.ndim == 0
    pol = np.broadcast_to(pol, np.broadcast_shapes(pol.shape, v.shape))
    _check_polarity(pol)
    v, lo, hi, comp = (np.broadcast_to(a, pol.shape) for a in (v, lo, hi, comp))

    missing = np.isnan(v) | np.isnan(lo) | np.isnan(hi) | np.isnan(comp)
    higher = ~missing & (lo > comp)
    lower_ = ~missing & (hi < comp)
    good_if_high = pol == "higher_is_better"
    bad_if_high = pol == "higher_is_worse"

    out = np.full(pol.shape, "similar", dtype=object)
    out[missing] = "not_compared"
    out[higher] = "higher"
    out[lower_] = "lower"
    out[(higher & good_if_high) | (lower_ & bad_if_high)] = "better"
    out[(higher & bad_if_high) | (lower_ & good_if_high)] = "worse"
    return _out(out, scalar)


# --------------------------------------------------------------------------- change


@dataclass(frozen=True)
class ChangeResult:
    """Outcome of testing change between a baseline and a current period.

    ``difference`` is current - baseline on the indicator's scale (times the
    multiplier). ``estimate``/``lower``/``upper`` describe the statistic that is
    tested: the same difference for proportions (null value 0), the ratio of
    current to baseline rate for rates (null value 1). ``label`` is one of
    'significantly higher', 'significantly lower', 'no significant change',
    'not tested'.
    """

    difference: FloatOrArray
    estimate: FloatOrArray
    lower: FloatOrArray
    upper: FloatOrArray
    significant: BoolOrArray
    label: StrOrArray


def _newcombe(
    x0: NDArray[np.float64],
    n0: NDArray[np.float64],
    x1: NDArray[np.float64],
    n1: NDArray[np.float64],
    confidence: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Difference p1 - p0 with Newcombe's hybrid score interval (method 10).

    Combines the two Wilson intervals, so it inherits their good small-sample
    behaviour and never needs a continuity correction.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        p0, p1 = x0 / n0, x1 / n1
    l0, u0 = wilson_ci(x0, n0, confidence)
    l1, u1 = wilson_ci(x1, n1, confidence)
    d = p1 - p0
    lower = d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    upper = d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return d, lower, upper


def _rate_ratio(
    x0: NDArray[np.float64],
    d0: NDArray[np.float64],
    x1: NDArray[np.float64],
    d1: NDArray[np.float64],
    confidence: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Ratio (x1/d1)/(x0/d0) with the exact conditional (Clopper-Pearson) interval.

    Given the total x0 + x1, the current count is binomial with
    p = RR*d1 / (RR*d1 + d0); an exact interval for p maps to one for RR. Exact
    rather than log-normal because it is valid for small counts and zeros (a zero
    count gives a 0 or infinite limit instead of a failure).
    """
    alpha = 1 - confidence
    total = x0 + x1
    with np.errstate(divide="ignore", invalid="ignore"):
        p_lo = np.where(x1 > 0, stats.beta.ppf(alpha / 2, x1, x0 + 1), 0.0)
        p_hi = np.where(x0 > 0, stats.beta.ppf(1 - alpha / 2, x1 + 1, x0), 1.0)
        p_lo = np.where(total > 0, p_lo, 0.0)
        p_hi = np.where(total > 0, p_hi, 1.0)
        scale = d0 / d1
        ratio = (x1 / d1) / (x0 / d0)
        lower = p_lo / (1 - p_lo) * scale
        upper = np.where(p_hi < 1, p_hi / (1 - p_hi) * scale, np.inf)
    return ratio, lower, upper


def change_since_baseline(
    baseline_numerator: ArrayLike,
    baseline_denominator: ArrayLike,
    current_numerator: ArrayLike,
    current_denominator: ArrayLike,
    kind: str | ArrayLike,
    confidence: float = 0.95,
    multiplier: float = 1,
) -> ChangeResult:
    """Is the current period significantly different from the baseline?

    ``kind`` (scalar or per row) selects the test:

    * 'proportion' - numerators out of denominators; Newcombe's hybrid score
      interval (method 10, no continuity correction) for current - baseline;
      significant when it excludes 0.
    * 'rate' - Poisson event counts over person-time/population; exact
      conditional binomial interval for the ratio current/baseline; significant
      when it excludes 1.
    * 'other' - values that are not counts (scores, means): 'not tested'.

    Rows with a missing count or a missing/zero denominator are also 'not
    tested'. The change is judged on the raw periods: it does not allow for the
    two periods sharing people (e.g. overlapping rolling 3-year windows), which
    makes it conservative in that case.
    """
    (x0, n0, x1, n1), kinds, scalar = _change_inputs(
        baseline_numerator, baseline_denominator, current_numerator, current_denominator, kind
    )
    testable = ~(np.isnan(x0) | np.isnan(x1)) & (n0 > 0) & (n1 > 0) & (kinds != "other")
    difference, estimate, lower, upper = _change_estimates(
        x0, n0, x1, n1, kinds, testable, confidence, multiplier
    )
    null = np.where(kinds == "rate", 1.0, 0.0)  # no-change value of the tested statistic
    above, below = lower > null, upper < null  # NaN compares False
    significant = testable & (above | below)
    label = np.full(kinds.shape, NO_SIGNIFICANT_CHANGE, dtype=object)
    label[~testable] = NOT_TESTED
    label[testable & above] = SIGNIFICANTLY_HIGHER
    label[testable & below] = SIGNIFICANTLY_LOWER
    return ChangeResult(
        difference=_out(difference, scalar),
        estimate=_out(estimate, scalar),
        lower=_out(lower, scalar),
        upper=_out(upper, scalar),
        significant=_out(significant, scalar),
        label=_out(label, scalar),
    )


def _change_inputs(
    x0: ArrayLike, n0: ArrayLike, x1: ArrayLike, n1: ArrayLike, kind: str | ArrayLike
) -> tuple[list[NDArray[np.float64]], NDArray[np.object_], bool]:
    """The four counts and the kinds broadcast to one shape (kinds checked), and whether every
    input was a scalar."""
    counts, scalar = _floats(x0, n0, x1, n1)
    kinds = np.asarray(kind, dtype=object)
    scalar = scalar and kinds.ndim == 0
    shape = np.broadcast_shapes(kinds.shape, counts[0].shape)
    kinds = np.broadcast_to(kinds, shape)
    bad = set(kinds.ravel().tolist()) - set(CHANGE_KINDS)
    if bad:
        raise ValueError(f"unknown kind {sorted(map(str, bad))}; expected one of {CHANGE_KINDS}")
    return [np.broadcast_to(c, shape) for c in counts], kinds, scalar


def _change_estimates(
    x0: NDArray[np.float64],
    n0: NDArray[np.float64],
    x1: NDArray[np.float64],
    n1: NDArray[np.float64],
    kinds: NDArray[np.object_],
    testable: NDArray[np.bool_],
    confidence: float,
    multiplier: float,
) -> tuple[NDArray[np.float64], ...]:
    """(difference, estimate, lower, upper) of each testable row: Newcombe for proportions,
    the exact rate ratio for rates; NaN elsewhere."""
    is_prop = testable & (kinds == "proportion")
    is_rate = testable & (kinds == "rate")
    nan = np.full(kinds.shape, np.nan)
    difference, estimate, lower, upper = nan.copy(), nan.copy(), nan.copy(), nan.copy()
    if is_prop.any():
        d, lo, hi = _newcombe(x0[is_prop], n0[is_prop], x1[is_prop], n1[is_prop], confidence)
        difference[is_prop] = estimate[is_prop] = d * multiplier
        lower[is_prop], upper[is_prop] = lo * multiplier, hi * multiplier
    if is_rate.any():
        _check_counts(x0[is_rate], n0[is_rate], x1[is_rate], n1[is_rate])
        r, lo, hi = _rate_ratio(x0[is_rate], n0[is_rate], x1[is_rate], n1[is_rate], confidence)
        difference[is_rate] = (x1[is_rate] / n1[is_rate] - x0[is_rate] / n0[is_rate]) * multiplier
        estimate[is_rate], lower[is_rate], upper[is_rate] = r, lo, hi
    return difference, estimate, lower, upper


def change_direction(label: str | ArrayLike, polarity: str | ArrayLike) -> StrOrArray:
    """Turn a change label into 'improved' / 'worsened' for display.

    'no significant change' and 'not tested' pass through. For polarity
    'no_judgement' a significant change cannot be called good or bad, so it is
    reported as 'increased' / 'decreased'.
    """
    labels, pols = np.broadcast_arrays(
        np.asarray(label, dtype=object), np.asarray(polarity, dtype=object)
    )
    scalar = labels.ndim == 0
    _check_polarity(pols)
    known = {SIGNIFICANTLY_HIGHER, SIGNIFICANTLY_LOWER, NO_SIGNIFICANT_CHANGE, NOT_TESTED}
    bad = set(labels.ravel().tolist()) - known
    if bad:
        raise ValueError(f"unknown change label {sorted(map(str, bad))}")

    up, down = labels == SIGNIFICANTLY_HIGHER, labels == SIGNIFICANTLY_LOWER
    good_if_high, bad_if_high = pols == "higher_is_better", pols == "higher_is_worse"
    out = np.array(labels, dtype=object, copy=True)
    out[up] = "increased"
    out[down] = "decreased"
    out[(up & good_if_high) | (down & bad_if_high)] = "improved"
    out[(up & bad_if_high) | (down & good_if_high)] = "worsened"
    return _out(out, scalar)


# --------------------------------------------------------------------------- inequality


@dataclass(frozen=True)
class SIIResult:
    """Slope and relative index of inequality with their interval.

    ``sii`` = fitted value for the least deprived end (rank 1) minus the most
    deprived end (rank 0), so it is positive when values rise as deprivation
    falls (e.g. life expectancy). ``rii`` = fitted(rank 1) / fitted(rank 0).
    ``method`` is 'simulation' or 'regression' (see
    :func:`slope_index_of_inequality`).
    """

    sii: float
    sii_lower: float
    sii_upper: float
    rii: float
    rii_lower: float
    rii_upper: float
    method: str


def slope_index_of_inequality(
    values: ArrayLike,
    populations: ArrayLike,
    deprivation_order: ArrayLike,
    confidence: float = 0.95,
    *,
    standard_errors: ArrayLike | None = None,
    repetitions: int = 100_000,
    seed: int = 2024,
) -> SIIResult:
    """SII/RII of one area's values across deprivation groups (e.g. national deciles).

    Follows PHE/OHID ``phe_sii``: groups are ordered by ``deprivation_order``
    (lower = more deprived, e.g. IMD decile 1..10); each gets the relative rank
    of the midpoint of its share of the cumulative population (0 = most, 1 =
    least deprived); the value is regressed on rank by least squares weighted by
    population share (the sqrt(a) transform in ``phe_sii``).

    Interval:

    * with ``standard_errors`` (of each group's value): PHE's Monte Carlo method
      - values are redrawn from N(value, se) ``repetitions`` times with a fixed
      ``seed`` and the SII/RII percentiles taken (PHE ``value_type = 0``, i.e. no
      log/logit transform). This reflects sampling error in each decile.
    * otherwise: analytic interval from the weighted regression (t with k - 2
      df; RII by the delta method). This reflects only scatter about the line.

    Groups with zero population are dropped. Missing values/populations, or
    fewer than 3 groups left, give an all-NaN result.
    """
    method = "regression" if standard_errors is None else "simulation"
    groups = _sii_groups(values, populations, deprivation_order, standard_errors)
    if groups is None:
        return SIIResult(*(np.nan,) * 6, method=method)
    y, share, se = groups
    rank = np.cumsum(share) - share / 2
    sqrt_a = np.sqrt(share)
    design = np.column_stack([sqrt_a, rank * sqrt_a])  # intercept, slope (phe_sii model)
    gram_inv = np.linalg.inv(design.T @ design)
    intercept, slope = gram_inv @ design.T @ (sqrt_a * y)
    rii = (intercept + slope) / intercept
    if se is None:
        limits = _sii_regression_limits(y, design, gram_inv, (intercept, slope), confidence)
    else:
        limits = _sii_simulation_limits(y, se, design, gram_inv, confidence, repetitions, seed)
    lo_s, hi_s, lo_r, hi_r = (float(v) for v in limits)
    return SIIResult(float(slope), lo_s, hi_s, float(rii), lo_r, hi_r, method)


def _sii_groups(
    values: ArrayLike,
    populations: ArrayLike,
    deprivation_order: ArrayLike,
    standard_errors: ArrayLike | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64] | None] | None:
    """The groups with a population, most deprived first: (values, population shares,
    standard errors or None). None when a figure is missing or fewer than 3 groups are left;
    ValueError for inputs that do not fit together."""
    y, pop, order = (
        np.asarray(a, dtype=float).ravel() for a in (values, populations, deprivation_order)
    )
    se = None if standard_errors is None else np.asarray(standard_errors, dtype=float).ravel()
    if not (len(y) == len(pop) == len(order) and (se is None or len(se) == len(y))):
        raise ValueError("values, populations, deprivation_order (and standard_errors) must align")
    if np.any(pop < 0):
        raise ValueError("populations must not be negative")
    if len(np.unique(order)) != len(order):
        raise ValueError("deprivation_order must not contain duplicates")
    keep = pop != 0
    y, pop, order = y[keep], pop[keep], order[keep]
    se = None if se is None else se[keep]
    inputs = [y, pop, order] + ([] if se is None else [se])
    if len(y) < 3 or any(np.isnan(a).any() for a in inputs):
        return None
    idx = np.argsort(order)
    pop = pop[idx]
    return y[idx], pop / pop.sum(), None if se is None else se[idx]


def _sii_regression_limits(
    y: NDArray[np.float64],
    design: NDArray[np.float64],
    gram_inv: NDArray[np.float64],
    coefficients: tuple[float, float],
    confidence: float,
) -> tuple[float, float, float, float]:
    """SII and RII limits from the weighted regression: t with k - 2 df, RII by the delta
    method."""
    intercept, slope = coefficients
    sqrt_a = design[:, 0]
    resid = sqrt_a * y - design @ np.array([intercept, slope])
    df = len(y) - 2
    cov = gram_inv * (resid @ resid) / df
    t = stats.t.ppf(0.5 + confidence / 2, df)
    sii_half = t * np.sqrt(cov[1, 1])
    rii = (intercept + slope) / intercept
    grad = np.array([-slope / intercept**2, 1 / intercept])
    rii_half = t * np.sqrt(grad @ cov @ grad)
    return slope - sii_half, slope + sii_half, rii - rii_half, rii + rii_half


def _sii_simulation_limits(
    y: NDArray[np.float64],
    se: NDArray[np.float64],
    design: NDArray[np.float64],
    gram_inv: NDArray[np.float64],
    confidence: float,
    repetitions: int,
    seed: int,
) -> tuple[float, float, float, float]:
    """SII and RII limits by PHE's Monte Carlo method: values redrawn from N(value, se)."""
    sqrt_a = design[:, 0]
    rng = np.random.default_rng(seed)
    sims = rng.normal(y[:, None], se[:, None], size=(len(y), repetitions))
    coefs = gram_inv @ design.T @ (sqrt_a[:, None] * sims)
    sim_rii = (coefs[0] + coefs[1]) / coefs[0]
    q = [(1 - confidence) / 2, 0.5 + confidence / 2]
    (s_lo, s_hi), (r_lo, r_hi) = np.quantile(coefs[1], q), np.quantile(sim_rii, q)
    return s_lo, s_hi, r_lo, r_hi


# --------------------------------------------------------------------------- trend

#: Fingertips' recent trend uses the latest five points.
TREND_POINTS = 5
#: Chi-square (1 df) critical value at 99.8%, as Fingertips uses (3.0902 ** 2).
TREND_CHI_SQUARE = float(stats.chi2.ppf(0.998, 1))
#: 95% interval width in standard errors (2 x 1.96), as Fingertips converts CIs to variances.
CI95_WIDTH_SE = 3.92

INCREASING = "increasing"
DECREASING = "decreasing"
NO_SIGNIFICANT_TREND = "no significant change"
TREND_NOT_CALCULATED = "could not be calculated"


@dataclass(frozen=True)
class TrendResult:
    """A recent trend over the latest five points, the way Fingertips marks it.

    ``direction`` is 'increasing', 'decreasing', 'no significant change' or 'could not be
    calculated' (``reason`` then says why). ``chi_square`` is the test statistic (1 df) and
    ``slope`` the fitted change per period (logit scale for proportions)."""

    direction: str
    chi_square: float
    slope: float
    points: int
    reason: str = ""


def _not_calculated(reason: str, points: int = 0) -> TrendResult:
    return TrendResult(TREND_NOT_CALCULATED, math.nan, math.nan, points, reason)


def _signs_agree(slope_of, n: int) -> bool:
    """Fingertips' outlier check: the slope keeps its sign when any one point is left out.
    `slope_of(keep)` fits the points where the boolean mask `keep` is true."""
    everything = np.ones(n, dtype=bool)
    masks = [everything] + [everything & (np.arange(n) != i) for i in range(n)]
    signs = [np.sign(slope_of(mask)) for mask in masks]
    return all(s == signs[0] and s != 0 for s in signs)


def _weighted_trend(values: NDArray[np.float64], weights: NDArray[np.float64]) -> TrendResult:
    """Weighted least squares of value on period index (weights 1/variance): the slope's
    chi-square is (slope / SE)^2."""
    t = np.arange(1, len(values) + 1, dtype=float)

    def slope_of(keep: NDArray[np.bool_]) -> float:
        w, x, y = weights[keep], t[keep], values[keep]
        s1, s3, s5 = w.sum(), (w * x).sum(), (w * x * x).sum()
        return float((s1 * (w * x * y).sum() - s3 * (w * y).sum()) / (s1 * s5 - s3**2))

    s1, s3, s5 = weights.sum(), (weights * t).sum(), (weights * t * t).sum()
    slope = slope_of(np.ones(len(t), dtype=bool))
    chi_square = slope**2 / (s1 / (s1 * s5 - s3**2))
    return _marked(slope, chi_square, _signs_agree(slope_of, len(t)), len(t))


def _proportion_trend(counts: NDArray[np.float64], totals: NDArray[np.float64]) -> TrendResult:
    """The chi-squared test for trend in proportions (Cochran-Armitage), with the direction
    and outlier check from the least-squares slope of the log odds."""
    t = np.arange(1, len(counts) + 1, dtype=float)
    big_n, x_sum = totals.sum(), counts.sum()
    numerator = big_n * (big_n * (counts * t).sum() - x_sum * (totals * t).sum()) ** 2
    denominator = (
        x_sum * (big_n - x_sum) * (big_n * (totals * t * t).sum() - (totals * t).sum() ** 2)
    )
    log_odds = np.log(counts / (totals - counts))

    def slope_of(keep: NDArray[np.bool_]) -> float:
        return float(np.polyfit(t[keep], log_odds[keep], 1)[0])

    slope = slope_of(np.ones(len(t), dtype=bool))
    return _marked(slope, numerator / denominator, _signs_agree(slope_of, len(t)), len(t))


def _marked(slope: float, chi_square: float, consistent: bool, points: int) -> TrendResult:
    significant = consistent and chi_square > TREND_CHI_SQUARE
    direction = NO_SIGNIFICANT_TREND
    if significant:
        direction = INCREASING if slope > 0 else DECREASING
    return TrendResult(direction, float(chi_square), float(slope), points)


def recent_trend(
    values: ArrayLike,
    lower95: ArrayLike | None = None,
    upper95: ArrayLike | None = None,
    numerators: ArrayLike | None = None,
    denominators: ArrayLike | None = None,
    kind: str = "rate",
) -> TrendResult:
    """Fingertips' recent trend over the latest five points of a series in time order.

    * 'proportion': the chi-squared test for trend on numerators out of denominators (needs
      no count of 0 or equal to its denominator: the log odds must exist);
    * 'rate' (or any value with a 95% interval): weighted least squares of value on period,
      weights the inverse variance read from the interval (width / 3.92), chi-square of the
      slope.

    Significant when the chi-square exceeds the 99.8% critical value (1 df) and the slope keeps
    its sign whichever single point is left out (Fingertips' outlier check). Periods are
    counted 1..5 whatever the gaps between them, as in Fingertips. Points with a missing value
    (or interval, or counts) are dropped first; fewer than five left: 'could not be
    calculated'."""
    columns = [values, lower95, upper95, numerators, denominators]
    n = len(np.asarray(values, dtype=float))
    arrays = [np.full(n, np.nan) if c is None else np.asarray(c, dtype=float) for c in columns]
    y, lo, hi, x, d = arrays
    if kind == "proportion":
        valid = ~(np.isnan(x) | np.isnan(d)) & (d > 0)
        x, d = x[valid][-TREND_POINTS:], d[valid][-TREND_POINTS:]
        if len(x) < TREND_POINTS:
            return _not_calculated(f"fewer than {TREND_POINTS} periods with counts", len(x))
        if np.any(x <= 0) or np.any(x >= d):
            return _not_calculated("a count of 0 or of the whole denominator", len(x))
        return _proportion_trend(x, d)
    valid = ~(np.isnan(y) | np.isnan(lo) | np.isnan(hi)) & (hi > lo)
    y, lo, hi = y[valid][-TREND_POINTS:], lo[valid][-TREND_POINTS:], hi[valid][-TREND_POINTS:]
    if len(y) < TREND_POINTS:
        return _not_calculated(f"fewer than {TREND_POINTS} periods with intervals", len(y))
    return _weighted_trend(y, 1 / ((hi - lo) / CI95_WIDTH_SE) ** 2)


def trend_marker(direction: str, polarity: str) -> str:
    """Fingertips' marker words, e.g. 'Increasing and getting worse'; 'Increasing' alone where
    higher is neither better nor worse."""
    _check_polarity(np.asarray(polarity, dtype=object))
    if direction not in (INCREASING, DECREASING):
        return direction[:1].upper() + direction[1:]
    better = (direction == INCREASING) == (polarity == "higher_is_better")
    if polarity == "no_judgement":
        return direction.capitalize()
    return f"{direction.capitalize()} and getting {'better' if better else 'worse'}"
