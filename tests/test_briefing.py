"""The Briefing: headline numbers and plain-English sentences (outcomes/briefing.py).

Real-data tests use the session's full real build (`real_db`): Trafford's localities and Wigan's
two neighbourhood models. Indicators with confidence intervals do not exist in the data yet, so
their wording is tested on small synthetic frames, each marked `# synthetic`. AppTest runs the
page itself: a real number, a real sentence, and presentation mode on and off.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from outcomes import analysis, briefing, db, queries
from tests import synthetic

# Not resolved: a checkout reached through a symlink runs its own dashboard.py.
APP = Path(__file__).parent.parent / "dashboard.py"
TRAFFORD, WIGAN = "E08000009", "E08000010"
LOCALITIES = "E08000009_localities2023"
WIGAN_WARDS, WIGAN_MSOAS = "E08000010_wards24", "E08000010_msoa21"


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def cur(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    base = db.open_database(real_db, tmp_path_factory.mktemp("briefing_user") / "user.duckdb")
    yield db.cursor(base)
    base.close()


@pytest.fixture(scope="module")
def catalogue(cur) -> pd.DataFrame:
    return queries.catalogue(cur)


def real_headlines(
    cur,
    catalogue: pd.DataFrame,
    lad: str,
    model: str,
    focus: str,
    name: str,
    baseline: str = "2019",
    comparator: str = "lad",
    label: str | None = None,
) -> dict[str, briefing.Headline]:
    values = queries.area_values(cur, lad, model, briefing.HEADLINE_INDICATORS)
    rest = None
    if comparator == "rest":
        rest = {
            i: queries.rest_of_borough(cur, lad, model, i) for i in briefing.HEADLINE_INDICATORS
        }
    items = briefing.headlines(
        values, catalogue, focus, name, baseline, comparator, "95", rest, label
    )
    return {h.meta.indicator_id: h for h in items}


def test_trafford_north_headline_numbers(cur, catalogue) -> None:
    h = real_headlines(cur, catalogue, TRAFFORD, LOCALITIES, "trafford-north", "North")
    assert list(h) == list(briefing.HEADLINE_INDICATORS)
    lsoas = h["imd_lsoas_most_deprived_10_pct"]
    assert (lsoas.latest, lsoas.numerator, lsoas.denominator) == ("2025", 2, 32)
    assert briefing.metric_value(lsoas) == "2 of 32 LSOAs"
    assert briefing.metric_note(lsoas) == "6.3% of LSOAs"  # 2/32 = 6.25, rounded half up
    assert briefing.metric_label(lsoas) == "LSOAs in England's most deprived 10%, 2025"
    assert briefing.metric_delta(lsoas)["delta"] == "no change"
    assert briefing.metric_delta(lsoas)["delta_arrow"] == "off"
    assert briefing.chip(lsoas) == (
        "Higher (worse)",
        "than Trafford (4.3%)",
        "red",
        briefing.CHIP_ICONS["worse"],
    )
    assert briefing.change_line(lsoas) == "Change since 2019: no test needed: complete count"
    assert briefing.polarity_line(lsoas.meta) == "Lower is better (↑ worse)"

    pop10 = h["imd_pop_most_deprived_10_pct"]
    assert briefing.metric_value(pop10) == "4.5%"
    assert pop10.value_baseline == pytest.approx(4.790143, abs=1e-6)
    assert briefing.metric_delta(pop10) == {
        "delta": "-0.3 pts",
        "delta_color": "inverse",  # higher is worse: a fall shows as good
        "delta_arrow": "auto",
        "delta_description": "since 2019",
    }
    assert pop10.significance == analysis.COMPLETE_COUNT
    assert pop10.direction == "improved"

    score = h["imd_score"]
    assert briefing.metric_value(score) == "24.5"
    # relative within a wave: no delta between waves (the sentence gives both values)
    assert briefing.metric_delta(score) == {"delta": None}
    assert score.direction == "not judged"
    assert score.comparator_value == pytest.approx(14.98417, abs=1e-5)

    population = h["population"]
    assert population.latest == "2021"
    assert briefing.metric_value(population) == "56,284"
    assert briefing.metric_delta(population)["delta"] == "+736 (+1.3%)"
    assert briefing.metric_delta(population)["delta_color"] == "off"  # no judgement
    assert population.comparison == "not compared"  # sizes of areas are not compared
    assert briefing.chip(population).text == "24.0%"
    assert briefing.chip(population).tail == "of Trafford's residents"


def test_trafford_north_sentences(cur, catalogue) -> None:
    h = real_headlines(cur, catalogue, TRAFFORD, LOCALITIES, "trafford-north", "North")
    assert briefing.sentences(h.values()) == [
        "In North, 2 of 32 LSOAs are among England's most deprived 10% in 2025 (6.3%), "
        "unchanged since 2019; the share is higher (worse) than Trafford (4.3%).",
        "In North, the share of residents living in England's most deprived 10% fell from 4.8% "
        "at the 2019 baseline to 4.5% in 2025; now higher (worse) than Trafford (4.0%).",
        # Income rates and IMD scores are not comparable over time: both values are given,
        # never read as a rise or fall.
        "In North, the share of residents who are income deprived was 28.1% in 2025 (17.6% in "
        "2019; the measure changed between waves, so this is not a change over time); it is "
        "higher (worse) than Trafford (17.1%).",
        "In North, the IMD average score was 24.5 in 2025 (25.7 in 2019; IMD scores are "
        "relative within each wave, so compare waves with care); it is higher (worse) than "
        "Trafford (15.0).",
        "North had 56,284 residents in 2021 (24.0% of Trafford's population), up 1.3% from "
        "55,548 in 2019.",
    ]


def test_wigan_ward_where_deprivation_rose(cur, catalogue) -> None:
    h = real_headlines(cur, catalogue, WIGAN, WIGAN_WARDS, "E05015000", "Ince")
    lsoas = h["imd_lsoas_most_deprived_10_pct"]
    assert briefing.metric_value(lsoas) == "5 of 8 LSOAs"
    assert briefing.metric_delta(lsoas)["delta"] == "+2 LSOAs"
    assert briefing.sentence(lsoas) == (
        "In Ince, 5 of 8 LSOAs are among England's most deprived 10% in 2025 (62.5%), up from 3 "
        "in 2019; the share is higher (worse) than Wigan (15.5%)."
    )
    assert briefing.sentence(h["imd_pop_most_deprived_10_pct"]) == (
        "In Ince, the share of residents living in England's most deprived 10% rose from 38.4% "
        "at the 2019 baseline to 63.2% in 2025; now higher (worse) than Wigan (15.7%)."
    )
    assert briefing.sentence(h["population"]) == (
        "Ince had 12,453 residents in 2021 (3.8% of Wigan's population), down 7.0% from 13,392 "
        "in 2019."
    )
    assert briefing.metric_delta(h["population"])["delta"] == "-939 (-7.0%)"


def test_wigan_singular_and_none(cur, catalogue) -> None:
    central = real_headlines(cur, catalogue, WIGAN, WIGAN_WARDS, "E05015010", "Wigan Central")
    assert briefing.sentence(central["imd_lsoas_most_deprived_10_pct"]) == (
        "In Wigan Central, 1 of 8 LSOAs is among England's most deprived 10% in 2025 (12.5%), "
        "unchanged since 2019; the share is lower (better) than Wigan (15.5%)."
    )
    name = "Bryn with Ashton-in-Makerfield North"
    bryn = real_headlines(cur, catalogue, WIGAN, WIGAN_WARDS, "E05014995", name, "2010", "england")
    lsoas = bryn["imd_lsoas_most_deprived_10_pct"]
    assert briefing.metric_value(lsoas) == "0 of 8 LSOAs"
    assert briefing.metric_delta(lsoas)["delta"] == "-1 LSOA"
    assert briefing.sentence(lsoas) == (
        f"In {name}, none of 8 LSOAs are among England's most deprived 10% in 2025 (0.0%), down "
        "from 1 in 2010; the share is lower (better) than England (10.0%)."
    )
    assert briefing.chip(lsoas).colour == "green"
    # Population starts in 2017: no 2010 baseline, said in words, no delta.
    population = bryn["population"]
    assert not population.has_baseline
    assert briefing.metric_delta(population) == {"delta": None}
    assert briefing.change_line(population) == "No 2010 figure: change not shown"
    assert briefing.sentence(population) == (
        f"{name} had 11,941 residents in 2021 (3.6% of Wigan's population); there is no 2010 "
        "figure to compare with."
    )


def test_wigan_msoa_model(cur, catalogue) -> None:
    """Wigan's second model of the same borough: MSOA-based neighbourhoods."""
    h = real_headlines(cur, catalogue, WIGAN, WIGAN_MSOAS, "E02001296", "Wigan 010")
    lsoas = h["imd_lsoas_most_deprived_10_pct"]
    assert briefing.metric_value(lsoas) == "5 of 5 LSOAs"
    assert briefing.sentence(lsoas) == (
        "In Wigan 010, 5 of 5 LSOAs are among England's most deprived 10% in 2025 (100.0%), "
        "unchanged since 2019; the share is higher (worse) than Wigan (15.5%)."
    )


def test_rest_of_borough_comparator(cur, catalogue) -> None:
    name = "Leigh Central & Higher Folds"
    h = real_headlines(
        cur, catalogue, WIGAN, WIGAN_WARDS, "E05015001", name, "2019", "rest", "the rest of Wigan"
    )
    lsoas = h["imd_lsoas_most_deprived_10_pct"]
    # Wigan 31 of 200 LSOAs in 2025, Leigh Central 4 of 10: the rest 27 of 190.
    assert lsoas.comparator_value == pytest.approx(27 / 190 * 100)
    assert briefing.sentence(lsoas) == (
        f"In {name}, 4 of 10 LSOAs are among England's most deprived 10% in 2025 (40.0%), down "
        "from 6 in 2019; the share is higher (worse) than the rest of Wigan (14.2%)."
    )


def test_baseline_equal_to_latest_and_missing_baselines(cur, catalogue) -> None:
    h = real_headlines(cur, catalogue, TRAFFORD, LOCALITIES, "trafford-north", "North", "2025")
    assert briefing.sentence(h["imd_pop_most_deprived_10_pct"]) == (
        "In North, the share of residents living in England's most deprived 10% was 4.5% in "
        "2025, the baseline period; it is higher (worse) than Trafford (4.0%)."
    )
    assert briefing.metric_delta(h["imd_score"]) == {"delta": None}
    assert briefing.change_line(h["imd_score"]) == "2025 is the baseline and the latest period"
    # The income rate is not published for IoD2015 in the bundled data.
    h = real_headlines(cur, catalogue, TRAFFORD, LOCALITIES, "trafford-north", "North", "2015")
    income = h["income_deprived_pct"]
    assert np.isnan(income.value_baseline)
    assert briefing.sentence(income) == (
        "In North, the share of residents who are income deprived was 28.1% in 2025; there is "
        "no 2015 figure to compare with; it is higher (worse) than Trafford (17.1%)."
    )
    assert briefing.sentence(h["imd_lsoas_most_deprived_10_pct"]).startswith(
        "In North, 2 of 32 LSOAs are among England's most deprived 10% in 2025 (6.3%), up from 1 "
        "in 2015;"
    )


def test_unknown_neighbourhood_gives_sentences_not_errors(cur, catalogue) -> None:
    h = real_headlines(cur, catalogue, TRAFFORD, LOCALITIES, "no-such-place", "Nowhere")
    assert not any(item.has_data for item in h.values())
    assert briefing.metric_value(h["imd_score"]) == "—"
    assert briefing.sentences(h.values())[0] == (
        "There are no figures for LSOAs in England's most deprived 10% in Nowhere."
    )
    assert len(briefing.sentences(h.values())) == 5


@pytest.mark.parametrize(
    ("lad", "model"), [(TRAFFORD, LOCALITIES), (WIGAN, WIGAN_WARDS), (WIGAN, WIGAN_MSOAS)]
)
def test_complete_counts_are_never_called_significant(cur, catalogue, lad, model) -> None:
    """The IoD has no sampling error: no sentence may claim significance, for any
    neighbourhood, baseline or comparator."""
    hoods = queries.neighbourhoods(cur, model)
    values = queries.area_values(cur, lad, model, briefing.HEADLINE_INDICATORS)
    for code, name in zip(hoods.neighbourhood_code, hoods.neighbourhood_name, strict=True):
        for baseline, comparator in (("2010", "england"), ("2019", "lad")):
            items = briefing.headlines(values, catalogue, code, name, baseline, comparator, "95")
            for line in briefing.sentences(items):
                assert "significant" not in line, line
            assert all(h.has_data for h in items)


def test_table_of_numbers(cur, catalogue) -> None:
    h = real_headlines(cur, catalogue, TRAFFORD, LOCALITIES, "trafford-north", "North")
    frame = briefing.table(h.values())
    assert frame.indicator_id.tolist() == list(briefing.HEADLINE_INDICATORS)
    row = frame.set_index("indicator_id").loc["imd_lsoas_most_deprived_10_pct"]
    assert (row.latest_numerator, row.latest_denominator) == (2, 32)
    assert row.comparator == "Trafford"
    assert row.change_significance == analysis.COMPLETE_COUNT


# --------------------------------------------------------------------------- synthetic frames


def meta(
    indicator_id: str = "dna_rate_pct",
    name: str = "Missed GP appointment rate",
    unit: str = "%",
    polarity: str = "higher_is_worse",
    aggregation: str = "ratio",
    ci_method: str = "wilson",
    multiplier: float = 100.0,
) -> analysis.IndicatorMeta:
    return analysis.IndicatorMeta(
        indicator_id, name, unit, polarity, aggregation, ci_method, multiplier
    )


def frame(m: analysis.IndicatorMeta, rows: list[tuple]) -> pd.DataFrame:
    """Published-style rows from (area_type, area_code, area_name, period, numerator,
    denominator), with values and both CIs computed as the build does."""
    out = pd.DataFrame(
        rows,
        columns=["area_type", "area_code", "area_name", "period", "numerator", "denominator"],
    )
    out["indicator_id"] = m.indicator_id
    out["period_start"] = pd.to_datetime(out.period + "-01-01")
    out["value"] = synthetic.value_from_sums(m, out.numerator, out.denominator)
    for level in ("95", "998"):
        low, high = synthetic.interval(m, out.numerator, out.denominator, level)
        out[f"lower_ci{level}"], out[f"upper_ci{level}"] = low, high
    return out


def one(m: analysis.IndicatorMeta, rows: list[tuple], **kwargs) -> briefing.Headline:
    args = {"focus": "nb1", "area_name": "Northtown", "baseline": "2019", "comparator": "lad"}
    args.update(kwargs)
    return briefing.build_headline(
        frame(m, rows),
        m,
        args["focus"],
        args["area_name"],
        args["baseline"],
        args["comparator"],
        "95",
    )


def test_ci_indicator_significantly_lower_and_better() -> None:
    m = meta()
    h = one(
        m,
        [  # synthetic
            ("neighbourhood", "nb1", "Northtown", "2019", 200, 1000),
            ("neighbourhood", "nb1", "Northtown", "2024", 150, 1000),
            ("lad", "L1", "Testshire", "2019", 2500, 10000),
            ("lad", "L1", "Testshire", "2024", 2500, 10000),
        ],
        baseline="2019",
    )
    assert h.significance == "significantly lower"
    assert h.direction == "improved"
    assert h.comparison == "better"
    assert briefing.sentence(h) == (
        "In Northtown, the missed GP appointment rate fell significantly from 20.0% at the 2019 "
        "baseline to 15.0% in 2024; now significantly better than Testshire (25.0%)."
    )
    assert briefing.chip(h)[:3] == ("Significantly better", "than Testshire (25.0%)", "green")
    assert briefing.metric_delta(h)["delta"] == "-5.0 pts"
    assert briefing.metric_delta(h)["delta_color"] == "inverse"
    assert briefing.change_line(h) == "Change since 2019: significantly lower"


def test_ci_indicator_change_and_difference_not_significant() -> None:
    m = meta()
    h = one(
        m,
        [  # synthetic
            ("neighbourhood", "nb1", "Northtown", "2019", 20, 100),
            ("neighbourhood", "nb1", "Northtown", "2024", 18, 100),
            ("lad", "L1", "Testshire", "2024", 1900, 10000),
        ],
    )
    assert h.significance == "no significant change"
    assert h.comparison == "similar"
    text = briefing.sentence(h)
    assert text == (
        "In Northtown, the missed GP appointment rate fell from 20.0% at the 2019 baseline to "
        "18.0% in 2024, not a statistically significant change; now not significantly different "
        "from Testshire (19.0%)."
    )
    assert "fell significantly" not in text
    assert briefing.metric_delta(h)["delta_color"] == "off"  # not significant: no colour
    assert briefing.chip(h).colour == "yellow"


def test_ci_rate_significantly_higher_and_worse_than_england() -> None:
    m = meta(
        "ae_rate", "A&E attendance rate", "per 1,000 residents", ci_method="byar", multiplier=1000
    )
    h = one(
        m,
        [  # synthetic
            ("neighbourhood", "nb1", "Northtown", "2019", 50, 10000),
            ("neighbourhood", "nb1", "Northtown", "2024", 120, 10000),
            ("england", "E92000001", "England", "2024", 80000, 10000000),
        ],
        comparator="england",
    )
    assert h.significance == "significantly higher"
    assert briefing.metric_value(h) == "12.0 per 1,000 residents"
    assert briefing.sentence(h) == (
        "In Northtown, the A&E attendance rate rose significantly from 5.0 per 1,000 residents at "
        "the 2019 baseline to 12.0 per 1,000 residents in 2024; now significantly worse than "
        "England (8.0 per 1,000 residents)."
    )
    assert briefing.chip(h).colour == "red"


def test_ci_without_judgement_says_higher_not_worse() -> None:
    m = meta("gp_list_pct", "Share of residents on a GP list", polarity="no_judgement")
    h = one(
        m,
        [  # synthetic
            ("neighbourhood", "nb1", "Northtown", "2019", 500, 1000),
            ("neighbourhood", "nb1", "Northtown", "2024", 600, 1000),
            ("lad", "L1", "Testshire", "2024", 4000, 10000),
        ],
    )
    text = briefing.sentence(h)
    assert "rose significantly" in text
    assert text.endswith("now significantly higher than Testshire (40.0%).")
    assert "better" not in text and "worse" not in text
    assert briefing.chip(h).colour == "blue"
    assert briefing.polarity_line(m) == "Neither higher nor lower is better"


def test_complete_count_higher_is_better_and_virtually_unchanged() -> None:
    m = meta("green_pct", "Green space share", polarity="higher_is_better", ci_method="none")
    h = one(
        m,
        [  # synthetic
            ("neighbourhood", "nb1", "Northtown", "2019", 3001, 10000),
            ("neighbourhood", "nb1", "Northtown", "2024", 3002, 10000),
            ("lad", "L1", "Testshire", "2024", 4000, 10000),
        ],
    )
    assert briefing.sentence(h) == (
        "In Northtown, the green space share was virtually unchanged at 30.0% between the 2019 "
        "baseline and 2024, and is lower (worse) than Testshire (40.0%)."
    )
    assert briefing.metric_delta(h)["delta"] == "no change"
    assert briefing.polarity_line(m) == "Higher is better (↓ worse)"


def test_exactly_unchanged_and_same_as_comparator() -> None:
    m = meta(ci_method="none")
    h = one(
        m,
        [  # synthetic
            ("neighbourhood", "nb1", "Northtown", "2019", 100, 1000),
            ("neighbourhood", "nb1", "Northtown", "2024", 100, 1000),
            ("lad", "L1", "Testshire", "2024", 1000, 10000),
        ],
    )
    assert briefing.sentence(h) == (
        "In Northtown, the missed GP appointment rate was unchanged at 10.0% between the 2019 "
        "baseline and 2024, and is the same as Testshire (10.0%)."
    )
    assert briefing.chip(h).text == "The same"


def test_fractional_lsoa_counts_and_missing_latest_value() -> None:
    m = meta(
        "lsoas_pct",
        "LSOAs in England's most deprived 10%",
        aggregation="lsoa_share",
        ci_method="none",
    )
    rows = frame(
        m,
        [  # synthetic: a merged LSOA counts in part; the 2024 value is missing
            ("neighbourhood", "nb1", "Northtown", "2019", 1.5, 10),
            ("neighbourhood", "nb1", "Northtown", "2022", 2.5, 10),
            ("neighbourhood", "nb1", "Northtown", "2024", np.nan, 10),
        ],
    )
    rows.loc[rows.period == "2024", "value"] = np.nan
    h = briefing.build_headline(rows, m, "nb1", "Northtown", "2019", "lad", "95")
    assert h.latest == "2022"
    assert briefing.metric_value(h) == "2.5 of 10 LSOAs"
    assert briefing.metric_delta(h)["delta"] == "+1 LSOA"
    assert briefing.sentence(h) == (
        "In Northtown, 2.5 of 10 LSOAs are among England's most deprived 10% in 2022 (25.0%), up "
        "from 1.5 in 2019."
    )


def test_empty_and_odd_inputs_do_not_raise() -> None:
    m = meta()
    empty = frame(m, [])
    h = briefing.build_headline(empty, m, "nb1", "Northtown", "2019", "rest", "95")
    assert not h.has_data
    assert briefing.metric_value(h) == "—"
    assert briefing.metric_delta(h) == {"delta": None}
    assert briefing.chip(h).text == "Not compared"
    assert (
        briefing.sentence(h) == "There are no figures for missed GP appointment rate in Northtown."
    )
    assert briefing.change_line(h) == "No figures for this neighbourhood"
    # A baseline later than the latest figure.
    h = one(m, [("neighbourhood", "nb1", "Northtown", "2019", 20, 100)], baseline="2025")
    assert briefing.sentence(h) == (  # synthetic
        "In Northtown, the missed GP appointment rate was 20.0% in 2019; there is no 2025 figure "
        "to compare with."
    )
    assert briefing.table([]).empty


def test_sentences_put_missing_last_and_stop_at_six() -> None:
    m = meta()
    rows = [  # synthetic
        ("neighbourhood", "nb1", "Northtown", "2019", 20, 100),
        ("neighbourhood", "nb1", "Northtown", "2024", 18, 100),
    ]
    present = one(m, rows)
    missing = briefing.build_headline(frame(m, []), m, "nb1", "Northtown", "2019", "lad", "95")
    lines = briefing.sentences([missing, *[present] * 7])
    assert len(lines) == briefing.MAX_SENTENCES
    assert all(line.startswith("In Northtown, the missed GP appointment rate") for line in lines)


@pytest.mark.parametrize(
    ("value", "decimals", "sign", "expected"),
    [
        (6.25, 1, False, "6.3"),
        (-0.04, 1, False, "0.0"),
        (-0.04, 1, True, "+0.0"),
        (1234567.8, 0, False, "1,234,568"),
        (-939.0, 0, True, "-939"),
        (12.0, 1, True, "+12.0"),
    ],
)
def test_fixed(value: float, decimals: int, sign: bool, expected: str) -> None:
    assert briefing.fixed(value, decimals, sign) == expected


def test_small_formatters() -> None:
    assert briefing.plural(1, "LSOA") == "LSOA"
    assert briefing.plural(0, "LSOA") == "LSOAs"
    assert briefing.plural(2, "is", "are") == "are"
    assert briefing.format_count(3.0000001) == "3"
    assert briefing.format_count(2.46) == "2.5"
    assert briefing.format_value(56284, meta(unit="people", aggregation="sum")) == "56,284"
    assert briefing.format_value(float("nan"), meta()) == "no figure"
    chip = briefing.Chip("Higher (worse)", "than A_B (4.0%)", "red", ":material/warning:")
    assert chip.markdown() == (
        ":red-badge[:material/warning: Higher \\(worse\\)] than A\\_B \\(4\\.0%\\)"
    )


# --------------------------------------------------------------------------- the page


def open_briefing(**params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(params)
    at.run()
    at.switch_page("pages/briefing.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """The page's Markdown as it reads: names and sentences are escaped (text.escape_markdown)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(m.value for m in at.markdown))


def has_presentation_css(at: AppTest) -> bool:
    return any('[data-testid="stSidebar"]' in m.value for m in at.markdown)


TRAFFORD_NORTH = {
    "lad": TRAFFORD,
    "model": LOCALITIES,
    "nb": "trafford-north",
    "base": "2019",
    "cmp": "lad",
}


def test_page_shows_real_numbers_and_sentences(app_db) -> None:
    at = open_briefing(**TRAFFORD_NORTH)
    assert at.title[0].value == "North: outcomes briefing"
    values = [m.value for m in at.metric]
    assert {"28.1%", "4.5%", "56,284"} <= set(values)
    assert (
        "- In North, the share of residents living in England's most deprived 10% fell from 4.8% "
        "at the 2019 baseline to 4.5% in 2025; now higher (worse) than Trafford (4.0%)."
    ) in texts(at)
    assert ":red-badge[:material/warning: Higher (worse)] than Trafford (17.1%)" in texts(at)
    assert not has_presentation_css(at)
    assert at.toggle(key="briefing_present").value is False
    assert len(at.get("download_button")) == 2  # the numbers, and the figures over time


def test_page_wigan_against_rest_of_borough(app_db) -> None:
    at = open_briefing(lad=WIGAN, model=WIGAN_WARDS, nb="E05015000", base="2019", cmp="rest")
    assert "than the rest of Wigan (" in texts(at)


def test_presentation_mode_from_the_link_and_back(app_db) -> None:
    at = open_briefing(**TRAFFORD_NORTH, present="1")
    assert has_presentation_css(at)
    assert len(at.toggle) == 0  # just the numbers and sentences
    assert at.metric[0].value == "28.1%"
    # The reason a card has no change stays in presentation mode.
    captions = re.sub(r"\\(.)", r"\1", "\n".join(c.value for c in at.caption))
    assert "2019 to 2025 not comparable: the definition changed" in captions
    assert "fell from 4.8% at the 2019 baseline to 4.5% in 2025" in texts(at)
    assert len(at.expander) == 0
    leave = [b for b in at.button if b.label == "Leave presentation mode"]
    assert len(leave) == 1
    leave[0].click().run()
    assert not at.exception
    assert not has_presentation_css(at)
    assert at.toggle(key="briefing_present").value is False
    assert "present" not in at.query_params


def test_presentation_toggle_switches_it_on(app_db) -> None:
    at = open_briefing(**TRAFFORD_NORTH)
    at.toggle(key="briefing_present").set_value(True).run()
    assert not at.exception
    assert has_presentation_css(at)
    assert at.query_params.get("present") in ("1", ["1"])
    values = [m.value for m in at.metric]
    assert values[0] == "28.1%" and {"4.5%", "56,284"} <= set(values)


def test_presentation_css_is_a_fixed_string() -> None:
    """unsafe_allow_html is used for one constant style sheet, never for data."""
    source = (Path(__file__).resolve().parents[1] / "pages" / "briefing.py").read_text()
    assert source.count("unsafe_allow_html=True") == 1
    assert "st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)" in source
