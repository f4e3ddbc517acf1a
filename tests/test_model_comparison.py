"""Neighbourhood models compared (outcomes.model_comparison) and the Neighbourhoods page's map,
coverage report and 'two models side by side'.

Unit tests use small synthetic frames (marked '# synthetic'); real-data tests use the full real
build (`real_db`): Trafford localities (2023) against wards, Wigan MSOAs against wards.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from outcomes import analysis, charts, db, identity, queries
from outcomes import model_comparison as mc
from outcomes.uploads import models as custom_models
from tests.apptest import chart_specs, route_pages_through_the_router

PROJECT_DIR = Path(__file__).resolve().parents[1]
TRAFFORD, WIGAN = "E08000009", "E08000010"
LOCALITIES, TRAFFORD_WARDS = "E08000009_localities2023", "E08000009_wards24"
WIGAN_MSOAS, WIGAN_WARDS = "E08000010_msoa21", "E08000010_wards24"


def _meta(aggregation="weighted_mean", ci_method="none", polarity="higher_is_worse"):
    return analysis.IndicatorMeta(
        indicator_id="x",
        name="X score",
        unit="score",
        polarity=polarity,
        aggregation=aggregation,
        ci_method=ci_method,
        multiplier=1.0,
    )


def _membership(groups: dict[str, list[str]]) -> pd.DataFrame:
    rows = [
        {"lsoa21_code": code, "neighbourhood_code": name.lower(), "neighbourhood_name": name}
        for name, codes in groups.items()
        for code in codes
    ]
    return pd.DataFrame(rows)


# synthetic: six LSOAs in two neighbourhoods, unequal weights
LSOA = pd.DataFrame(
    {
        "lsoa21_code": ["a1", "a2", "a3", "b1", "b2", "b3"],
        "value": [10.0, 20.0, 30.0, 1.0, 2.0, 6.0],
        "weight": [1.0, 2.0, 1.0, 3.0, 1.0, 1.0],
    }
)
TWO = _membership({"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})


# --- synthetic --------------------------------------------------------------------------------


def test_variance_split_adds_up_and_matches_a_hand_calculation():
    split = mc.variance_split(LSOA, TWO)
    x, w = LSOA.value.to_numpy(), LSOA.weight.to_numpy()
    grand = (w * x).sum() / w.sum()
    total = (w * (x - grand) ** 2).sum() / w.sum()
    mean_a, mean_b = 80 / 4, 11 / 5  # weighted means of A and B
    between = (4 * (mean_a - grand) ** 2 + 5 * (mean_b - grand) ** 2) / 9
    assert split.total == pytest.approx(total)
    assert split.between == pytest.approx(between)
    assert split.between + split.within == pytest.approx(split.total)
    assert split.between_share == pytest.approx(between / total)
    assert split.hidden_share == pytest.approx(1 - between / total)
    assert (split.lsoas, split.neighbourhoods) == (6, 2)


def test_variance_split_extremes():
    one = _membership({"All": list(LSOA.lsoa21_code)})  # synthetic
    assert mc.variance_split(LSOA, one).between_share == pytest.approx(0.0)
    each = _membership({code: [code] for code in LSOA.lsoa21_code})
    assert mc.variance_split(LSOA, each).between_share == pytest.approx(1.0)
    flat = LSOA.assign(value=5.0)
    assert np.isnan(mc.variance_split(flat, TWO).between_share)


def test_neighbourhood_spread_quartiles_and_weighted_sd():
    published = pd.DataFrame({"area_code": ["a", "b"], "value": [20.0, 2.2]})  # synthetic
    spread = mc.neighbourhood_spread(LSOA, TWO, published).set_index("neighbourhood_name")
    a = spread.loc["A"]
    assert (a.lsoas, a.lsoa_min, a.lsoa_median, a.lsoa_max) == (3, 10.0, 20.0, 30.0)
    assert (a.lsoa_q1, a.lsoa_q3, a.lsoa_iqr) == (15.0, 25.0, 10.0)
    assert a.lsoa_weighted_mean == pytest.approx(20.0)
    assert a.lsoa_weighted_sd == pytest.approx(np.sqrt((100 + 0 + 100) / 4))
    b = spread.loc["B"]
    assert b.lsoa_weighted_mean == pytest.approx(2.2)
    expected = np.sqrt((3 * 1.2**2 + 0.2**2 + 3.8**2) / 5)
    assert b.lsoa_weighted_sd == pytest.approx(expected)
    assert spread.index.tolist() == ["A", "B"]  # highest value first
    assert spread.value.tolist() == [20.0, 2.2]


def test_unassigned_lsoas_are_left_out_and_counted():
    borough = pd.DataFrame(  # synthetic
        {
            "lsoa21_code": ["a1", "a2", "a3", "b1", "b2", "b3", "c1"],
            "population": [100.0, 100, 100, 100, 100, 100, 400],
            "population_period": "2021",
        }
    )
    # An uploaded model lists the LSOAs it leaves out under 'Unassigned'.
    members = pd.concat(
        [
            TWO,
            pd.DataFrame(
                {
                    "lsoa21_code": ["c1"],
                    "neighbourhood_code": ["m:unassigned"],
                    "neighbourhood_name": [custom_models.UNASSIGNED],
                }
            ),
        ]
    )
    cov = mc.coverage(borough, members)
    assert (cov.borough_lsoas, cov.assigned, cov.unassigned) == (7, 6, 1)
    assert cov.unassigned_codes == ("c1",)
    assert cov.table.neighbourhood_name.tolist() == ["A", "B"]
    assert cov.table.population_pct.tolist() == pytest.approx([30.0, 30.0])
    table = mc.coverage_table(cov).set_index("Neighbourhood")
    assert table.loc["Unassigned", "LSOAs"] == 1
    assert table.loc["Unassigned", "% of borough population"] == 40.0
    assert "Population (2021)" in table
    with_c = pd.concat(
        [LSOA, pd.DataFrame({"lsoa21_code": ["c1"], "value": [99.0], "weight": [1]})]
    )
    assert mc.variance_split(with_c, members).lsoas == 6


@pytest.mark.parametrize(
    ("aggregation", "ci_method", "basis", "label"),
    [
        ("weighted_mean", "none", "population-weighted", "Population-weighted SD"),
        ("ratio", "none", "population-weighted", "Population-weighted SD"),
        ("lsoa_share", "none", "each LSOA counted once", "SD (LSOAs equally weighted)"),
        ("sum", "none", "each LSOA counted once", "SD (LSOAs equally weighted)"),
        ("ratio", "wilson", "weighted by the indicator's denominator", "Weighted SD"),
        ("ratio", "byar", "weighted by the indicator's denominator", "Weighted SD"),
    ],
)
def test_weights_are_named(aggregation, ci_method, basis, label):
    meta = _meta(aggregation, ci_method)
    assert mc.weight_basis(meta) == basis
    assert mc.sd_label(meta) == label
    assert label in mc.spread_table(mc.neighbourhood_spread(LSOA, TWO, _none()), meta)


def _none() -> pd.DataFrame:
    return pd.DataFrame({"area_code": pd.Series(dtype=str), "value": pd.Series(dtype=float)})


def test_headline_names_the_coarser_model():
    coarse = mc.VarianceSplit(total=100, between=30, within=70, lsoas=50, neighbourhoods=4)
    fine = mc.VarianceSplit(total=100, between=60, within=40, lsoas=50, neighbourhoods=20)
    text = mc.headline(
        ("Fine", fine), ("Coarse", coarse), meta=_meta(), period="2019", lad_name="X"
    )
    assert "**60%** lies between the 20 neighbourhoods of Fine" in text
    assert "**30%** between the 4 of Coarse" in text
    assert "The coarser model, Coarse, hides **70%**" in text
    assert "30 percentage points more than Fine" in text
    assert "(population-weighted)" in text
    flat = mc.VarianceSplit(total=0, between=0, within=0, lsoas=5, neighbourhoods=2)
    assert "no variation" in mc.headline(
        ("A", flat), ("B", fine), meta=_meta(), period="1", lad_name="X"
    )
    same = mc.VarianceSplit(total=100, between=50, within=50, lsoas=50, neighbourhoods=4)
    assert "Both have 4 neighbourhoods" in mc.headline(
        ("A", coarse), ("B", same), meta=_meta(), period="1", lad_name="X"
    )


def test_default_second_model_prefers_a_different_size():
    models = pd.DataFrame(  # synthetic
        {"model_id": ["loc23", "loc17", "wards", "msoa"], "neighbourhoods": [4, 4, 21, 28]}
    )
    assert mc.default_second_model(models, "loc23") == "wards"
    assert mc.default_second_model(models, "wards") == "loc23"
    assert mc.default_second_model(models.iloc[:2], "loc23") == "loc17"
    assert mc.default_second_model(models.iloc[:1], "loc23") is None


def test_spread_chart_two_panels_with_footer_and_borough():
    published = pd.DataFrame({"area_code": ["a", "b"], "value": [20.0, 2.2]})  # synthetic
    spreads = {
        "Model one": mc.neighbourhood_spread(LSOA, TWO, published),
        "Model two": mc.neighbourhood_spread(
            LSOA, _membership({"All": list(LSOA.lsoa21_code)}), _none()
        ),
    }
    fig = charts.spread_chart(
        spreads, meta=_meta(), title="T", subtitle="S", source="Source: here", borough_value=9.5
    )
    spec = json.loads(fig.to_json())
    texts = [a["text"] for a in spec["layout"]["annotations"]]
    assert texts[0] == "Source: here"
    assert "<b>Model one</b> (2 neighbourhoods)" in texts
    assert "<b>Model two</b> (1 neighbourhoods)" in texts
    names = [t["name"] for t in spec["data"]]
    assert names.count("Neighbourhood value") == 2
    assert "Borough (9.50)" in names
    assert spec["layout"]["xaxis"]["range"] == spec["layout"]["xaxis2"]["range"]
    table = mc.for_download(
        spreads, {k: mc.variance_split(LSOA, TWO) for k in spreads}, meta=_meta(), period="2019"
    )
    assert table.columns[:4].tolist() == ["model_name", "indicator_id", "indicator_name", "period"]
    assert len(table) == 3


def test_names_from_users_show_literally_in_charts():
    """Plotly reads a little HTML: uploaded model and neighbourhood names are escaped."""
    published = pd.DataFrame({"area_code": ["a", "b"], "value": [20.0, 2.2]})  # synthetic
    spread = mc.neighbourhood_spread(LSOA, TWO, published)
    spread["neighbourhood_name"] = ["<i>East</i>", "North & South"]
    fig = charts.spread_chart(
        {"<b>Mine</b>": spread},
        meta=_meta(),
        title="<b>Mine</b> & more",
        subtitle="S <br> T",
        source="Source: A&E",
    )
    spec = json.loads(fig.to_json())
    assert spec["layout"]["title"]["text"].startswith("<b>&lt;b&gt;Mine&lt;/b&gt; &amp; more</b>")
    assert "S &lt;br&gt; T" in spec["layout"]["title"]["text"]
    texts = [a["text"] for a in spec["layout"]["annotations"]]
    assert texts[0] == "Source: A&amp;E"
    assert "<b>&lt;b&gt;Mine&lt;/b&gt;</b> (2 neighbourhoods)" in texts
    assert set(spec["data"][0]["y"]) - {None} == {"&lt;i&gt;East&lt;/i&gt;", "North &amp; South"}


# --- real data --------------------------------------------------------------------------------


@pytest.fixture
def con(real_db, tmp_path):
    base = db.open_database(real_db, tmp_path / "user.duckdb")
    yield db.cursor(base)
    base.close()


def _model(con, lad, model_id, indicator_id, period):
    lsoa = queries.lsoa_weighted_values(con, lad, indicator_id, period)
    members = queries.model_membership(con, model_id)
    values = queries.area_values(con, lad, model_id, (indicator_id,))
    hoods = values[(values.area_type == "neighbourhood") & (values.period == period)]
    return lsoa, members, mc.neighbourhood_spread(lsoa, members, hoods)


def test_real_trafford_localities_coverage(con):
    cov = mc.coverage(
        queries.borough_lsoas(con, TRAFFORD), queries.model_membership(con, LOCALITIES)
    )
    counts = dict(zip(cov.table.neighbourhood_name, cov.table.lsoas, strict=True))
    assert counts == {"Central": 32, "North": 32, "South": 46, "West": 29}
    assert (cov.borough_lsoas, cov.unassigned) == (139, 0)
    assert cov.table.population_pct.sum() == pytest.approx(100.0)
    assert cov.population_period == "2021"


def test_real_lsoa_weights_reproduce_the_official_borough_averages(con):
    for lad, official in ((TRAFFORD, 16.088), (WIGAN, 25.713)):
        lsoa = queries.lsoa_weighted_values(con, lad, "imd_score", "2019")
        mean = (lsoa.value * lsoa.weight).sum() / lsoa.weight.sum()
        assert mean == pytest.approx(official, abs=0.0005)


@pytest.mark.parametrize(
    ("lad", "model_id", "n", "between_share"),
    [
        (TRAFFORD, LOCALITIES, 4, 0.2682),
        (TRAFFORD, TRAFFORD_WARDS, 21, 0.5515),
        (WIGAN, WIGAN_MSOAS, 40, 0.5831),
        (WIGAN, WIGAN_WARDS, 25, 0.4432),
    ],
)
def test_real_spread_and_variance_split(con, lad, model_id, n, between_share):
    lsoa, members, spread = _model(con, lad, model_id, "imd_score", "2019")
    assert len(spread) == n
    assert spread.lsoas.sum() == len(lsoa)
    # The published neighbourhood value is the weighted mean of its LSOAs.
    assert np.allclose(spread.value, spread.lsoa_weighted_mean, atol=1e-9)
    assert (spread.lsoa_min <= spread.lsoa_q1).all() and (spread.lsoa_q3 <= spread.lsoa_max).all()
    split = mc.variance_split(lsoa, members)
    assert split.between_share == pytest.approx(between_share, abs=5e-5)


def test_real_trafford_north_spread(con):
    _, _, spread = _model(con, TRAFFORD, LOCALITIES, "imd_score", "2019")
    north = spread.set_index("neighbourhood_name").loc["North"]
    assert north.value == pytest.approx(25.6797, abs=1e-4)
    assert (north.lsoas, north.lsoa_min, north.lsoa_max) == (32, 8.194, 52.996)
    assert north.lsoa_weighted_sd == pytest.approx(9.8183, abs=1e-4)


def test_real_headline_trafford_localities_hide_more_than_wards(con):
    meta = analysis.IndicatorMeta.from_row(
        queries.catalogue(con).set_index("indicator_id", drop=False).loc["imd_score"]
    )
    lsoa = queries.lsoa_weighted_values(con, TRAFFORD, "imd_score", "2019")
    splits = {
        name: mc.variance_split(lsoa, queries.model_membership(con, model_id))
        for name, model_id in (("Localities", LOCALITIES), ("Wards", TRAFFORD_WARDS))
    }
    text = mc.headline(
        ("Localities", splits["Localities"]),
        ("Wards", splits["Wards"]),
        meta=meta,
        period="2019",
        lad_name="Trafford",
    )
    assert "**27%** lies between the 4 neighbourhoods of Localities" in text
    assert "**55%** between the 21 of Wards" in text
    assert "The coarser model, Localities, hides **73%**" in text


def test_real_lsoa_share_indicator_counts_each_lsoa_once(con):
    lsoa, _, spread = _model(con, TRAFFORD, LOCALITIES, "imd_lsoas_most_deprived_10_pct", "2019")
    assert set(lsoa.weight) == {1.0}
    north = spread.set_index("neighbourhood_name").loc["North"]
    assert north.value == pytest.approx(6.25)  # 2 of North's 32 LSOAs
    assert north.lsoa_weighted_mean == pytest.approx(6.25)


def test_real_uploaded_model_with_unassigned_lsoas(con):
    members = queries.model_membership(con, LOCALITIES)
    keep = members[members.neighbourhood_name != "West"]  # leave West's 29 LSOAs out
    csv = "lsoa_code,neighbourhood\n" + "".join(
        f"{code},{name}\n"
        for code, name in zip(keep.lsoa21_code, keep.neighbourhood_name, strict=True)
    )
    model = custom_models.validate_model(con, csv.encode(), TRAFFORD)
    model_id = custom_models.save_model(
        con, model, "Three localities", "three.csv", user=identity.local_user()
    )
    uploaded = queries.model_membership(con, model_id)
    cov = mc.coverage(queries.borough_lsoas(con, TRAFFORD), uploaded)
    assert (cov.assigned, cov.unassigned) == (110, 29)
    assert cov.table.neighbourhood_name.tolist() == ["Central", "North", "South"]
    lsoa = queries.lsoa_weighted_values(con, TRAFFORD, "imd_score", "2019")
    assert mc.variance_split(lsoa, uploaded).lsoas == 110


# --- the page ---------------------------------------------------------------------------------


@pytest.fixture
def app(real_db, tmp_path, monkeypatch):
    """The app on the real build with a fresh user database and empty caches, pages run through
    the router (AppTest would otherwise treat pages/ as a legacy multipage folder)."""
    monkeypatch.setattr(db, "PUBLIC_DB", real_db)
    monkeypatch.setattr(db, "USER_DB", tmp_path / "user.duckdb")
    route_pages_through_the_router(monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_page(**params: str) -> AppTest:
        at = AppTest.from_file(str(PROJECT_DIR / "dashboard.py"), default_timeout=90)
        at.query_params.update(params)
        at.run()
        at.switch_page("pages/neighbourhoods.py").run()
        assert not at.exception, at.exception
        return at

    yield open_page
    st.cache_data.clear()
    st.cache_resource.clear()


def _specs(at: AppTest) -> list[dict]:
    return chart_specs(at)


def test_neighbourhoods_page_map_coverage_and_comparison(app):
    at = app(lad=TRAFFORD, model=LOCALITIES, ind="imd_score")
    assert at.title[0].value == "Trafford: neighbourhood models"
    model_map, spread = _specs(at)
    assert model_map["layout"]["geo"]["fitbounds"] == "locations"  # no tiles, no world map
    hoods = model_map["data"][-1]
    names = model_map["data"][0]  # the names on the map: a text layer
    assert names["mode"] == "text"
    assert sorted(names["text"]) == ["Central", "North", "South", "West"]
    assert sorted(hoods["locations"]) == ["Central", "North", "South", "West"]
    # Names reach hover text only escaped, through customdata (never %{location}).
    assert "%{location}" not in hoods["hovertemplate"]
    assert sorted(row[1] for row in hoods["customdata"]) == ["Central", "North", "South", "West"]
    coverage = next(d.value for d in at.dataframe if "LSOAs" in d.value and "Code" in d.value)
    assert dict(zip(coverage.Neighbourhood, coverage.LSOAs, strict=True))["North"] == 32
    assert any("Every one of Trafford's **139 LSOAs**" in m.value for m in at.markdown)

    assert at.selectbox(key="nb_second_model").value == TRAFFORD_WARDS
    assert at.selectbox(key="nb_compare_period").value == "2025"
    at.selectbox(key="nb_compare_period").set_value("2019").run()
    headline = next(m.value for m in at.markdown if m.value.startswith("Of the variation"))
    # Model names are user text, escaped for Markdown.
    assert "**27%** lies between the 4 neighbourhoods of Trafford localities \\(2023\\)" in headline
    assert "**55%** between the 21 of Wards \\(2024, best fit\\)" in headline
    spread = _specs(at)[1]
    panels = [a["text"] for a in spread["layout"]["annotations"][1:]]
    assert panels == [
        "<b>Trafford localities (2023)</b> (4 neighbourhoods)",
        "<b>Wards (2024, best fit)</b> (21 neighbourhoods)",
    ]
    tables = [d.value for d in at.dataframe if "Population-weighted SD" in d.value]
    assert [len(t) for t in tables] == [4, 21]
    labels = [b.label for b in at.get("download_button")]
    assert "Download both models' neighbourhood spreads (CSV)" in labels
    # The upload form is still there.
    assert at.text_input[0].label == "Model name"
    assert any(b.label == "Check and save the model" for b in at.button)


def test_neighbourhoods_page_wigan_msoas_against_wards(app):
    at = app(lad=WIGAN, model=WIGAN_MSOAS, ind="imd_score", base="2019")
    assert at.selectbox(key="nb_second_model").value == WIGAN_WARDS
    at.selectbox(key="nb_compare_period").set_value("2019").run()
    headline = next(m.value for m in at.markdown if m.value.startswith("Of the variation"))
    assert "**58%** lies between the 40 neighbourhoods of MSOAs \\(2021\\)" in headline
    assert "The coarser model, Wards \\(2024, best fit\\), hides **56%**" in headline
    at.selectbox(key="ind").set_value("imd_lsoas_most_deprived_10_pct").run()
    assert not at.exception
    headline = next(m.value for m in at.markdown if m.value.startswith("Of the variation"))
    assert "(each LSOA counted once)" in headline
    assert any("SD (LSOAs equally weighted)" in d.value for d in at.dataframe)
