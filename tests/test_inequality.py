"""Inequality page: the indicator by national IMD decile and the slope index of inequality.

Synthetic frames (labelled '# synthetic') cover indicators with confidence intervals, which the
bundled data does not have yet; real-data tests use the real build.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outcomes import analysis, charts, db, inequality, queries, stats
from tests import synthetic
from tests.apptest import chart_specs

PROJECT_DIR = Path(__file__).resolve().parents[1]
PAGE = PROJECT_DIR / "pages" / "inequality.py"
TRAFFORD = "E08000009"
LOCALITIES = "E08000009_localities2023"

WILSON = analysis.IndicatorMeta(
    "synthetic_pct", "Synthetic proportion", "%", "higher_is_worse", "ratio", "wilson", 100.0
)
WEIGHTED = analysis.IndicatorMeta(
    "synthetic_mean", "Synthetic score", "score", "higher_is_worse", "weighted_mean", "none", 1.0
)
WAVES = pd.DataFrame(
    {
        "period": ["2010", "2015", "2019", "2025"],
        "period_start": pd.to_datetime(["2010-01-01", "2015-01-01", "2019-01-01", "2025-01-01"]),
    }
)


# --------------------------------------------------------------------------- choosing periods


@pytest.mark.parametrize(
    ("period", "start", "expected"),
    [
        ("2019", "2019-01-01", ("2019", True)),
        ("2017", "2017-06-30", ("2019", False)),
        ("2021", "2021-03-21", ("2019", False)),
        ("2023/24", "2023-04-01", ("2025", False)),
        ("2012", "2012-07-02", ("2010", False)),  # 913 days either side: a tie, the earlier
        ("2030", "2030-01-01", ("2025", False)),
    ],
)
def test_nearest_wave(period, start, expected):
    assert inequality.nearest_period(period, pd.Timestamp(start), WAVES) == expected


def test_nearest_period_without_candidates():
    assert inequality.nearest_period("2019", pd.Timestamp("2019-01-01"), WAVES.iloc[:0]) is None


# --------------------------------------------------------------------------- decile values


def _synthetic_sums() -> pd.DataFrame:
    # synthetic: ten deciles with falling rates, decile 3 absent from the borough
    deciles = [1, 2, 4, 5, 6, 7, 8, 9, 10]
    denominators = np.array([1000, 1500, 800, 1200, 900, 1100, 2000, 1600, 1800], dtype=float)
    rates = np.array([0.30, 0.27, 0.22, 0.20, 0.18, 0.16, 0.13, 0.11, 0.08])
    return pd.DataFrame(
        {
            "imd_decile": deciles,
            "lsoas": [3, 4, 2, 3, 2, 3, 5, 4, 5],
            "lsoas_with_data": [3, 4, 2, 3, 2, 3, 5, 4, 5],
            "numerator": np.round(rates * denominators),
            "denominator": denominators,
            "population": denominators * 1.1,
        }
    )


def _wilson_sums() -> pd.DataFrame:
    return synthetic.with_values(_synthetic_sums(), WILSON)


def test_decile_values_come_from_summed_counts_with_wilson_intervals():
    deciles = inequality.decile_table(_wilson_sums(), WILSON, "95")
    first = deciles.iloc[0]
    assert first.value == pytest.approx(30.0)
    low, high = stats.wilson_ci(300, 1000, 0.95)
    assert (first.lower, first.upper) == pytest.approx((low * 100, high * 100))
    assert first.se == pytest.approx((high - low) * 100 / (2 * 1.959964), rel=1e-6)
    assert (deciles.weight_source == "population").all()
    assert deciles.weight.iloc[0] == pytest.approx(1100.0)


def test_weighted_means_are_not_averages_of_lsoa_values():
    # synthetic: two LSOAs in decile 1 (scores 10 for 100 people, 40 for 300) held as
    # value x population over population, as int_lsoa21_indicator_inputs does
    sums = pd.DataFrame(
        {
            "imd_decile": [1],
            "lsoas": [2],
            "lsoas_with_data": [2],
            "numerator": [10 * 100 + 40 * 300],
            "denominator": [400.0],
            "population": [np.nan],
        }
    )
    deciles = inequality.decile_table(synthetic.with_values(sums, WEIGHTED), WEIGHTED, "95")
    assert deciles.value[0] == pytest.approx(32.5)  # not (10 + 40) / 2 = 25
    assert np.isnan(deciles.lower[0]) and np.isnan(deciles.se[0])
    assert deciles.weight_source[0] == "denominator"  # no population estimate: denominators


def test_sii_uses_simulation_with_a_ci_and_regression_without():
    deciles = inequality.decile_table(_wilson_sums(), WILSON, "95")
    result = inequality.slope_index(deciles, WILSON, "95")
    assert result.method == "simulation"
    assert result.sii < 0 and result.sii_lower < result.sii < result.sii_upper
    direct = stats.slope_index_of_inequality(
        deciles.value, deciles.weight, deciles.imd_decile, standard_errors=deciles.se
    )
    assert result.sii == pytest.approx(direct.sii)
    complete = inequality.slope_index(deciles, WEIGHTED, "998")
    assert complete.method == "regression"
    assert complete.sii == pytest.approx(result.sii)


def test_sii_sentence_reads_as_the_gap_between_the_ends():
    result = stats.SIIResult(-12.34, -14.8, -9.8, 0.5, 0.4, 0.6, "simulation")
    sentence = inequality.sii_sentence(result, WILSON, "Trafford", "95")
    assert sentence == (
        "Across Trafford, the estimated gap in synthetic proportion between the most and least "
        "deprived ends of the borough is 12.3 percentage points (95% CI 9.8 to 14.8), higher "
        "at the most deprived end."
    )
    rising = stats.SIIResult(2.0, -1.0, 5.0, 1.1, 0.9, 1.3, "regression")
    text = inequality.sii_sentence(rising, WEIGHTED, "Wigan", "998")
    assert "2.0 points (99.8% CI -5.0 to 1.0), lower at the most deprived end" in text
    assert "may be due to chance" in text
    empty = stats.SIIResult(*(np.nan,) * 6, method="regression")
    assert "at least three" in inequality.sii_sentence(empty, WILSON, "Wigan", "95")


def test_sii_caveats():
    iod = pd.Series(
        {
            "indicator_id": "income_deprived_pct",
            "name": "Income deprivation rate",
            "aggregation": "weighted_mean",
            "source": "English Indices of Deprivation 2010, 2015, 2019 and 2025",
        }
    )
    compute, caveat = inequality.sii_caveat(iod)
    assert compute and "circular" in caveat
    count = iod.copy()
    count[["indicator_id", "name", "aggregation", "source"]] = [
        "population",
        "Population",
        "sum",
        "ONS",
    ]
    compute, caveat = inequality.sii_caveat(count)
    assert not compute and "total" in caveat
    other = iod.copy()
    other[["indicator_id", "source"]] = ["dna_rate_pct", "NHS England appointments"]
    assert inequality.sii_caveat(other) == (True, None)


def test_decile_chart_and_table():
    deciles = inequality.decile_table(_wilson_sums(), WILSON, "95")
    fig = charts.decile_chart(
        deciles,
        borough_name="Trafford",
        borough_value=18.0,
        unit="%",
        title="t",
        subtitle="s",
        source="src",
        y_title="y",
    )
    bar = fig.data[0]
    assert list(bar.x) == [1, 2, 4, 5, 6, 7, 8, 9, 10] and bar.error_y.array is not None
    assert fig.data[1].name == "Trafford: 18.0%"
    assert "0 LSOAs" in fig.layout.xaxis.ticktext[2]
    table = inequality.decile_display(deciles, WILSON, "95", "2024", "2019")
    assert {"lower_ci95", "upper_ci95", "numerator", "sii_weight"} <= set(table.columns)
    assert (table.iod_wave == "2019").all()


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def con(real_db):
    base = db.open_database(real_db, Path(real_db).parent / "inequality_user.duckdb")
    yield db.cursor(base)
    base.close()


def test_real_trafford_deciles_add_up_to_the_borough(con):
    sums = queries.decile_sums(con, TRAFFORD, "imd_score", "2019", "2019", "2019")
    assert sums.imd_decile.tolist() == list(range(1, 11))
    assert sums.lsoas.tolist() == [7, 6, 12, 10, 13, 8, 14, 21, 17, 31]
    assert sums.lsoas.sum() == 139
    assert sums.numerator.sum() / sums.denominator.sum() == pytest.approx(16.088, abs=1e-3)
    cat = queries.catalogue(con)
    meta = analysis.IndicatorMeta.from_row(cat[cat.indicator_id == "imd_score"].iloc[0])
    deciles = inequality.decile_table(sums, meta, "95")
    assert deciles.value.is_monotonic_decreasing  # more deprived deciles score higher
    assert (deciles.weight_source == "population").all()
    assert deciles.weight.sum() == pytest.approx(
        queries.decile_sums(con, TRAFFORD, "population", "2019", "2019", "2019").numerator.sum()
    )


def test_real_trafford_income_sii(con):
    cat = queries.catalogue(con)
    row = cat[cat.indicator_id == "income_deprived_pct"].iloc[0]
    meta = analysis.IndicatorMeta.from_row(row)
    sums = queries.decile_sums(con, TRAFFORD, "income_deprived_pct", "2025", "2025", "2021")
    deciles = inequality.decile_table(sums, meta, "95")
    result = inequality.slope_index(deciles, meta, "95")
    assert result.method == "regression" and result.sii < 0
    sentence = inequality.sii_sentence(result, meta, "Trafford", "95")
    assert sentence.startswith("Across Trafford, the estimated gap in income deprivation rate")
    assert "higher at the most deprived end" in sentence
    assert "circular" in inequality.sii_caveat(row)[1]


# --------------------------------------------------------------------------- the page


@pytest.fixture
def app(page_app):
    """This page, run through the router (tests/conftest.py `page_app`)."""
    return lambda **params: page_app(PAGE, **params)


def _texts(at) -> str:
    kinds = ("markdown", "info", "warning", "caption")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def test_page_real_trafford_imd_score_2019(app):
    at = app(ind="imd_score", period="2019")
    assert at.title[0].value == "Inequality in Trafford"
    assert at.subheader[0].value == "IMD average score by national deprivation decile"
    assert at.selectbox(key="inequality_period").value == "2019"
    spec = chart_specs(at)[0]
    assert "by national IMD decile, Trafford, 2019" in spec["layout"]["title"]["text"]
    borough = next(t for t in spec["data"] if (t.get("name") or "").startswith("Trafford"))
    assert borough["name"] == "Trafford: 16.1"
    bars = next(t for t in spec["data"] if t["type"] == "bar")
    assert bars["text"][0] == "51.5"  # decile 1: 609,174.8 / 11,818 (value x population summed)
    text = _texts(at)
    assert "the same wave as the period" in text
    assert "Across Trafford, the estimated gap in IMD average score" in text
    assert "circular" in text  # said next to the number
    assert len(at.get("download_button")) == 1


def test_page_population_uses_the_nearest_wave_and_gives_no_sii(app):
    at = app(ind="population")
    assert at.selectbox(key="inequality_period").value == "2021"
    text = _texts(at)
    assert "nearest wave, **IoD 2019**" in text
    assert "No slope index for Population" in text
    at.selectbox(key="inequality_period").set_value("2017").run()
    assert not at.exception
    assert "IoD 2019" in _texts(at)


def test_page_other_borough_and_ci_level(app):
    at = app(lad="E07000093", model="E07000093_wards24", ind="income_deprived_pct", ci="998")
    text = _texts(at)
    assert "Across Test Valley" in text and "99.8% CI" in text
