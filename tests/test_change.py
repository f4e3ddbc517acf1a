"""Tests for outcomes.change (baseline per indicator, trend markers, what changed most) and the
recent-trend test in outcomes.stats.

The trend oracles are Fingertips' own: the published England and Yorkshire series that
FingertipsNext's trend-analysis tests use, with the markers Fingertips shows for them, and
hand-worked examples. Real-data tests read the session's full real build."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from outcomes import analysis, change, queries, stats

# --------------------------------------------------------------------------- recent trend


def test_weighted_trend_by_hand() -> None:
    # Values 1..5, each with a 95% interval 3.92 wide (SE 1, weight 1): slope 1,
    # S1 = 5, S(t) = 15, S(t^2) = 55, so Var(slope) = 5 / (5*55 - 15^2) = 0.1 and chi2 = 10.
    result = stats.recent_trend([1, 2, 3, 4, 5], [0, 1, 2, 3, 4], [3.92, 4.92, 5.92, 6.92, 7.92])
    assert result.slope == pytest.approx(1.0)
    assert result.chi_square == pytest.approx(10.0)
    assert result.direction == stats.INCREASING  # 10 > 9.5495, the 99.8% chi-square (1 df)
    # Twice as wide intervals (SE 2, weight 1/4): chi2 = 10 / 4 = 2.5, not significant.
    values = np.arange(1.0, 6.0)
    wide = stats.recent_trend(values, values - 3.92, values + 3.92)
    assert wide.chi_square == pytest.approx(2.5)
    assert wide.direction == stats.NO_SIGNIFICANT_TREND


def test_chi_squared_test_for_trend_by_hand() -> None:
    # 10, 20, 30, 40, 50 out of 100 each: N = 500, X = 150, sum(x t) = 550, sum(n t) = 1500,
    # sum(n t^2) = 5500: chi2 = 500 (500*550 - 150*1500)^2 / (150*350*(500*5500 - 1500^2))
    # = 1.25e12 / 2.625e10 = 47.619.
    result = stats.recent_trend(
        [10, 20, 30, 40, 50], None, None, [10, 20, 30, 40, 50], [100] * 5, "proportion"
    )
    assert result.chi_square == pytest.approx(1.25e12 / 2.625e10)
    assert result.direction == stats.INCREASING


def test_fingertips_published_markers() -> None:
    # FingertipsNext trend-analysis tests (data from fingertips.phe.org.uk), 2020..2024.
    # Diabetes QOF prevalence, England: Increasing.
    x = [3455176, 3491868, 3625401, 3774801, 3938080]
    n = [48783947, 49122259, 49956777, 50649129, 51441896]
    v = [7.0826, 7.1085, 7.2571, 7.4528, 7.6554]
    lo = [7.0754, 7.1013, 7.2499, 7.4456, 7.6481]
    hi = [7.094, 7.1199, 7.2684, 7.4643, 7.6669]
    assert stats.recent_trend(v, lo, hi, x, n, "proportion").direction == stats.INCREASING
    assert stats.recent_trend(v, lo, hi).direction == stats.INCREASING
    # MMR one dose at 2 years, Yorkshire and the Humber: Decreasing.
    x = [57274, 55865, 53681, 51767, 53185]
    n = [61834, 60511, 59074, 57508, 59028]
    v = [92.6254, 92.3221, 90.8708, 90.017, 90.1013]
    lo = [92.4168, 92.1072, 90.6358, 89.7694, 89.8578]
    hi = [92.8288, 92.5315, 91.1004, 90.2594, 90.3396]
    assert stats.recent_trend(v, lo, hi, x, n, "proportion").direction == stats.DECREASING
    # Preventable sight loss from diabetic eye disease (a crude rate, 2021 dip): Increasing.
    v = [2.935, 1.93028, 2.7567, 2.8701, 3.0121]
    lo = [2.7841, 1.8085, 2.6113, 2.7225, 2.8616]
    hi = [3.0919, 2.058, 2.9082, 3.0237, 3.1683]
    assert stats.recent_trend(v, lo, hi).direction == stats.INCREASING


def test_outlier_check_and_too_few_points() -> None:
    # One point drives the whole slope: dropping it flips the sign, so no trend is claimed.
    v = [5.0, 5.0, 5.0, 4.9, 9.0]
    result = stats.recent_trend(v, [x - 0.01 for x in v], [x + 0.01 for x in v])
    assert result.chi_square > stats.TREND_CHI_SQUARE
    assert result.direction == stats.NO_SIGNIFICANT_TREND
    short = stats.recent_trend([1, 2, 3, 4], [0, 1, 2, 3], [2, 3, 4, 5])
    assert short.direction == stats.TREND_NOT_CALCULATED and "fewer than 5" in short.reason
    zero = stats.recent_trend([0] * 5, None, None, [0, 1, 2, 3, 4], [10] * 5, "proportion")
    assert zero.direction == stats.TREND_NOT_CALCULATED


def test_only_the_latest_five_points_count() -> None:
    falling_then_rising = [9, 8, 7, 6, 5, 1, 2, 3, 4, 5]
    width = [0.01] * 10
    lo = np.subtract(falling_then_rising, width)
    hi = np.add(falling_then_rising, width)
    assert stats.recent_trend(falling_then_rising, lo, hi).direction == stats.INCREASING


@pytest.mark.parametrize(
    ("direction", "polarity", "words"),
    [
        (stats.INCREASING, "higher_is_worse", "Increasing and getting worse"),
        (stats.DECREASING, "higher_is_worse", "Decreasing and getting better"),
        (stats.INCREASING, "higher_is_better", "Increasing and getting better"),
        (stats.DECREASING, "higher_is_better", "Decreasing and getting worse"),
        (stats.INCREASING, "no_judgement", "Increasing"),
        (stats.NO_SIGNIFICANT_TREND, "higher_is_worse", "No significant change"),
        (stats.TREND_NOT_CALCULATED, "higher_is_better", "Could not be calculated"),
    ],
)
def test_trend_marker_words(direction: str, polarity: str, words: str) -> None:
    assert stats.trend_marker(direction, polarity) == words


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("period", "year"),
    [
        ("2019", 2019),
        ("2019/20", 2019),
        ("2019-03", 2019),
        ("2017-2019", 2017),
        ("x", None),
        ("20190", None),
        (None, None),
    ],
)
def test_period_year(period, year) -> None:
    assert change.period_year(period) == year


def _periods(*pairs: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"period": [p for p, _ in pairs], "period_start": [pd.Timestamp(s) for _, s in pairs]}
    )


def test_nearest_period() -> None:
    fy = _periods(("2018/19", "2018-04-01"), ("2019/20", "2019-04-01"), ("2020/21", "2020-04-01"))
    assert change.nearest_period(fy, 2019) == "2019/20"
    months = _periods(("2019-03", "2019-03-01"), ("2019-04", "2019-04-01"))
    assert change.nearest_period(months, 2019) == "2019-03"
    waves = _periods(("2010", "2010-01-01"), ("2015", "2015-01-01"), ("2019", "2019-01-01"))
    assert change.nearest_period(waves, 2016) == "2015"
    assert change.nearest_period(waves, 2030) == "2019"
    assert change.nearest_period(waves.iloc[:0], 2019) is None


def test_nearest_label() -> None:
    assert change.nearest_label(["2015/16", "2019/20", "2023/24"], 2019) == "2019/20"
    assert change.nearest_label(["2023-05", "2023-06"], 2019) == "2023-05"
    assert change.nearest_label(["2010", "2015", "2019", "2025"], 2019) == "2019"
    assert change.nearest_label(["2017-2019"], 2019) == "2017-2019"
    assert change.nearest_label([], 2019) is None


def test_periods_without_a_start_date_are_read_from_their_labels() -> None:
    # synthetic: a partner's rows published without period_start
    rows = pd.DataFrame(
        {
            "indicator_id": "partner",
            "area_type": "lad",
            "area_code": "E08000009",
            "area_name": "Trafford",
            "period": ["2018/19", "2019/20", "2020/21"],
            "period_start": [pd.NaT] * 3,
            "value": [1.0, 2.0, 3.0],
            "numerator": np.nan,
            "denominator": np.nan,
        }
    )
    meta = analysis.IndicatorMeta(
        "partner", "Partner", "score", "higher_is_better", "sum", "none", 1
    )
    chosen = change.choose_baseline(rows, meta, 2019)
    assert (chosen.baseline, chosen.latest, chosen.status) == (
        "2019/20",
        "2020/21",
        change.COMPARABLE,
    )


def test_baseline_years() -> None:
    years = change.baseline_years(date(2026, 11, 29))
    assert years[0] == change.FIRST_YEAR and years[-1] == 2026 and change.DEFAULT_YEAR in years


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def con(real_db: Path):
    connection = duckdb.connect(str(real_db), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def catalogue(con) -> pd.DataFrame:
    return queries.catalogue(con)


def _meta(catalogue: pd.DataFrame, indicator_id: str) -> analysis.IndicatorMeta:
    return analysis.IndicatorMeta.from_row(
        catalogue[catalogue.indicator_id == indicator_id].iloc[0]
    )


def _rows(con, lad: str, model: str, indicator_id: str) -> pd.DataFrame:
    return queries.area_values(con, lad, model, (indicator_id,))


def test_income_deprivation_2019_to_2025_shows_no_change(con, catalogue) -> None:
    meta = _meta(catalogue, "income_deprived_pct")
    rows = _rows(con, "E08000034", "E08000034_wards24", meta.indicator_id)
    chosen, frame = change.change_since_year(rows, meta, 2019, "95")
    assert (chosen.baseline, chosen.latest, chosen.status) == (
        "2019",
        "2025",
        change.NOT_COMPARABLE,
    )
    assert not chosen.has_change and "definition changed" in chosen.note
    assert frame.change.isna().all() and frame.value_current.notna().all()
    assert (frame.direction == change.NOT_COMPARABLE).all()
    # ... but 2015 -> 2019 of a comparable share is a change.
    share = _meta(catalogue, "imd_pop_most_deprived_10_pct")
    chosen, _ = change.change_since_year(
        _rows(con, "E08000034", "E08000034_wards24", share.indicator_id), share, 2015, "95"
    )
    assert chosen.has_change and chosen.baseline == "2015"


def test_population_mid_year_estimate_against_census(con, catalogue) -> None:
    meta = _meta(catalogue, "population")
    rows = _rows(con, "E08000009", "E08000009_localities2023", meta.indicator_id)
    chosen = change.choose_baseline(rows, meta, 2019)
    assert (chosen.baseline, chosen.latest) == ("2019", "2021")
    assert chosen.status == change.NOT_COMPARABLE and change.CENSUS_TEXT in chosen.note


def test_each_indicator_uses_its_own_period(con, catalogue) -> None:
    fte = _meta(catalogue, "gp_patients_per_fte_gp")
    rows = _rows(con, "E08000009", "E08000009_localities2023", fte.indicator_id)
    chosen = change.choose_baseline(rows, fte, 2019)
    assert chosen.baseline == "2019/20" and chosen.has_change
    assert chosen.note == "change since 2019/20 (nearest 2019)"
    # Missed GP appointments: Trafford's sub-ICB data starts in May 2023, so that is its baseline.
    dna = _meta(catalogue, "gp_missed_appointments_pct")
    rows = _rows(con, "E08000009", "E08000009_localities2023", dna.indicator_id)
    chosen = change.choose_baseline(rows, dna, 2019, ["E08000009"])
    assert chosen.baseline == "2023-05" and chosen.has_change
    assert "no data for 2019" in chosen.note
    _, frame = change.change_since_year(rows, dna, 2019, "95", ["E08000009"])
    trafford = frame[frame.area_code == "E08000009"].iloc[0]
    assert trafford.significance in {
        stats.SIGNIFICANTLY_HIGHER,
        stats.SIGNIFICANTLY_LOWER,
        stats.NO_SIGNIFICANT_CHANGE,
    }


def test_one_period_indicator_says_so(con, catalogue) -> None:
    meta = _meta(catalogue, "households_no_car_pct")
    rows = _rows(con, "E08000009", "E08000009_localities2023", meta.indicator_id)
    chosen, frame = change.change_since_year(rows, meta, 2019, "95")
    assert (
        chosen.status == change.ONE_PERIOD
        and chosen.note == "2021: one period only: no change to show"
    )
    assert frame.change.isna().all()
    assert not frame.direction.isin(["unchanged"]).any()


def test_survey_estimates_are_not_complete_counts(con, catalogue) -> None:
    estimates = {row.indicator_id for _, row in catalogue.iterrows() if analysis.is_estimate(row)}
    assert {
        "wellbeing_life_satisfaction",
        "wellbeing_worthwhile",
        "wellbeing_anxiety",
        "loneliness_pct",
    } <= estimates
    assert not estimates & {"imd_score", "households_no_car_pct", "pt_bus_trips_per_hour"}
    meta = _meta(catalogue, "wellbeing_life_satisfaction")
    rows = _rows(con, "E08000009", "E08000009_localities2023", meta.indicator_id)
    _, frame = change.change_since_year(rows, meta, 2019, "95", ["E08000009"])
    trafford = frame[frame.area_code == "E08000009"].iloc[0]
    # Trafford 7.72 (2019/20) -> 7.48 (2021/22): an APS estimate, never judged "worsened".
    assert (trafford.value_baseline, trafford.value_current) == pytest.approx((7.72, 7.48))
    assert trafford.significance == analysis.ESTIMATE_NOT_TESTED
    assert trafford.direction == "not tested"
    assert "complete count" not in analysis.uncertainty_words(meta, "95")


def test_trend_markers_on_real_series(con, catalogue) -> None:
    # Online consultations (a rate with Byar's intervals), Kirklees, 19 months to March 2025.
    meta = _meta(catalogue, "gp_online_consultations_per_1000")
    rows = _rows(con, "E08000034", "E08000034_msoa21", meta.indicator_id)
    markers = change.trend_markers(rows, meta).set_index("area_code")
    kirklees = markers.loc["E08000034"]
    assert kirklees.periods_used == "2024-11 to 2025-03" and kirklees.points == 5
    assert kirklees.marker == "Increasing" and kirklees.chi_square > stats.TREND_CHI_SQUARE
    # Bus frequency 2004-2023 (a complete count of timetabled trips): judged on the values.
    meta = _meta(catalogue, "pt_bus_trips_per_hour")
    rows = _rows(con, "E08000034", "E08000034_msoa21", meta.indicator_id)
    markers = change.trend_markers(rows, meta)
    assert set(markers.periods_used) == {"2019 to 2023"}
    assert markers.method.str.contains("complete count").all()
    # A definition change: no trend claimed across it.
    meta = _meta(catalogue, "imd_score")
    rows = _rows(con, "E08000034", "E08000034_msoa21", meta.indicator_id)
    assert set(change.trend_markers(rows, meta).marker) == {"Could not be calculated"}


def test_most_changed_neighbourhoods_kirklees(con, catalogue) -> None:
    meta = _meta(catalogue, "imd_pop_most_deprived_10_pct")
    rows = _rows(con, "E08000034", "E08000034_wards24", meta.indicator_id)
    chosen, ranked = change.most_changed_neighbourhoods(rows, meta, 2019, "95")
    assert (chosen.baseline, chosen.latest) == ("2019", "2025")
    assert len(ranked) == 23 and list(ranked["rank"]) == list(range(1, 24))
    worst = ranked.iloc[-1]
    # Dewsbury South: 7.6% of residents in England's most deprived 10% in 2019, 20.7% in 2025.
    assert worst.area_name == "Dewsbury South"
    assert (worst.value_baseline, worst.value_current) == pytest.approx((7.586, 20.738), abs=1e-3)
    assert worst.direction == "worsened" and worst.improvement == pytest.approx(-13.152, abs=1e-3)
    assert ranked.improvement.is_monotonic_decreasing
    # Not comparable: listed without a rank.
    income = _meta(catalogue, "income_deprived_pct")
    rows = _rows(con, "E08000034", "E08000034_wards24", income.indicator_id)
    chosen, ranked = change.most_changed_neighbourhoods(rows, income, 2019, "95")
    assert not chosen.has_change and ranked["rank"].isna().all() and len(ranked) == 23


def test_area_changes_rank_improvement_then_worsening(con, catalogue) -> None:
    cat = catalogue[catalogue.aggregation != "lsoa_only"]
    values = queries.area_values(con, "E08000034", "E08000034_wards24", tuple(cat.indicator_id))
    dewsbury = values[
        (values.area_type == "neighbourhood") & (values.area_name == "Dewsbury South")
    ].area_code.iloc[0]
    frame = change.area_changes(values, cat, dewsbury, 2019, "95")
    order = frame.group.map(change.GROUP_ORDER)
    assert order.is_monotonic_increasing  # improved, worsened, no significant change, ...
    worsened = frame[frame.group == "worsened"]
    assert worsened.score.is_monotonic_increasing  # the worst first
    assert "imd_pop_most_deprived_10_pct" in set(worsened.indicator_id)
    one = frame[frame.indicator_id == "households_no_car_pct"].iloc[0]
    assert one.group == change.ONE_PERIOD and np.isnan(one.change)
    income = frame[frame.indicator_id == "income_deprived_pct"].iloc[0]
    assert income.group == change.NOT_COMPARABLE and np.isnan(income.score)
    assert frame[frame.group.isin(["improved", "worsened"])].change.notna().all()


# --------------------------------------------------------------------------- pages (AppTest)

PAGES = Path(__file__).resolve().parents[1] / "pages"


def _texts(at) -> str:
    """Every heading and text element, as the reader sees it (Markdown escapes removed)."""
    parts = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "info", "warning", "caption")
        for e in at.get(kind)
    ]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))


def _frames(at) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def test_trends_income_deprivation_2019_to_2025_shows_no_delta(page_app) -> None:
    at = page_app(PAGES / "trends.py", ind="income_deprived_pct", base="2019")
    text = _texts(at)
    assert "No change shown: 2019 to 2025 not comparable: the definition changed" in text
    assert "Change since 2019" not in text  # no change table at all
    for frame in _frames(at):
        assert "Change" not in frame.columns
    assert "complete count" not in text.split("Recent trend")[0].split("no confidence")[0]


def test_trends_old_link_period_reads_as_its_year(page_app) -> None:
    # A link from before the baseline year ('2019/20', a period) opens the year 2019.
    at = page_app(PAGES / "trends.py", ind="gp_patients_per_fte_gp", base="2019/20")
    assert at.selectbox(key="base").value == "2019"
    assert at.query_params["base"] == ["2019"] or at.query_params["base"] == "2019"
    text = _texts(at)
    assert "this indicator's baseline is **2019/20 (nearest 2019)**; compared with" in text
    assert "Change since 2019/20" in text


def test_trends_one_period_indicator_says_so(page_app) -> None:
    at = page_app(PAGES / "trends.py", ind="households_no_car_pct")
    text = _texts(at)
    assert "No change shown: 2021: one period only: no change to show." in text
    assert "unchanged" not in text


def test_trends_missed_appointments_trafford_borough_only(page_app) -> None:
    at = page_app(PAGES / "trends.py", ind="gp_missed_appointments_pct", base="2019")
    text = _texts(at)
    assert at.title[0].value.endswith("Trafford over time")  # not "neighbourhoods"
    assert "figures are for Trafford as a whole, not its neighbourhoods" in text
    # Trafford's sub-ICB series starts in May 2023: that is its baseline, and it says so.
    assert "baseline is **2023-05 (no data for 2019)**; compared with" in text
    table = _frames(at)[0]
    trafford = table[table.Area.str.startswith("Trafford")].iloc[0]
    assert trafford["2023-05"] > 0 and trafford["Significance"] != "not tested"


def test_trends_trend_marker_on_a_long_series(page_app) -> None:
    # Road casualties per 1,000 residents (Byar's intervals), Trafford localities, 2019-2023.
    at = page_app(PAGES / "trends.py", ind="road_casualties_per_1000")
    text = _texts(at)
    assert "weighted regression with a chi-square test, latest 5 periods (Fingertips)" in text
    markers = next(f for f in _frames(at) if "Recent trend" in f.columns)
    assert set(markers.Periods) == {"2019 to 2023"}
    allowed = {
        "Increasing and getting worse",
        "Decreasing and getting better",
        "No significant change",
    }
    assert set(markers["Recent trend"]) <= allowed
    assert len(markers) >= 5  # four localities and the borough


def test_compare_most_changed_kirklees(page_app) -> None:
    at = page_app(
        PAGES / "compare.py",
        lad="E08000034",
        model="E08000034_wards24",
        ind="imd_pop_most_deprived_10_pct",
        base="2019",
    )
    text = _texts(at)
    assert "What changed most since 2019" in text
    assert "Dewsbury South worsened most (7.6% to 20.7%)" in text
    ranked = next(f for f in _frames(at) if {"Neighbourhood", "Judgement"} <= set(f.columns))
    assert len(ranked) == 23
    last = ranked.iloc[-1]
    assert last.Neighbourhood == "Dewsbury South" and last.Change == pytest.approx(13.15)
    assert last.Judgement == "worsened"
    profile = next(f for f in _frames(at) if "Recent trend" in f.columns and "Indicator" in f)
    assert profile.Judgement.iloc[0] in {"improved", "worsened"}
    assert "one period only" in set(profile.Judgement)


def test_compare_most_changed_not_comparable(page_app) -> None:
    at = page_app(
        PAGES / "compare.py",
        lad="E08000034",
        model="E08000034_wards24",
        ind="income_deprived_pct",
        base="2019",
    )
    text = _texts(at)
    assert "No change is shown: 2019 to 2025 not comparable" in text
    assert not any({"Neighbourhood", "Judgement"} <= set(f.columns) for f in _frames(at))


def test_borough_only_indicators(catalogue) -> None:
    rows = catalogue.set_index("indicator_id", drop=False)
    dna = rows.loc["gp_missed_appointments_pct"]
    assert change.borough_only(dna)
    assert change.borough_only_note(dna, "Trafford").endswith(
        "figures are for Trafford as a whole, not its neighbourhoods."
    )
    assert not change.borough_only(rows.loc["imd_score"])


def test_most_changed_sentence_without_a_judgement(con, catalogue) -> None:
    # Households without a car has one period; population 2017 -> 2020 is estimate to estimate.
    meta = _meta(catalogue, "population")
    rows = _rows(con, "E08000034", "E08000034_wards24", meta.indicator_id)
    rows = rows[rows.period != "2021"]  # leave the Census out: 2019 -> 2020 is comparable
    chosen, ranked = change.most_changed_neighbourhoods(rows, meta, 2019, "95")
    assert (chosen.baseline, chosen.latest, chosen.has_change) == ("2019", "2020", True)
    sentence = change.most_changed_sentence(chosen, ranked, meta)
    assert sentence.startswith("Since 2019, ") and "increased most" in sentence
    assert "improved" not in sentence and "worsened" not in sentence
    assert ranked.change.is_monotonic_decreasing  # the largest increase first
    assert "99.8%" not in change.trend_rule(meta) and "left out" in change.trend_rule(meta)
