"""Finding a place (outcomes.places) and the House of Commons Library MSOA names, on the real
build (`real_db`): Partington is found by name and by postcode, and leads to Trafford, its MSOA
and its locality; the MSOA model carries the names; the default focus is the most deprived."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes import db, places

PAGES = Path(__file__).resolve().parents[1] / "pages"

TRAFFORD, WIGAN = "E08000009", "E08000010"
PARTINGTON = "E02001275"  # ONS "Trafford 017"
PARTINGTON_LSOAS = ["E01006104", "E01006105", "E01006106", "E01006107", "E01006108"]


@pytest.fixture(scope="module")
def cur(real_db: Path, tmp_path_factory: pytest.TempPathFactory):
    con = db.open_database(real_db, tmp_path_factory.mktemp("places_user") / "user.duckdb")
    yield db.cursor(con)
    con.close()


def test_partington_is_found_by_name_in_trafford(cur) -> None:
    found = places.search(cur, "partington")
    assert [(p.name, p.kind, p.code, p.lad_code, p.lad_name) for p in found] == [
        ("Partington", "msoa", PARTINGTON, TRAFFORD, "Trafford")
    ]
    assert found[0].label == "Partington (MSOA name, Trafford)"
    assert places.place_lsoas(cur, found[0]) == PARTINGTON_LSOAS


def test_partington_leads_to_its_msoa_ward_and_the_west_locality(cur) -> None:
    place = places.search(cur, "Partington")[0]
    lies = places.where_it_lies(cur, place)
    where = dict(zip(lies.model_id, lies.neighbourhood_name, strict=True))
    assert where == {
        f"{TRAFFORD}_msoa21": "Partington",
        f"{TRAFFORD}_wards24": "Bucklow-St Martins",
        f"{TRAFFORD}_localities2023": "West",
        f"{TRAFFORD}_localities2017": "West",
    }
    assert set(lies.lsoas) == {5} and set(lies.place_lsoas) == {5}
    # from another borough's model: the MSOA model; from a Trafford model: that model
    assert places.destination(place, f"{WIGAN}_msoa21", lies) == (f"{TRAFFORD}_msoa21", PARTINGTON)
    assert places.destination(place, f"{TRAFFORD}_localities2023", lies) == (
        f"{TRAFFORD}_localities2023",
        "trafford-west",
    )
    assert "Trafford localities (2023): West" in places.lies_in_text(lies)


def test_a_postcode_in_partington_is_found_with_any_spacing(cur) -> None:
    for text in ("M31 4AR", "m314ar", " m31  4ar "):
        found = places.search(cur, text)
        assert [(p.name, p.kind, p.code, p.lad_code) for p in found] == [
            ("M31 4AR", "postcode", "M314AR", TRAFFORD)
        ]
    place = places.search(cur, "M31 4AR")[0]
    assert set(places.place_lsoas(cur, place)) <= set(PARTINGTON_LSOAS)
    lies = places.where_it_lies(cur, place)
    assert places.destination(place, "", lies) == (f"{TRAFFORD}_msoa21", PARTINGTON)


def test_unknown_postcodes_and_names_find_nothing(cur) -> None:
    assert places.search(cur, "SW1A 1AA") == []  # outside the bundled lookup's four boroughs
    assert places.search(cur, "Xqzzyville") == []
    assert places.search(cur, "  ") == []
    assert places.search(cur, "'; drop table place_names; --") == []


def test_exact_names_come_first_and_the_borough_in_view_is_preferred(cur) -> None:
    found = places.search(cur, "Ince", prefer_lad=WIGAN)
    assert (found[0].name, found[0].kind, found[0].lad_code) == ("Ince", "ward", WIGAN)
    assert found[1].name == "Ince-in-Makerfield"  # HCL name of Wigan's MSOA E02001298
    hale = places.search(cur, "Hale", prefer_lad=TRAFFORD)
    assert [(p.name, p.kind) for p in hale[:3]] == [
        ("Hale", "msoa"),
        ("Hale", "ward"),
        ("Hale Barns", "msoa"),
    ]


def test_msoa_models_carry_the_house_of_commons_library_names(cur) -> None:
    names = dict(
        cur.execute(
            "SELECT DISTINCT neighbourhood_code, neighbourhood_name FROM neighbourhood_models "
            "WHERE model_id = ?",
            [f"{TRAFFORD}_msoa21"],
        ).fetchall()
    )
    assert names[PARTINGTON] == "Partington"
    assert names["E02001259"] == "Old Trafford"
    assert len(names) == 28 and not any(n.startswith("Trafford 0") for n in names.values())
    # values follow: the published neighbourhood rows carry the same name
    row = cur.execute(
        "SELECT DISTINCT area_name FROM indicator_values WHERE area_code = ? AND model_id = ?",
        [PARTINGTON, f"{TRAFFORD}_msoa21"],
    ).fetchall()
    assert row == [("Partington",)]


def test_split_msoas_keep_the_ons_name_beside_the_place_name(cur) -> None:
    """MSOA 2021 E02006954 holds part of a split MSOA 2011: its name says which part."""
    rows = cur.execute(
        "SELECT DISTINCT neighbourhood_name FROM neighbourhood_models WHERE neighbourhood_code = ?",
        ["E02006954"],
    ).fetchall()
    assert rows == [("Colindale (Barnet 043)",)]


def test_default_focus_is_the_most_deprived_neighbourhood(cur) -> None:
    order = places.focus_order(cur, f"{TRAFFORD}_localities2023")
    assert order.neighbourhood_name.tolist() == ["North", "West", "Central", "South"]
    assert order.period.unique().tolist() == ["2025"]
    assert order.value.iloc[0] == pytest.approx(24.505, abs=0.001)


def test_sidebar_search_for_partington_sets_borough_model_and_focus(page_app) -> None:
    """The sidebar box, as a user uses it: from Wigan's MSOAs, type Partington, choose it."""
    at = page_app(PAGES / "briefing.py", lad=WIGAN, model=f"{WIGAN}_msoa21")
    at.sidebar.text_input(key="place_q").input("Partington").run()
    buttons = [b for b in at.sidebar.button if b.key and b.key.startswith("place-match-")]
    assert [b.label for b in buttons] == ["Partington \\(MSOA name, Trafford\\)"]
    buttons[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["lad"] == TRAFFORD
    assert at.session_state["model"] == f"{TRAFFORD}_msoa21"
    assert at.session_state["nb"] == [PARTINGTON]
    assert at.query_params["nb"] == PARTINGTON
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "lies in:" in captions and "Trafford localities \\(2023\\)\\: West" in captions
    assert "Focus: Partington, the place you searched for." in captions


def test_default_focus_is_explained_in_the_sidebar(page_app) -> None:
    at = page_app(PAGES / "briefing.py")
    assert at.session_state["nb"][0] == "trafford-north"
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Focus: North, this model's most deprived neighbourhood" in captions
