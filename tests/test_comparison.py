"""Compare page: ranked values, funnel limits, the spine chart and the page itself.

Unit tests on synthetic frames (labelled '# synthetic') cover indicators with confidence
intervals, which the bundled data does not have yet; real-data tests use the real build.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from outcomes import analysis, charts, comparison, db, queries, stats
from tests import synthetic
from tests.apptest import chart_specs

PROJECT_DIR = Path(__file__).resolve().parents[1]
PAGE = PROJECT_DIR / "pages" / "compare.py"
TRAFFORD = "E08000009"
LOCALITIES = "E08000009_localities2023"

WILSON = analysis.IndicatorMeta(
    "synthetic_pct", "Synthetic proportion", "%", "higher_is_worse", "ratio", "wilson", 100.0
)
BYAR = analysis.IndicatorMeta(
    "synthetic_rate", "Synthetic rate", "per 1,000", "higher_is_worse", "ratio", "byar", 1000.0
)
COMPLETE = analysis.IndicatorMeta(
    "imd_score", "IMD average score", "score", "higher_is_worse", "weighted_mean", "none", 1.0
)


# --------------------------------------------------------------------------- funnel limits


def test_wilson_funnel_limits_are_the_wilson_interval_of_the_comparator_proportion():
    # synthetic: comparator 20% and neighbourhoods of 50 to 5,000 people
    n = np.array([50.0, 500.0, 5000.0])
    limits = comparison.funnel_limits(WILSON, 20.0, n)
    for level, confidence in (("95", 0.95), ("998", 0.998)):
        low, high = stats.wilson_ci(0.2 * n, n, confidence)
        np.testing.assert_allclose(limits[f"lower_{level}"], np.asarray(low) * 100)
        np.testing.assert_allclose(limits[f"upper_{level}"], np.asarray(high) * 100)
    # independent check: the Wilson formula written out for n = 500 at 95%
    z, p, m = sps.norm.ppf(0.975), 0.2, 500
    centre, spread = (p + z**2 / (2 * m)), z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2))
    expected = np.array([centre - spread, centre + spread]) / (1 + z**2 / m) * 100
    np.testing.assert_allclose(limits.loc[1, ["lower_95", "upper_95"]], expected, rtol=1e-9)
    # funnels narrow as areas grow, and 99.8% limits lie outside 95% ones
    width = limits.upper_95 - limits.lower_95
    assert width.is_monotonic_decreasing
    assert (limits.lower_998 < limits.lower_95).all() and (limits.upper_998 > limits.upper_95).all()


def test_byar_funnel_limits_use_exact_poisson_for_small_expected_counts_and_byar_above():
    # synthetic: comparator 5 per 1,000; expected counts 5 (exact) and 50 (Byar's)
    n = np.array([1000.0, 10000.0])
    limits = comparison.funnel_limits(BYAR, 5.0, n)
    low, high = stats.byars_ci(0.005 * n, n, 0.95, 1000)
    np.testing.assert_allclose(limits.lower_95, low)
    np.testing.assert_allclose(limits.upper_95, high)
    # exact Poisson for an expected count of 5, by the chi-square formula
    exact_low, exact_high = sps.chi2.ppf(0.025, 10) / 2, sps.chi2.ppf(0.975, 12) / 2
    np.testing.assert_allclose(limits.loc[0, ["lower_95", "upper_95"]], [exact_low, exact_high])
    # Byar's for 50
    z, o = sps.norm.ppf(0.999), 50.0
    byar_low = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3 / 10
    byar_high = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3 / 10
    np.testing.assert_allclose(limits.loc[1, ["lower_998", "upper_998"]], [byar_low, byar_high])


def test_funnel_limits_refuse_an_indicator_without_a_ci_method():
    with pytest.raises(ValueError, match="no CI method"):
        comparison.funnel_limits(COMPLETE, 20.0, [100.0])


def _synthetic_ranked() -> pd.DataFrame:
    # synthetic: four neighbourhoods of 1,000 people around a 20% comparator
    return pd.DataFrame(
        {
            "area_code": ["a", "b", "c", "d"],
            "area_name": ["Ash", "Birch", "Cedar", "Damson"],
            "period": "2024",
            "numerator": [200.0, 235.0, 280.0, 150.0],
            "denominator": [1000.0] * 4,
            "value": [20.0, 23.5, 28.0, 15.0],
        }
    )


def test_funnel_points_place_each_neighbourhood_against_limits_at_its_own_size():
    points = comparison.funnel_points(_synthetic_ranked(), WILSON, 20.0, "95")
    limits = comparison.funnel_limits(WILSON, 20.0, [1000.0])
    assert limits.upper_95[0] < 23.5 < limits.upper_998[0]  # Birch: between the limits
    by_name = points.set_index("area_name")
    assert by_name.loc["Ash", "funnel_position"] == "within 95% limits"
    assert by_name.loc["Birch", "funnel_position"] == "between 95% and 99.8% limits"
    assert by_name.loc["Cedar", "funnel_position"] == "outside 99.8% limits"
    assert by_name.loc["Damson", "funnel_position"] == "outside 99.8% limits"
    # higher is worse: above the funnel is worse, below is better
    assert by_name.funnel_comparison.to_dict() == {
        "Ash": "similar",
        "Birch": "worse",
        "Cedar": "worse",
        "Damson": "better",
    }
    strict = comparison.funnel_points(_synthetic_ranked(), WILSON, 20.0, "998")
    assert strict.set_index("area_name").funnel_comparison["Birch"] == "similar"


def test_funnel_grid_covers_every_neighbourhood():
    grid = comparison.funnel_grid(pd.Series([120.0, 4000.0, np.nan]))
    assert grid.min() < 120 and grid.max() > 4000 and np.all(np.diff(grid) > 0)
    assert comparison.funnel_grid([np.nan]).size == 0


def test_funnel_reason_explains_complete_counts_and_missing_denominators():
    ranked = _synthetic_ranked()
    assert "complete count" in comparison.funnel_reason(COMPLETE, ranked)
    no_denominator = ranked.assign(denominator=np.nan)
    assert "no denominator" in comparison.funnel_reason(WILSON, no_denominator)
    assert comparison.funnel_reason(WILSON, ranked) is None


# --------------------------------------------------------------------------- ranked values


def _synthetic_values(meta: analysis.IndicatorMeta) -> pd.DataFrame:
    # synthetic: published-style rows for four neighbourhoods, a borough and England
    ranked = _synthetic_ranked()
    rows = ranked.assign(area_type="neighbourhood", indicator_id=meta.indicator_id)
    borough = pd.DataFrame(
        {
            "area_type": ["lad", "england"],
            "area_code": ["E0", "E92000001"],
            "area_name": ["Borough", "England"],
            "period": "2024",
            "numerator": [865.0, np.nan],
            "denominator": [4000.0, np.nan],
            "value": [21.625, 20.0],
            "indicator_id": meta.indicator_id,
        }
    )
    frame = pd.concat([rows, borough], ignore_index=True)
    for level in ("95", "998"):
        low, high = synthetic.interval(meta, frame.numerator, frame.denominator, level)
        frame[f"lower_ci{level}"], frame[f"upper_ci{level}"] = low, high
    return frame


def test_ranked_values_with_a_ci_use_the_fingertips_test():
    values = _synthetic_values(WILSON)
    ranked = comparison.ranked_values(values, None, WILSON, "2024", "england", "95")
    assert ranked.area_name.tolist() == ["Cedar", "Birch", "Ash", "Damson"]
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    # England 20%: Ash's interval holds it; Cedar and Birch are above; Damson below
    assert ranked.comparison.tolist() == ["worse", "worse", "similar", "better"]
    assert ranked.lower.notna().all() and (ranked.lower < ranked.value).all()
    table = comparison.ranked_table(ranked, WILSON, "95")
    assert {"Lower 95% CI", "Upper 95% CI", "Denominator"} <= set(table.columns)


def test_method_text_for_each_kind_of_indicator():
    assert "outside the neighbourhood's 99.8% confidence interval" in comparison.method_text(
        WILSON, "England", "998"
    )
    assert "complete count" in comparison.method_text(COMPLETE, "Trafford", "95")
    total = analysis.IndicatorMeta(
        "population", "Population", "people", "no_judgement", "sum", "none", 1.0
    )
    assert "not compared" in comparison.method_text(total, "Trafford", "95")


def test_ranked_values_against_the_rest_of_the_borough():
    values = _synthetic_values(WILSON)
    # synthetic: the rest of the borough of each neighbourhood, as queries.rest_of_borough
    # gives it (summed counts, value and intervals)
    rest = pd.DataFrame(
        {
            "area_code": ["a", "b", "c", "d"],
            "period": "2024",
            "numerator": [665.0, 630.0, 585.0, 715.0],
            "denominator": [3000.0] * 4,
        }
    )
    rest["value"] = rest.numerator / rest.denominator * 100
    for level in ("95", "998"):
        low, high = synthetic.interval(WILSON, rest.numerator, rest.denominator, level)
        rest[f"lower_ci{level}"], rest[f"upper_ci{level}"] = low, high
    ranked = comparison.ranked_values(values, rest, WILSON, "2024", "rest", "95")
    by_name = ranked.set_index("area_name")
    assert by_name.comparator_value["Cedar"] == pytest.approx(585 / 3000 * 100)
    assert by_name.comparison["Cedar"] == "worse"
    assert comparison.reference_value(values, "rest", "2024") is None
    assert comparison.reference_value(values, "lad", "2024") == ("Borough", 21.625)


def test_ranked_chart_colours_labels_and_reference_line():
    ranked = comparison.ranked_values(
        _synthetic_values(WILSON), None, WILSON, "2024", "england", "95"
    )
    fig = charts.ranked_chart(
        ranked,
        title="t",
        subtitle="s",
        source="src",
        x_title="x",
        unit="%",
        reference=("England", 20.0),
        comparator_name="England",
        highlight=("c",),
    )
    bars = [t for t in fig.data if t.type == "bar"]
    assert {t.name for t in bars} == {
        "Worse than England",
        "Similar to England",
        "Better than England",
    }
    worse = next(t for t in bars if t.name == "Worse than England")
    assert worse.marker.color == "#D55E00" and worse.error_x.array is not None
    text = next(t for t in fig.data if t.type == "scatter" and t.mode == "text").text
    assert "28.0% · worse" in [label.strip() for label in text]
    assert fig.layout.shapes[0].x0 == 20.0
    assert "<b>Cedar ▸</b>" in fig.layout.yaxis.ticktext


def test_funnel_chart_draws_both_limits_and_the_centre():
    points = comparison.funnel_points(_synthetic_ranked(), WILSON, 20.0, "95")
    limits = comparison.funnel_limits(WILSON, 20.0, comparison.funnel_grid(points.denominator))
    fig = charts.funnel_chart(
        points,
        limits,
        centre_name="England",
        centre_value=20.0,
        title="t",
        subtitle="s",
        source="src",
        x_title="x",
        y_title="y",
        unit="%",
    )
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert "95% limits" in names and "99.8% limits" in names and "England: 20.0%" in names
    assert "Worse than England" in names and "Better than England" in names


# --------------------------------------------------------------------------- spine chart


def test_spine_positions_put_better_to_the_right_whatever_the_polarity():
    # synthetic: one indicator of each polarity with the same numbers
    base = {
        "value": 30.0,
        "borough_value": 25.0,
        "england_value": 20.0,
        "min_value": 10.0,
        "q25_value": 15.0,
        "median_value": 22.0,
        "q75_value": 28.0,
        "max_value": 40.0,
        "aggregation": "ratio",
    }
    frame = pd.DataFrame(
        [
            {**base, "polarity": "higher_is_worse"},
            {**base, "polarity": "higher_is_better"},
            {**base, "polarity": "no_judgement"},
        ]
    )
    spine = comparison.spine_positions(frame)
    # England at 0; the furthest value (40, 20 above England) at the edge
    assert spine.pos_value.tolist() == pytest.approx([-0.5, 0.5, 0.5])
    assert spine.pos_range_low.tolist() == pytest.approx([-1.0, -0.5, -0.5])
    assert spine.pos_range_high.tolist() == pytest.approx([0.5, 1.0, 1.0])
    assert spine.oriented.tolist() == [True, True, False]


def test_spine_positions_centre_counts_on_the_borough_median():
    # synthetic: a population count, where England's total is not comparable
    frame = pd.DataFrame(
        [
            {
                "value": 60.0,
                "borough_value": 400.0,
                "england_value": 50000.0,
                "min_value": 40.0,
                "q25_value": 45.0,
                "median_value": 50.0,
                "q75_value": 55.0,
                "max_value": 70.0,
                "aggregation": "sum",
                "polarity": "no_judgement",
            }
        ]
    )
    spine = comparison.spine_positions(frame)
    assert spine.centre_name[0] == "Borough median" and spine.centre_value[0] == 50.0
    assert spine.pos_value[0] == pytest.approx(0.5) and np.isnan(spine.pos_borough[0])


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def con(real_db):
    base = db.open_database(real_db, Path(real_db).parent / "compare_user.duckdb")
    yield db.cursor(base)
    base.close()


def test_ranked_real_trafford_localities(con):
    cat = queries.catalogue(con)
    meta = analysis.IndicatorMeta.from_row(cat[cat.indicator_id == "imd_score"].iloc[0])
    values = queries.area_values(con, TRAFFORD, LOCALITIES, ("imd_score",))
    ranked = comparison.ranked_values(values, None, meta, "2019", "lad", "95")
    assert ranked.area_name.tolist() == ["North", "West", "Central", "South"]
    assert ranked.value.iloc[0] == pytest.approx(25.6797, abs=1e-3)
    assert ranked.comparator_value.iloc[0] == pytest.approx(16.088, abs=1e-3)
    assert ranked.comparison.tolist() == ["worse", "worse", "better", "better"]
    assert ranked.lower.isna().all()  # a complete count: no interval
    assert "complete count" in comparison.funnel_reason(meta, ranked)


def test_spine_real_trafford_north(con):
    cat = queries.catalogue(con)
    ids = tuple(cat[cat.aggregation != "lsoa_only"].indicator_id)
    values = queries.area_values(con, TRAFFORD, LOCALITIES, ids)
    spread = queries.neighbourhood_spread(con, LOCALITIES, ids)
    spine = comparison.spine_rows(values, spread, cat, "trafford-north", "lad", "95")
    # Every indicator with a value for North, in catalogue order; borough-only indicators
    # (e.g. sub-ICB missed appointments) have no neighbourhood row and no spine row.
    with_north = set(values[values.area_code == "trafford-north"].indicator_id)
    assert spine.indicator_id.tolist() == [i for i in ids if i in with_north]
    assert "gp_missed_appointments_pct" not in with_north
    imd = spine.set_index("indicator_id").loc["imd_score"]
    assert imd.period == "2025"
    assert imd.value == pytest.approx(24.505, abs=1e-3)
    assert imd.max_value == pytest.approx(24.505, abs=1e-3)  # North is the most deprived
    assert imd.england_value == pytest.approx(21.84, abs=0.01)
    assert imd.comparison == "worse" and imd.pos_value < 0  # worse than England: left
    assert imd.neighbourhoods == 4
    population = spine.set_index("indicator_id").loc["population"]
    assert population.period == "2021" and population.centre_name == "Borough median"
    assert population.comparison == "not compared"  # a total against a larger total
    assert set(comparison.spine_table(spine).columns) >= {"Indicator", "England", "Median"}


def test_neighbourhood_spread_real(con):
    spread = queries.neighbourhood_spread(con, LOCALITIES, ("imd_score",))
    row = spread[spread.period == "2019"].iloc[0]
    assert row.neighbourhoods == 4
    assert row.min_value == pytest.approx(8.8666, abs=1e-3)
    assert row.max_value == pytest.approx(25.6797, abs=1e-3)
    assert row.min_value <= row.q25_value <= row.median_value <= row.q75_value <= row.max_value


# --------------------------------------------------------------------------- the page


@pytest.fixture
def app(page_app):
    """This page, run through the router (tests/conftest.py `page_app`)."""
    return lambda **params: page_app(PAGE, **params)


def _specs(at) -> list[dict]:
    return chart_specs(at)


def _texts(at) -> str:
    parts = [e.value for kind in ("markdown", "info", "warning", "caption") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def test_page_real_trafford_localities(app):
    at = app(ind="imd_score", cmp="lad", nb="trafford-north")
    assert at.title[0].value == "Compare Trafford's neighbourhoods"
    assert at.selectbox(key="compare_period").value == "2025"
    ranked, spine = _specs(at)
    assert "IMD average score: Trafford neighbourhoods, 2025" in ranked["layout"]["title"]["text"]
    names = {t.get("name") for t in ranked["data"]}
    assert {"Worse than Trafford", "Better than Trafford"} <= names
    labels = next(t for t in ranked["data"] if t.get("mode") == "text")["text"]
    assert any(re.fullmatch(r"\s*24\.5 · worse", label) for label in labels)
    assert "complete count" in _texts(at)  # no funnel plot, and why
    assert "Area profile: North" in spine["layout"]["title"]["text"]
    keys = [b.key for b in at.get("download_button")]
    assert keys[:2] == ["dl-compare-ranked", "dl-compare-profile"]  # each chart's data
    assert keys[2:] == ["dl-similar_neighbourhoods_trafford-north_imd_score.csv"]


def test_page_other_period_and_rest_of_borough(app):
    at = app(ind="imd_score", cmp="rest", period="2019", ci="998")
    assert at.selectbox(key="compare_period").value == "2019"
    ranked = _specs(at)[0]
    assert any("each neighbourhood's own" in (t.get("name") or "") for t in ranked["data"])
    at.selectbox(key="compare_period").set_value("2010").run()
    assert not at.exception
    assert "2010" in _specs(at)[0]["layout"]["title"]["text"]


def test_page_draws_a_funnel_for_an_indicator_with_a_ci(app, monkeypatch):
    """A synthetic Wilson indicator (published-style rows scaled from real counts) is slipped
    into the catalogue and values so the page draws its funnel plot."""
    catalogue, area_values, periods = queries.catalogue, queries.area_values, queries.periods

    def fake_catalogue(con):
        cat = catalogue(con)
        row = cat[cat.indicator_id == "imd_pop_most_deprived_10_pct"].iloc[0].copy()
        # synthetic: same rows re-labelled as a sampled proportion with a Wilson CI
        row["indicator_id"], row["name"], row["ci_method"] = (
            "synthetic_pct",
            "Synthetic %",
            "wilson",
        )
        return pd.concat([cat, row.to_frame().T], ignore_index=True)

    def fake_area_values(con, lad_code, model_id, indicator_ids):
        ids = tuple(
            "imd_pop_most_deprived_10_pct" if i == "synthetic_pct" else i for i in indicator_ids
        )
        frame = area_values(con, lad_code, model_id, ids)
        if "synthetic_pct" in indicator_ids:
            syn = frame[frame.indicator_id == "imd_pop_most_deprived_10_pct"].copy()
            syn["indicator_id"] = "synthetic_pct"
            meta = analysis.IndicatorMeta(
                "synthetic_pct", "Synthetic %", "%", "higher_is_worse", "ratio", "wilson", 100
            )
            for level in ("95", "998"):
                low, high = synthetic.interval(meta, syn.numerator, syn.denominator, level)
                syn[f"lower_ci{level}"], syn[f"upper_ci{level}"] = low, high
            frame = pd.concat([frame, syn], ignore_index=True)
        return frame

    def fake_periods(con, indicator_id):
        if indicator_id == "synthetic_pct":
            indicator_id = "imd_pop_most_deprived_10_pct"
        return periods(con, indicator_id)

    monkeypatch.setattr(queries, "catalogue", fake_catalogue)
    monkeypatch.setattr(queries, "area_values", fake_area_values)
    monkeypatch.setattr(queries, "periods", fake_periods)
    at = app(ind="synthetic_pct", cmp="lad")
    specs = _specs(at)
    assert len(specs) == 3
    funnel = specs[1]
    names = {t.get("name") for t in funnel["data"]}
    assert {"95% limits", "99.8% limits"} <= names
    assert any((n or "").startswith("Trafford: ") for n in names)
    assert "Wilson score" in _texts(at)
    keys = [b.key for b in at.get("download_button")]
    assert keys[:3] == ["dl-compare-ranked", "dl-compare-funnel", "dl-compare-profile"]


def test_page_ranks_a_total_without_comparing_it(app):
    at = app(ind="population", cmp="rest")
    ranked = _specs(at)[0]
    names = {t.get("name") for t in ranked["data"]} - {None}
    assert names == {"Not compared"}  # no rest-of-borough ticks, no borough line
    assert not ranked["layout"].get("shapes")
    assert "is a total" in _texts(at)


def test_page_borough_only_data_says_so_and_draws_nothing_for_neighbourhoods(app):
    at = app(ind="gp_missed_appointments_pct")
    notes = [i.value.replace("\\", "") for i in at.info]
    assert len(notes) == 1 and notes[0].startswith("Not published for neighbourhoods")
    assert "figures are for Trafford as a whole, not its neighbourhoods." in notes[0]
    assert "Trends shows Trafford's figures over time" in notes[0]
    assert not at.warning and not _specs(at) and not at.get("download_button")
