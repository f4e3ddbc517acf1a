"""Two models of one borough: nesting and the extreme a coarse average hides (outcomes.nesting).

Real LSOA values from the real build (`real_db`). Wigan's council neighbourhood definitions are
not bundled, so the 14 and 7 neighbourhoods here are ILLUSTRATIVE groupings of Wigan's real
wards (2024) made for this test, not the council's; the finer nests in the coarser by
construction, and Ince (the ward) is one of the 14.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from outcomes import analysis, db, nesting, queries

WIGAN = "E08000010"
FOURTEEN = {  # illustrative, see the module docstring
    "Ince": ["Ince"],
    "Aspull & Whelley": ["Aspull, New Springs & Whelley"],
    "Standish & Shevington": ["Standish with Langtree", "Shevington with Lower Ground & Moor"],
    "Wigan Central & West": ["Wigan Central", "Wigan West"],
    "Douglas": ["Douglas"],
    "Pemberton & Orrell": ["Pemberton", "Orrell"],
    "Winstanley & Worsley Mesnes": ["Winstanley", "Worsley Mesnes"],
    "Hindley": ["Hindley", "Hindley Green"],
    "Abram & Bryn": ["Abram", "Bryn with Ashton-in-Makerfield North"],
    "Ashton & Golborne": ["Ashton-in-Makerfield South", "Golborne & Lowton West"],
    "Lowton & Astley": ["Lowton East", "Astley"],
    "Leigh": ["Leigh Central & Higher Folds", "Leigh South", "Leigh West"],
    "Atherton": ["Atherton North", "Atherton South & Lilford"],
    "Tyldesley": ["Tyldesley & Mosley Common"],
}
SEVEN = {
    "Wigan North East": ["Ince", "Aspull & Whelley", "Standish & Shevington"],
    "Wigan Central": ["Wigan Central & West", "Douglas"],
    "Wigan West": ["Pemberton & Orrell", "Winstanley & Worsley Mesnes"],
    "Hindley & Abram": ["Hindley", "Abram & Bryn"],
    "Ashton, Golborne & Lowton": ["Ashton & Golborne", "Lowton & Astley"],
    "Leigh": ["Leigh"],
    "Atherton & Tyldesley": ["Atherton", "Tyldesley"],
}


def _model(wards: pd.DataFrame, ward_to_name: dict[str, str]) -> pd.DataFrame:
    names = wards.neighbourhood_name.map(ward_to_name)
    return pd.DataFrame(
        {"lsoa21_code": wards.lsoa21_code, "neighbourhood_code": names, "neighbourhood_name": names}
    )


@pytest.fixture(scope="module")
def wigan(real_db: Path, tmp_path_factory: pytest.TempPathFactory):
    con = db.open_database(real_db, tmp_path_factory.mktemp("nesting") / "user.duckdb")
    cur = db.cursor(con)
    wards = queries.model_membership(cur, f"{WIGAN}_wards24")
    ward_to_14 = {w: n for n, ws in FOURTEEN.items() for w in ws}
    of_7 = {n: s for s, ns in SEVEN.items() for n in ns}
    fine = _model(wards, ward_to_14)
    coarse = _model(wards, {w: of_7[n] for w, n in ward_to_14.items()})
    lsoa = queries.lsoa_weighted_values(cur, WIGAN, "income_deprived_pct", "2025")
    cat = queries.catalogue(cur)
    meta = analysis.IndicatorMeta.from_row(cat[cat.indicator_id == "income_deprived_pct"].iloc[0])
    borough = cur.execute(
        "SELECT value FROM indicator_values WHERE area_type = 'lad' AND area_code = ? "
        "AND indicator_id = 'income_deprived_pct' AND period = '2025'",
        [WIGAN],
    ).fetchone()[0]
    yield {"cur": cur, "fine": fine, "coarse": coarse, "lsoa": lsoa, "meta": meta, "lad": borough}
    con.close()


def test_the_14_nest_in_the_7_with_ince_inside_wigan_north_east(wigan) -> None:
    table = nesting.overlap(wigan["coarse"], wigan["fine"])
    assert len(table) == 14 and (table.share == 1).all()
    ince = table[table.fine_name == "Ince"].iloc[0]
    assert (ince.coarse_name, ince.lsoas, ince.fine_lsoas) == ("Wigan North East", 8, 8)
    assert nesting.nesting_sentence(table, "Wigan 14", "Wigan 7") == (
        "The models nest: every one of the 14 neighbourhoods of Wigan 14 lies wholly within "
        "one of the 7 neighbourhoods of Wigan 7."
    )
    shown = nesting.overlap_display(table)
    row = shown[shown["Neighbourhood (finer model)"] == "Ince"].iloc[0]
    assert (row["Lies in (coarser model)"], row["Share of its LSOAs"]) == (
        "Wigan North East",
        "100%",
    )


def test_wigan_north_east_hides_ince_the_highest(wigan) -> None:
    table = nesting.overlap(wigan["coarse"], wigan["fine"])
    extremes = nesting.hidden_extremes(
        table, wigan["lsoa"], wigan["coarse"], wigan["fine"], wigan["meta"]
    )
    top = extremes.iloc[0]
    assert (top.coarse_name, top.extreme_name, top.extreme_rank) == ("Wigan North East", "Ince", 1)
    # Ince is exactly the Ince ward, whose published 2025 rate is 43.4%
    assert top.extreme_value == pytest.approx(43.447, abs=0.001)
    assert top.coarse_value == pytest.approx(20.207, abs=0.001)
    assert wigan["lad"] == pytest.approx(23.885, abs=0.001)
    sentence = nesting.extreme_sentence(
        extremes,
        wigan["meta"],
        fine_model="Wigan 14",
        coarse_model="Wigan 7",
        lad_name="Wigan",
        borough_value=wigan["lad"],
        fine_count=14,
    )
    assert sentence.startswith("Ince has the highest ")
    assert sentence.endswith(
        "of Wigan 14's 14 neighbourhoods (the worst): 43.4%. It lies in Wigan North East of "
        "Wigan 7, whose 20.2% is close to Wigan's 23.9%: that average hides it."
    )


def test_msoas_do_not_nest_in_wards_and_the_sentence_names_the_straddlers(wigan) -> None:
    cur = wigan["cur"]
    table = nesting.overlap(
        queries.model_membership(cur, f"{WIGAN}_wards24"),
        queries.model_membership(cur, f"{WIGAN}_msoa21"),
    )
    split = table[table.share < 1]
    assert len(table) == 40 and len(split) == 19
    text = nesting.nesting_sentence(table, "MSOAs", "Wards")
    assert text.startswith(
        "The models do not quite nest: 21 of the 40 neighbourhoods of MSOAs lie wholly within "
        "one neighbourhood of Wards; 19 straddle a boundary: "
    )
    assert text.endswith(" and 16 more.")
