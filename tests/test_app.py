"""The Streamlit app in-process (streamlit.testing AppTest) on the full real build.

Each test gets a fresh user database and empty Streamlit caches.

The page files live in a folder named `pages/`. Streamlit treats such a folder as an old-style
(v1) multipage app until some session has run `st.navigation`; AppTest resets that flag on
every run, so without help `switch_page` would run a page on its own, without dashboard.py and
its sidebar. The `navigation_v2` fixture keeps the flag off, as it is in a server once the
main page has run, so each page runs under the real router and sidebar. The deep-link tests
at the end run without it, as a fresh server does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from outcomes import db
from tests.apptest import chart_specs

PROJECT_DIR = Path(__file__).resolve().parents[1]
APP = str(PROJECT_DIR / "dashboard.py")
LOCALITIES_CSV = (
    PROJECT_DIR / "data/raw/geography/trafford_localities/trafford_lsoa21_to_locality.csv"
)
TRAFFORD, WIGAN = "E08000009", "E08000010"
DEFAULT_MODEL = "E08000009_localities2023"
DEFAULT_INDICATOR = "imd_lsoas_most_deprived_10_pct"
TRENDS = "pages/trends.py"
NEIGHBOURHOODS = "pages/neighbourhoods.py"
SUBMIT = "FormSubmitter:upload_model-Check and save the model"


@pytest.fixture(autouse=True)
def app_env(real_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The real public build, a fresh user database, and no cached data from other tests."""
    user_db = tmp_path / "user" / "user_data.duckdb"
    monkeypatch.setattr(db, "PUBLIC_DB", real_db)
    monkeypatch.setattr(db, "USER_DB", user_db)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield user_db
    st.cache_data.clear()
    st.cache_resource.clear()


_STREAMLIT_INIT = PagesManager.__init__


@pytest.fixture(autouse=True)
def navigation_v2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every page through dashboard.py's st.navigation (see the module docstring)."""

    def init(self, *args, **kwargs) -> None:
        _STREAMLIT_INIT(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def registered_pages() -> list[str]:
    """The page files dashboard.py registers, in menu order."""
    text = (PROJECT_DIR / "dashboard.py").read_text(encoding="utf-8")
    return re.findall(r'st\.Page\(\s*"(pages/[^"]+\.py)"', text)


def open_app(page: str = TRENDS, **params: str) -> AppTest:
    """A first visit to a page URL with these query parameters."""
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)  # before the first run a page is found by its file name
    at.run()
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def data_table(at: AppTest) -> pd.DataFrame:
    """The trends page's text alternative: one row per area, one column per period."""
    (table,) = [d.value for d in at.dataframe if {"Area", "Type"} <= set(d.value.columns)]
    return table.set_index("Area")


def chart_title(at: AppTest) -> str:
    (spec,) = chart_specs(at)
    return spec["layout"]["title"]["text"]


def as_shown(markdown: str) -> str:
    """Markdown source as the reader sees it: names are escaped before Markdown renders."""
    return re.sub(r"\\(.)", r"\1", markdown)


def notes(at: AppTest) -> list[str]:
    return [as_shown(i.value) for i in at.info]


def params(at: AppTest) -> dict[str, str]:
    return {key: at.query_params[key] for key in at.query_params}


# ---------------------------------------------------------------- every page


def test_every_page_runs_without_exception() -> None:
    pages = registered_pages()
    assert {TRENDS, NEIGHBOURHOODS, "pages/data_sources.py"} <= set(pages)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()  # the default page
    assert_ok(at)
    for page in pages:
        at.switch_page(page).run()
        assert_ok(at)
        assert at.title, page
        assert any(box.key == "lad" for box in at.selectbox), page  # the shared sidebar


def test_the_neighbourhoods_and_data_pages_show_trafford() -> None:
    at = open_app(NEIGHBOURHOODS)
    assert at.title[0].value == "Trafford: neighbourhood models"
    at.switch_page("pages/data_sources.py").run()
    assert_ok(at)
    assert at.title[0].value == "Data & sources"
    catalogue = at.dataframe[0].value.set_index("name")
    assert catalogue.loc["IMD decile (LSOA)", "periods"] == "2010, 2015, 2019, 2025"
    labels = [as_shown(b.label) for b in at.get("download_button")]
    assert any(label.startswith("indicator_values — values for Trafford") for label in labels)


# ---------------------------------------------------------------- real numbers on the page


def test_trends_page_shows_traffords_real_imd_scores() -> None:
    at = open_app(ind="imd_score")
    assert at.title[0].value == "IMD average score: Trafford neighbourhoods over time"
    table = data_table(at)
    assert table.loc["Trafford", "Type"] == "Borough"
    assert table.loc["Trafford", "2019"] == 16.09
    assert table.loc["North", "2019"] == 25.68
    assert table.loc["England", "Type"] == "England"
    assert set(table.index) == {"Central", "North", "South", "West", "Trafford", "England"}
    title = chart_title(at)
    assert title.startswith("<b>IMD average score, Trafford</b>")
    assert "Trafford localities (2023); 2010–2025; baseline 2019" in title
    assert "no confidence interval" in title


def test_default_indicator_shows_north_share_of_most_deprived_lsoas() -> None:
    at = open_app()
    assert params(at)["ind"] == DEFAULT_INDICATOR
    table = data_table(at)
    assert table.loc["North", "2010"] == 18.75  # 6 of North's 32 LSOAs
    assert table.loc["North", "2019"] == 6.25  # 2 of 32
    assert chart_title(at).startswith("<b>LSOAs in England's most deprived 10%, Trafford</b>")
    change = at.dataframe[0].value.set_index("Area")
    assert list(change.columns[:2]) == ["2019", "2025"]
    assert change.loc["North", "2019"] == 6.25


def test_trends_draws_the_rest_of_the_borough_for_one_neighbourhood() -> None:
    # A comparable indicator: income rates 2019 -> 2025 have no change table at all.
    at = open_app(nb="trafford-north", cmp="rest", ind="imd_pop_most_deprived_10_pct")
    (spec,) = chart_specs(at)
    rest = [t for t in spec["data"] if t.get("name") == "Rest of Trafford"]
    assert rest and len(rest[0]["x"]) >= 2  # a line over the periods, not just a legend entry
    change = at.dataframe[0].value.set_index("Area")
    assert "Rest of Trafford" in change.index


# ---------------------------------------------------------------- the URL holds the state


def test_a_link_opens_wigan_with_its_model_and_indicator() -> None:
    wanted = {"lad": WIGAN, "model": "E08000010_wards24", "ind": "imd_pop_most_deprived_10_pct"}
    at = open_app(**wanted)
    assert notes(at) == []
    assert at.selectbox(key="lad").value == WIGAN
    assert at.selectbox(key="model").value == "E08000010_wards24"
    assert at.selectbox(key="ind").value == "imd_pop_most_deprived_10_pct"
    assert at.title[0].value == (
        "Population in England's most deprived 10%: Wigan neighbourhoods over time"
    )
    title = chart_title(at)
    assert title.startswith("<b>Population in England's most deprived 10%, Wigan</b>")
    assert "Wards (2024, best fit)" in title
    state = params(at)
    assert {key: state[key] for key in wanted} == wanted
    assert len(state["nb"].split(",")) == 6  # the first six wards by default
    assert set(data_table(at).Type) == {"Neighbourhood", "Borough", "England"}


def test_every_sidebar_choice_round_trips_through_the_url() -> None:
    first = open_app(lad=WIGAN, model="E08000010_wards24")
    wards = first.multiselect(key="nb").options
    assert len(wards) > 6
    link = {
        "lad": WIGAN,
        "model": "E08000010_msoa21",
        "ind": "income_deprived_pct",
        "base": "2010",
        "cmp": "england",
        "ci": "998",
    }
    at = open_app(**link)
    assert notes(at) == []
    state = params(at)
    assert {key: state[key] for key in link} == link
    codes = state["nb"].split(",")
    again = open_app(**state)  # the URL after the run reopens the same view
    assert params(again) == state
    assert again.multiselect(key="nb").value == codes


def test_bad_link_parameters_fall_back_to_defaults_with_a_note() -> None:
    at = open_app(lad="E99999999", model="nonsense", ind="nope", base="1900", cmp="x", ci="50")
    shown = " ".join(notes(at))
    for bad in ("E99999999", "nonsense", "nope", "1900", "'x'", "'50'"):
        assert bad in shown, (bad, shown)
    assert at.selectbox(key="lad").value == TRAFFORD
    assert at.selectbox(key="model").value == DEFAULT_MODEL
    assert at.selectbox(key="ind").value == DEFAULT_INDICATOR
    state = params(at)
    assert (state["lad"], state["model"], state["ind"]) == (
        TRAFFORD,
        DEFAULT_MODEL,
        DEFAULT_INDICATOR,
    )
    assert (state["base"], state["cmp"], state["ci"]) == ("2019", "lad", "95")
    assert data_table(at).loc["North", "2010"] == 18.75


def test_indicators_without_lsoa_or_england_rows_open(real_db: Path) -> None:
    """Some indicators (e.g. local election turnout) are published for neighbourhoods and
    boroughs only: the sidebar still finds their periods."""
    with duckdb.connect(str(real_db), read_only=True) as con:
        ids = [
            row[0]
            for row in con.execute(
                "SELECT indicator_id FROM indicator_values GROUP BY ALL "
                "HAVING NOT bool_or(area_type IN ('lsoa', 'england')) ORDER BY ALL"
            ).fetchall()
        ]
    if not ids:
        pytest.skip("every indicator has LSOA or England rows in this build")
    for indicator_id in ids:
        at = open_app(ind=indicator_id)
        assert at.selectbox(key="ind").value == indicator_id
        assert at.selectbox(key="base").options


def test_a_model_of_another_borough_in_the_link_falls_back() -> None:
    at = open_app(lad=WIGAN, model=DEFAULT_MODEL, nb="trafford-north")
    assert at.selectbox(key="lad").value == WIGAN
    assert at.selectbox(key="model").value == "E08000010_wards24"  # Wigan's first model
    assert params(at)["model"] == "E08000010_wards24"
    shown = " ".join(notes(at))
    assert DEFAULT_MODEL in shown
    assert "not in this model" in shown


def test_changing_borough_in_the_sidebar_moves_the_model_without_a_note() -> None:
    at = open_app()
    at.selectbox(key="lad").set_value(WIGAN).run()
    assert_ok(at)
    assert notes(at) == []
    state = params(at)
    assert state["lad"] == WIGAN
    assert state["model"].startswith(WIGAN + "_")
    assert at.title[0].value.endswith("Wigan neighbourhoods over time")


# ---------------------------------------------------------------- uploading a model


def _model_csv(drop: int = 0) -> bytes:
    frame = pd.read_csv(LOCALITIES_CSV, dtype=str)
    frame = frame.rename(columns={"lsoa21cd": "lsoa_code", "locality_2023": "neighbourhood"})
    return frame.iloc[drop:][["lsoa_code", "neighbourhood"]].to_csv(index=False).encode()


def _neighbourhoods_page() -> AppTest:
    return open_app(NEIGHBOURHOODS)


def _submit(at: AppTest, name: str, file_name: str, data: bytes) -> None:
    at.text_input[0].input(name)
    at.file_uploader[0].set_value((file_name, data, "text/csv"))
    at.button(key=SUBMIT).click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_upload_select_and_delete_a_model() -> None:
    at = _neighbourhoods_page()
    name = "<script>alert(1)</script> model"
    _submit(at, name, "trafford.csv", _model_csv(drop=5))
    assert not at.error
    assert [as_shown(s.value) for s in at.success] == [
        f"Saved '{name}' with 4 neighbourhoods and 134 LSOAs."
    ]
    assert any("5 of the borough's 139 LSOAs are not in the file" in n for n in notes(at))
    listed = at.dataframe[0].value
    assert listed.loc[listed.Source == "uploaded", "Model"].tolist() == [name]
    # the sidebar has moved to the new model, and the URL with it
    model_id = "E08000009_user_script-alert-1-script-model"
    assert at.selectbox(key="model").value == model_id
    assert params(at)["model"] == model_id
    assert at.title[0].value == "Trafford: neighbourhood models"

    at.switch_page(TRENDS).run()
    assert_ok(at)
    assert at.selectbox(key="model").value == model_id
    assert "Unassigned" in data_table(at).index

    at.switch_page(NEIGHBOURHOODS).run()
    assert_ok(at)
    (uploaded,) = [box for box in at.selectbox if box.label == "Uploaded model"]
    assert uploaded.value == model_id
    at.checkbox(key=f"model_delete_sure:{model_id}").check().run()  # the confirmation first
    (delete,) = [b for b in at.button if b.label == "Delete this model"]
    delete.click().run()
    assert_ok(at)
    assert not any(name in label for label in at.selectbox(key="model").options)
    assert at.selectbox(key="model").value == DEFAULT_MODEL
    assert params(at)["model"] == DEFAULT_MODEL
    assert "uploaded" not in set(at.dataframe[0].value.Source)


def test_bad_uploads_show_their_problems_and_save_nothing() -> None:
    at = _neighbourhoods_page()
    # problems in the file itself are found first ...
    _submit(at, "Broken", "broken.csv", b"lsoa_code,neighbourhood\nE01006074,North\nE1006074,\n")
    assert [e.value for e in at.error] == ["The file was not saved (2 problem(s)):"]
    assert at.dataframe[-1].value.Problem.tolist() == [
        "line 3, column lsoa_code: 'E1006074' is not an English LSOA code (E01 and six digits)",
        "line 3, column neighbourhood: empty name",
    ]
    # ... then codes that are not this borough's LSOAs
    wrong = b"lsoa_code,neighbourhood\nE01006074,North\nE01999999,North\nE01006212,North\n"
    _submit(at, "Broken", "broken.csv", wrong)
    assert [e.value for e in at.error] == ["The file was not saved (2 problem(s)):"]
    assert at.dataframe[-1].value.Problem.tolist() == [
        "line 3, column lsoa_code: E01999999 is not an LSOA 2011 or 2021 code",
        "line 4, column lsoa_code: E01006212 is in Wigan, not in this borough",
    ]
    assert not at.success
    assert not any("Broken" in label for label in at.selectbox(key="model").options)
    assert params(at)["model"] == DEFAULT_MODEL


def test_an_excel_upload_is_explained() -> None:
    at = _neighbourhoods_page()
    _submit(at, "Workbook", "model.csv", b"PK\x03\x04" + b"\0" * 100)
    assert at.error
    (problem,) = at.dataframe[-1].value.Problem.tolist()
    assert "Excel workbook" in problem and "CSV UTF-8" in problem


def test_upload_needs_a_name_and_a_file() -> None:
    at = _neighbourhoods_page()
    at.button(key=SUBMIT).click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Give the model a name and choose a CSV file."]


# ---------------------------------------------------------------- deep links on a fresh server


@pytest.mark.parametrize("page", registered_pages())
def test_a_deep_link_on_a_fresh_server_gets_the_router_and_sidebar(monkeypatch, page) -> None:
    """A fresh server's first visitor opening a page URL: with a folder named `pages/`,
    Streamlit runs that page alone (old multipage mode) unless the page sends the run back
    through dashboard.py, as ui.current_selection() does."""
    monkeypatch.setattr(PagesManager, "__init__", _STREAMLIT_INIT)  # Streamlit's own behaviour
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(box.key == "lad" for box in at.selectbox)
    assert "Choose a borough in the sidebar." not in notes(at)
