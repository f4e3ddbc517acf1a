"""Small things a reader meets: axis titles that say a unit once, period labels that fit, the
baseline label clear of the legend, area codes that mean something, plain messages (no server
path), and a neighbourhood picker that stays empty when cleared. Frames here are synthetic."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from outcomes import analysis, db, labels, maps, model_comparison
from outcomes.charts.style import axis_title
from outcomes.charts.trends import trend_chart

PROJECT_DIR = Path(__file__).resolve().parents[1]
USER_CODE = "E08000010_user_wigan-14-neighbourhoods:neighbourhood-1"  # an uploaded model's id


@pytest.mark.parametrize(
    ("name", "unit", "title"),
    [
        ("Bus frequency (trips per hour)", "trips per hour", "Bus frequency (trips per hour)"),
        ("Road casualties per 1,000 residents", "per 1,000 residents", None),
        ("Patients per GP (IoD2025)", "patients per GP", None),
        ("Missed GP appointments", "%", "Missed GP appointments (%)"),
        ("Population in England's most deprived 10%", "%", None),
        ("GP drive time", "minutes", "GP drive time (minutes)"),
        ("IMD average score", "score", None),
    ],
)
def test_axis_titles_say_the_unit_once(name: str, unit: str, title: str | None) -> None:
    expected = title or (f"{name} (%)" if unit == "%" else name)
    assert axis_title(name, unit).replace("&#x27;", "'") == expected


def _monthly(months: int) -> pd.DataFrame:
    """synthetic: one borough's value per month."""
    starts = pd.date_range("2023-05-01", periods=months, freq="MS")
    return pd.DataFrame(
        {
            "area_type": "lad",
            "area_name": "Trafford",
            "period": starts.strftime("%Y-%m"),
            "period_start": starts,
            "value": [5.0 + i % 3 for i in range(months)],
            "lower_ci95": None,
            "upper_ci95": None,
        }
    )


def _chart(frame: pd.DataFrame, baseline: str):
    return trend_chart(frame, title="t", subtitle="s", source="src", y_title="y", baseline=baseline)


def test_monthly_periods_are_labelled_sparsely_enough_to_stay_level() -> None:
    fig = _chart(_monthly(31), "2023-09")
    text = list(fig.layout.xaxis.ticktext)
    assert 6 <= len(text) <= 12
    assert text[-1] == "2025-11"  # the latest period is always labelled
    assert len(fig.data[0].x) == 31  # every month is still drawn
    few = _chart(_monthly(4), "2023-06")
    assert list(few.layout.xaxis.ticktext) == ["2023-05", "2023-06", "2023-07", "2023-08"]


def test_the_baseline_label_hangs_inside_the_plot_below_the_legend() -> None:
    fig = _chart(_monthly(4), "2023-06")
    (label,) = [a for a in fig.layout.annotations if a.text == "Baseline 2023-06"]
    assert (label.y, label.yref, label.yanchor, label.xanchor) == (1.0, "paper", "top", "left")
    assert fig.layout.legend.y > 1  # the legend sits above the plot, the label under its top


def test_tables_show_ons_codes_and_leave_the_apps_own_ids_blank() -> None:
    assert labels.public_code("E02001275") == "E02001275"
    assert labels.public_code("E05015000") == "E05015000"
    assert labels.public_code(USER_CODE) == ""
    assert labels.public_code("trafford-west") == ""
    frame = pd.DataFrame(
        {"area_code": [USER_CODE, "E02001275"], "area_name": ["Neighbourhood 1", "Partington"]}
    )
    frame = frame.assign(period="2025", value=[1.0, 2.0])
    meta = analysis.IndicatorMeta(
        indicator_id="x_pct", name="X", unit="%", polarity="higher_is_worse",
        aggregation="weighted_mean", ci_method="none", multiplier=1.0,
    )  # fmt: skip
    table = maps.table_for(frame, view="value", level="neighbourhood", meta=meta)
    assert table["neighbourhood_code"].tolist() == ["", "E02001275"]
    assert table["neighbourhood_name"].tolist() == ["Neighbourhood 1", "Partington"]


def test_the_coverage_table_leaves_an_uploaded_models_ids_blank() -> None:
    table = pd.DataFrame(
        {
            "neighbourhood_code": [USER_CODE],
            "neighbourhood_name": ["Neighbourhood 1"],
            "lsoas": [10],
            "population": [15000.0],
            "population_pct": [4.6],
        }
    )
    cov = model_comparison.Coverage(
        table=table,
        borough_lsoas=10,
        assigned=10,
        unassigned=0,
        unassigned_codes=(),
        population_period="2022",
        borough_population=15000.0,
    )
    shown = model_comparison.coverage_table(cov)
    assert shown["Code"].tolist() == [""]
    assert USER_CODE not in shown.to_csv()


def test_nothing_to_map_names_the_level_as_an_adjective() -> None:
    assert maps.nothing_to_map("lsoa", "Crime", "Trafford") == (
        "No LSOA values of Crime to map in Trafford."
    )
    assert maps.nothing_to_map("neighbourhood", "Crime", "Wigan").startswith(
        "No neighbourhood values of Crime"
    )


def test_a_missing_database_is_a_plain_message_without_server_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "secret-folder" / "outcomes.duckdb"
    monkeypatch.setattr(db, "PUBLIC_DB", missing)
    monkeypatch.setattr(db, "USER_DB", tmp_path / "user.duckdb")
    st.cache_resource.clear()
    router = (PROJECT_DIR / "dashboard.py").read_text(encoding="utf-8")
    router = router.replace('st.Page("pages/', f'st.Page("{PROJECT_DIR}/pages/')
    at = AppTest.from_string(router, default_timeout=60).run()
    st.cache_resource.clear()
    assert not at.exception
    (message,) = [e.value for e in at.error]
    assert message.startswith("The dashboard cannot open its data just now.")
    assert "secret-folder" not in message and str(tmp_path) not in message
    error_id = message.rsplit("error id ", 1)[1].rstrip(".")
    assert len(error_id) == 8
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)  # for admins


def test_clearing_the_neighbourhood_picker_leaves_it_empty_and_says_what_shows(page_app) -> None:
    at = page_app(PROJECT_DIR / "pages" / "data_sources.py")
    assert len(at.sidebar.multiselect(key="nb").value) == 4  # Trafford's four localities
    at.sidebar.multiselect(key="nb").set_value([]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="nb").value == []  # not the defaults again
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "No neighbourhood chosen: the pages show North" in captions  # the default focus
    assert at.query_params["nb"] in ("trafford-north", ["trafford-north"])  # as the link says


def test_another_model_brings_its_own_default_neighbourhoods(page_app) -> None:
    at = page_app(PROJECT_DIR / "pages" / "data_sources.py")
    at.sidebar.selectbox(key="model").set_value("E08000009_wards24").run()
    chosen = at.sidebar.multiselect(key="nb").value
    assert 1 <= len(chosen) <= 6 and "North" not in chosen
