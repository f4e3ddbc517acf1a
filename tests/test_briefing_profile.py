"""The all-domain outcomes profile: the borough's headline set (outcomes/headlines.py), the
profile of one neighbourhood (outcomes/briefing.profile) and the Briefing page that shows it.

Real values from the session's full real build; the headline-set store tests use a throw-away
user database (the setting and its audit entry are real rows, never mocked)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from outcomes import briefing, db, headlines, queries
from outcomes.identity import User
from outcomes.uploads import audit, storage
from tests.apptest import chart_specs

PAGES = Path(__file__).resolve().parents[1] / "pages"
TRAFFORD, TEST_VALLEY = "E08000009", "E07000093"
LOCALITIES = "E08000009_localities2023"
ANALYST = User("ana@trafford.gov.uk", "Ana Lyst", "trafford.gov.uk", "analyst")
VIEWER = User("vic@trafford.gov.uk", "Vic Ewer", "trafford.gov.uk", "viewer")
PUBLIC_DOMAINS = {
    "Deprivation",
    "Population",
    "Health access",
    "Transport",
    "Service use",
    "Cohesion",
}


@pytest.fixture(scope="module")
def cur(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    base = db.open_database(real_db, tmp_path_factory.mktemp("profile_user") / "user.duckdb")
    yield db.cursor(base)
    base.close()


@pytest.fixture(scope="module")
def catalogue(cur) -> pd.DataFrame:
    return queries.catalogue(cur)


# --------------------------------------------------------------------------- the headline set


def test_shipped_defaults_cover_every_domain_with_neighbourhood_values(catalogue) -> None:
    ids = headlines.default_ids(catalogue)
    domains = headlines.domain_of(catalogue)
    assert {domains[i] for i in ids} >= PUBLIC_DOMAINS
    assert {"income_deprived_pct", "gp_patients_per_fte_gp", "pt_bus_trips_per_hour"} <= set(ids)
    rows = catalogue.set_index("indicator_id").loc[list(ids)]
    assert (rows.aggregation != "lsoa_only").all()
    assert rows.area_types.str.contains("neighbourhood").all()
    # Domains come in the profile's order, deprivation first.
    assert [d for d, _ in headlines.by_domain(ids, catalogue)][:2] == ["Deprivation", "Population"]


def test_partner_indicators_join_the_defaults_and_unknown_ids_fall_away(catalogue) -> None:
    partner = catalogue.iloc[[0]].assign(indicator_id="user_x:visits", domain="Your data")
    both = pd.concat([catalogue, partner], ignore_index=True)
    ids = headlines.default_ids(both, ["user_x:visits", "user_gone:y"])
    assert ids[-1] == "user_x:visits"
    assert "user_gone:y" not in ids
    # A saved set loses ids the catalogue no longer holds (a deleted dataset), else defaults.
    assert headlines.resolve(["user_gone:y", "population"], both) == ("population",)
    assert headlines.resolve(["user_gone:y"], both) == headlines.default_ids(both)


def test_headline_set_saved_by_an_analyst_refused_for_a_viewer_and_audited(cur, catalogue) -> None:
    store = storage.store_for(cur)
    key = headlines.setting_key(TRAFFORD)
    before = len(store.audit_log())
    with pytest.raises(PermissionError, match="analyst role"):
        headlines.save(store, VIEWER, TRAFFORD, "Trafford", ["population"], catalogue)
    assert store.get_setting(key) is None
    assert len(store.audit_log()) == before  # a refusal changes and records nothing

    chosen = ["loneliness_pct", "income_deprived_pct", "population"]
    assert headlines.save(store, ANALYST, TRAFFORD, "Trafford", chosen, catalogue)
    assert json.loads(store.get_setting(key)) == {"indicators": chosen}
    assert headlines.headline_ids(store, TRAFFORD, catalogue) == tuple(chosen)
    assert headlines.headline_ids(store, TEST_VALLEY, catalogue) == headlines.default_ids(catalogue)
    log = store.audit_log()
    entry = log.iloc[-1]
    assert len(log) == before + 1
    assert (entry.action, entry.object_kind, entry.object_id) == (
        audit.SETTING_CHANGE,
        audit.SETTING,
        key,
    )
    assert (entry.actor_email, entry.actor_role, entry.lad_code) == (
        "ana@trafford.gov.uk",
        "analyst",
        TRAFFORD,
    )
    assert entry.detail == "indicators: loneliness_pct, income_deprived_pct, population"

    # The same set again changes nothing and records nothing; an unknown id is refused.
    assert not headlines.save(store, ANALYST, TRAFFORD, "Trafford", chosen, catalogue)
    with pytest.raises(headlines.HeadlineSetError, match="imd_rank"):
        headlines.save(store, ANALYST, TRAFFORD, "Trafford", ["imd_rank"], catalogue)
    assert len(store.audit_log()) == before + 1

    # Back to the shipped set, recorded too.
    assert headlines.save(store, ANALYST, TRAFFORD, "Trafford", None, catalogue)
    assert headlines.stored_ids(store, TRAFFORD) is None
    assert store.audit_log().iloc[-1].detail == "back to the shipped defaults"


# --------------------------------------------------------------------------- the profile


def west_profile(cur, catalogue, year: int = 2019) -> dict[str, briefing.Headline]:
    ids = headlines.default_ids(catalogue)
    values = queries.area_values(cur, TRAFFORD, LOCALITIES, ids)
    items = briefing.profile(values, catalogue, ids, "trafford-west", "West", year, "lad", "95")
    return {h.meta.indicator_id: h for h in items}


def test_trafford_west_profile_has_each_indicator_on_its_own_periods(cur, catalogue) -> None:
    items = west_profile(cur, catalogue)
    gp = items["gp_patients_per_fte_gp"]
    assert (gp.baseline, gp.latest) == ("2019/20", "2023/24")  # its own period nearest 2019
    assert briefing.metric_delta(gp)["delta_description"] == "since 2019/20"
    assert round(gp.value, 1) == 2184.2
    bus = items["pt_bus_trips_per_hour"]
    assert (bus.baseline, bus.latest, bus.direction) == ("2019", "2023", "worsened")
    # One period only: said so, never 'unchanged' or a zero change.
    car = items["households_no_car_pct"]
    assert car.single_period and briefing.metric_delta(car) == {"delta": None}
    assert briefing.change_line(car) == "2021: one period only: no change to show"
    assert "(one period only)" in briefing.sentence(car)
    # Not comparable: the earlier value is shown in words, never as a delta.
    income = items["income_deprived_pct"]
    assert briefing.metric_delta(income) == {"delta": None}
    assert "not comparable" in briefing.change_line(income)
    assert "12.3% in 2019; not comparable" in briefing.sentence(income)
    population = items["population"]  # mid-2019 estimate against the 2021 Census
    assert briefing.metric_delta(population) == {"delta": None}
    assert "Census" in briefing.change_line(population)


def test_changed_most_phrases_come_from_the_ranking(cur, catalogue) -> None:
    from outcomes import change

    ids = tuple(headlines.neighbourhood_catalogue(catalogue).indicator_id)
    values = queries.area_values(cur, TRAFFORD, LOCALITIES, ids)
    ranked = change.area_changes(
        values, headlines.neighbourhood_catalogue(catalogue), "trafford-west", 2019, "95"
    )
    lines = briefing.changed_most(ranked, catalogue)
    assert (
        "Bus frequency (trips per hour): 23.2 trips per hour in 2019 to 19.3 trips per hour in 2023"
        in lines["worsened"]
    )
    assert all(" in 20" in line for line in lines["improved"] + lines["worsened"])


# --------------------------------------------------------------------------- the page


def texts(at) -> str:
    return re.sub(r"\\(.)", r"\1", "\n".join(m.value for m in at.markdown))


def open_briefing(**params: str):
    """The router run once on a link: the Briefing is its default page, so the link's
    neighbourhood (`nb`) is read as on a first visit."""
    from streamlit.testing.v1 import AppTest

    root = PAGES.parent
    router = (root / "dashboard.py").read_text(encoding="utf-8")
    router = router.replace('st.Page("pages/', f'st.Page("{root}/pages/')
    at = AppTest.from_string(router, default_timeout=90)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


def test_briefing_page_shows_every_domain_for_trafford_west(app_db) -> None:
    at = open_briefing(lad=TRAFFORD, model=LOCALITIES, nb="trafford-west", base="2019", cmp="lad")
    assert at.title[0].value == "West: outcomes briefing"
    shown = texts(at)
    captions = re.sub(r"\\(.)", r"\1", "\n".join(c.value for c in at.caption))
    for domain in PUBLIC_DOMAINS:
        assert domain.upper() in captions, domain
    # Each card names its own latest period.
    for label in (
        "Income deprivation rate, 2025",
        "Population, 2021",
        "Patients per fully qualified GP (FTE), 2023/24",
        "Bus frequency (trips per hour), 2023",
        "Stroke admissions per 1,000 residents a year, 2017-2019",
        "Loneliness (modelled), 2020/21",
    ):
        assert f"**{label}**" in shown, label
    values = {m.value for m in at.metric}
    assert {"19.4%", "45,289", "2,184.2", "19.3", "19.0%"} <= values
    gp = next(m for m in at.metric if m.value == "2,184.2")
    assert gp.proto.delta == "+7.7"
    assert "since 2019/20" in captions or "2019/20" in shown
    assert "2021: one period only: no change to show" in captions
    assert "In West, bus frequency fell from 23.2 trips per hour at the 2019 baseline" in shown
    assert "What changed most in West since 2019" in shown
    assert len(chart_specs(at)) == 1


def test_an_analyst_saves_the_headline_set_on_the_page_and_a_viewer_cannot(
    app_db, monkeypatch
) -> None:
    at = open_briefing(lad=TRAFFORD, model=LOCALITIES, nb="trafford-west")
    chosen = ["loneliness_pct", "population"]
    at.multiselect(key=f"headline_set_{TRAFFORD}").set_value(chosen).run()
    at.button(key="headline_save").click().run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["45,289", "24.8%"]  # the saved set, by domain
    assert any("Saved for everyone" in s.value for s in at.success)
    store = storage.store_for(at.session_state["db_cursor"])  # the app's own connection
    entry = store.audit_log().iloc[-1]
    assert (entry.action, entry.actor_role) == (audit.SETTING_CHANGE, "analyst")

    monkeypatch.setenv("OUTCOMES_LOCAL_ROLE", "viewer")
    viewer = open_briefing(lad=TRAFFORD, model=LOCALITIES, nb="trafford-west")
    assert viewer.multiselect(key=f"headline_set_{TRAFFORD}").disabled
    assert not [b for b in viewer.button if b.key == "headline_save"]
    assert any("Only analysts and above" in i.value for i in viewer.info)
    assert [m.value for m in viewer.metric] == ["45,289", "24.8%"]  # shared with everyone
