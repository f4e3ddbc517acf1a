"""Similar neighbourhoods (outcomes.similar) on the real build (`real_db`): the nearest
neighbours of Partington (MSOA E02001275) among England's MSOAs, deterministic and outside
Trafford, and a council model's neighbourhood matched against MSOAs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outcomes import db, similar

TRAFFORD = "E08000009"
PARTINGTON = "E02001275"


@pytest.fixture(scope="module")
def cur(real_db: Path, tmp_path_factory: pytest.TempPathFactory):
    con = db.open_database(real_db, tmp_path_factory.mktemp("similar") / "user.duckdb")
    yield db.cursor(con)
    con.close()


@pytest.fixture(scope="module")
def features(cur) -> pd.DataFrame:
    return similar.msoa_features(cur)


def test_every_english_msoa_has_the_variables(features) -> None:
    assert features.area_code.nunique() == 6856
    assert list(features.columns[3:]) == [v.indicator_id for v in similar.VARIABLES]


def test_partingtons_nearest_neighbours_are_deterministic_and_elsewhere(cur, features) -> None:
    focus = similar.focus_features(cur, f"{TRAFFORD}_msoa21", PARTINGTON)
    assert focus["income_deprived_pct"] == pytest.approx(47.457, abs=0.001)
    near = similar.nearest(features, focus, exclude_lad=TRAFFORD, exclude_code=PARTINGTON)
    assert len(near) == similar.NEIGHBOURS
    assert TRAFFORD not in set(near.lad_code) and PARTINGTON not in set(near.area_code)
    assert near.area_code.tolist()[:3] == ["E02005497", "E02006775", "E02002764"]
    assert near.area_name.tolist()[:3] == [
        "Gainsborough East",
        "Birchen Coppice",
        "Scunthorpe Westcliff",
    ]
    assert near.distance.iloc[0] == pytest.approx(0.4604, abs=0.0001)
    assert near.distance.is_monotonic_increasing
    again = similar.nearest(features.sample(frac=1, random_state=3), focus, TRAFFORD, PARTINGTON)
    assert again.area_code.tolist() == near.area_code.tolist()  # order of rows does not matter


def test_distance_is_euclidean_on_england_z_scores(cur, features) -> None:
    focus = similar.focus_features(cur, f"{TRAFFORD}_msoa21", PARTINGTON)
    near = similar.nearest(features, focus, TRAFFORD, PARTINGTON, k=1)
    ids = [v.indicator_id for v in similar.VARIABLES]
    raw = features[ids].to_numpy(float)
    z = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    first = features.index[features.area_code == near.area_code.iloc[0]][0]
    target = (focus[ids].to_numpy(float) - raw.mean(axis=0)) / raw.std(axis=0)
    assert near.distance.iloc[0] == pytest.approx(float(np.sqrt(((z[first] - target) ** 2).sum())))


def test_a_council_locality_is_matched_against_msoas(cur, features) -> None:
    focus = similar.focus_features(cur, f"{TRAFFORD}_localities2023", "trafford-west")
    near = similar.nearest(features, focus, exclude_lad=TRAFFORD)
    assert len(near) == 10 and near.area_code.str.startswith("E02").all()
    values = similar.indicator_values_of(
        cur, near.area_code.tolist(), "income_deprived_pct", "2025"
    )
    assert len(values) == 10
    stats = similar.summary(19.4, values.value)
    assert stats["count"] == 10 and stats["lowest"] <= stats["mean"] <= stats["highest"]


def test_a_focus_without_every_variable_has_no_neighbours(features) -> None:
    focus = pd.Series({v.indicator_id: 1.0 for v in similar.VARIABLES})
    focus["imd_score"] = np.nan
    assert similar.nearest(features, focus, TRAFFORD).empty
