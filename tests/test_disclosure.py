"""Small-number suppression (outcomes/uploads/disclosure.py) on small tables, checked independently.

All counts here are synthetic: made-up numbers on made-up areas, to exercise the rules.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes.uploads import disclosure
from outcomes.uploads.disclosure import Group

# ---------------------------------------------------------------- an independent checker


def derivable(vectors: np.ndarray, suppressed: np.ndarray) -> list[int]:
    """Suppressed rows that are exact linear combinations of published rows (by rank)."""
    published = vectors[~suppressed]
    base = np.linalg.matrix_rank(published) if len(published) else 0
    return [
        int(r)
        for r in np.flatnonzero(suppressed)
        if len(published) and np.linalg.matrix_rank(np.vstack([published, vectors[r]])) == base
    ]


def group_violations(
    values: np.ndarray, groups: list[Group], suppressed: np.ndarray, threshold: int
) -> list[Group]:
    """Groups whose published total leaves one suppressed row, or a small sum, to derive."""
    bad = []
    for g in groups:
        if suppressed[g.parent]:
            continue
        hidden = [c for c in g.children if suppressed[c]]
        if not hidden and g.hidden is None:
            continue
        sums = values[hidden].sum(axis=0) + (0 if g.hidden is None else np.array(g.hidden))
        if (len(hidden) == 1 and g.hidden is None) or (sums < threshold).any():
            bad.append(g)
    return bad


def check(values, groups, suppressed, threshold, vectors=None) -> None:
    values = np.atleast_2d(values)
    assert not (values[~suppressed] < threshold).any(), "a published count is small"
    assert not group_violations(values, groups, suppressed, threshold)
    if vectors is not None:
        assert not derivable(vectors, suppressed)


# ---------------------------------------------------------------- primary and secondary


def test_primary_suppresses_counts_below_the_threshold_zero_included() -> None:
    values = np.array([[0.0], [4], [5], [100], [np.nan]])  # synthetic
    got = disclosure.suppress(values, [], 5)
    assert got.tolist() == [True, True, False, False, True]


def test_primary_looks_at_every_kind_of_count() -> None:
    # synthetic: numerator and complement (e.g. missed and attended)
    values = np.array([[50.0, 3.0], [3.0, 50.0], [50.0, 50.0]])
    assert disclosure.suppress(values, [], 5).tolist() == [True, True, False]


def test_one_suppressed_child_makes_the_next_smallest_suppressed() -> None:
    # borough (row 0) = four neighbourhoods (rows 1-4); row 2 is small (synthetic)
    values = np.array([[139.0], [40], [3], [60], [36]])
    groups = [Group(0, (1, 2, 3, 4))]
    got = disclosure.suppress(values, groups, 5)
    assert got.tolist() == [False, False, True, False, True]  # 36 is the next smallest
    check(values, groups, got, 5)


def test_two_suppressed_children_that_sum_below_the_threshold_need_a_third() -> None:
    values = np.array([[107.0], [1], [2], [40], [64]])  # synthetic
    groups = [Group(0, (1, 2, 3, 4))]
    got = disclosure.suppress(values, groups, 5)
    assert got.tolist() == [False, True, True, True, False]
    check(values, groups, got, 5)


def test_total_is_suppressed_when_every_child_is_and_they_sum_small() -> None:
    values = np.array([[4.0], [1], [3]])  # synthetic; the total itself is small too
    got = disclosure.suppress(values, [Group(0, (1, 2))], 5)
    assert got.all()
    values = np.array([[9.0], [4], [5]])  # synthetic: the 4 exposes the 5
    got = disclosure.suppress(values, [Group(0, (1, 2))], 5)
    assert got.tolist() == [False, True, True]


def test_a_hidden_remainder_counts_as_unknown_but_must_not_be_small() -> None:
    # total 50 = published child 47 + a remainder of 3 that has no row (synthetic)
    values = np.array([[50.0], [47.0]])
    got = disclosure.suppress(values, [Group(0, (1,), hidden=(3.0,))], 5)
    assert got.tolist() == [False, True]


def test_secondary_suppression_cascades_across_overlapping_groups() -> None:
    # leaves a, b, c (rows 0-2); model 1: {a,b} (row 3), {c} (row 4); borough (row 5)
    values = np.array([[2.0], [30], [40], [32], [40], [72]])  # synthetic
    membership = np.array(
        [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1]], dtype=bool
    )
    leaf_rows = np.array([True, True, True, False, False, False])
    partitions = np.array([-1, -1, -1, 0, 0, -1])
    groups = disclosure.hierarchy_groups(membership, values[:3], leaf_rows, partitions)
    got = disclosure.suppress(values, groups, 5, vectors=membership.astype(float))
    check(values, groups, got, 5, membership.astype(float))
    assert got[0] and got[1]  # a, and b to protect it inside {a, b}


def test_the_audit_catches_a_disclosure_no_single_group_shows() -> None:
    # x + y, x + z and y + z are published as three overlapping areas: each has two
    # suppressed leaves, yet together they solve for x, y and z (synthetic).
    vectors = np.array(
        [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1]], dtype=float
    )
    values = vectors @ np.array([3.0, 4.0, 4.0])
    values = values[:, None]
    groups = [Group(3, (0, 1)), Group(4, (0, 2)), Group(5, (1, 2))]
    without_audit = disclosure.suppress(values, groups, 5)
    assert derivable(vectors, without_audit)  # the group rule alone is not enough here
    got = disclosure.suppress(values, groups, 5, vectors=vectors)
    check(values, groups, got, 5, vectors)


def test_a_split_lsoa_cannot_be_recovered_from_its_sibling() -> None:
    # one 2011 LSOA (unit) split 40/60 between two 2021 LSOAs: rows are 0.4u and 0.6u
    vectors = np.array([[0.4], [0.6]])
    values = vectors * 10  # synthetic: 4 and 6
    got = disclosure.suppress(values, [], 5, vectors=vectors)
    assert got.tolist() == [True, True]


def test_hierarchy_groups_cover_borough_neighbourhoods_and_nested_models() -> None:
    # four leaves; model 0 = {0,1},{2,3}; model 1 = {0},{1},{2,3}; borough
    membership = np.array(
        [
            [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1],
            [1, 1, 0, 0], [0, 0, 1, 1],
            [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1],
            [1, 1, 1, 1],
        ],
        dtype=bool,
    )  # fmt: skip
    leaf_rows = np.array([True] * 4 + [False] * 6)
    partitions = np.array([-1] * 4 + [0, 0, 1, 1, 1, -1])
    leaf_values = np.ones((4, 1))
    groups = {
        (g.parent, g.children) for g in disclosure.hierarchy_groups(
            membership, leaf_values, leaf_rows, partitions
        )
    }  # fmt: skip
    assert (9, (0, 1, 2, 3)) in groups  # borough = its LSOAs
    assert (9, (4, 5)) in groups and (9, (6, 7, 8)) in groups  # borough = each model
    assert (4, (6, 7)) in groups  # a neighbourhood = the other model's pieces inside it
    assert (5, (8,)) in groups  # identical neighbourhoods of two models


# ---------------------------------------------------------------- property-based


@st.composite
def tables(draw):
    """A random borough: leaves with counts, two or three models partitioning them, LSOA
    rows published or not, and a threshold (all synthetic)."""
    n = draw(st.integers(2, 9))
    kinds = draw(st.integers(1, 2))
    counts = draw(
        st.lists(
            st.lists(st.integers(0, 30), min_size=kinds, max_size=kinds), min_size=n, max_size=n
        )
    )
    models = [
        draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
        for _ in range(draw(st.integers(1, 3)))
    ]
    publish_leaves = draw(st.booleans())
    threshold = draw(st.integers(1, 10))
    return np.array(counts, dtype=float), models, publish_leaves, threshold


def build(leaf_values, models, publish_leaves):
    n = len(leaf_values)
    rows, leaf_rows, partitions = [], [], []
    if publish_leaves:
        for i in range(n):
            rows.append(np.eye(n, dtype=bool)[i])
            leaf_rows.append(True)
            partitions.append(-1)
    for number, labels in enumerate(models):
        for label in sorted(set(labels)):
            rows.append(np.array([x == label for x in labels]))
            leaf_rows.append(False)
            partitions.append(number)
    rows.append(np.ones(n, dtype=bool))
    leaf_rows.append(False)
    partitions.append(-1)
    return np.array(rows), np.array(leaf_rows), np.array(partitions)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_published_total_reveals_a_suppressed_row(table) -> None:
    leaf_values, models, publish_leaves, threshold = table
    membership, leaf_rows, partitions = build(leaf_values, models, publish_leaves)
    values = membership.astype(float) @ leaf_values
    groups = disclosure.hierarchy_groups(membership, leaf_values, leaf_rows, partitions)
    got = disclosure.suppress(values, groups, threshold, vectors=membership.astype(float))
    check(values, groups, got, threshold, membership.astype(float))


# ---------------------------------------------------------------- frames leaving the app


def frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=["area_type", "area_code", "model_id", "indicator_id", "period", "value",
                 "numerator", "denominator", "lower_ci95", "upper_ci95"],
    )  # fmt: skip


USER = "user_e08000009_data_test__appointments_missed"


def test_protect_frame_leaves_public_frames_alone() -> None:
    public = frame([("lad", "E08000009", None, "imd_score", "2019", 16.1, None, None, None, None)])
    out = disclosure.protect_frame(public, 5)
    pd.testing.assert_frame_equal(out, public)


def test_protect_frame_nulls_small_user_rows_and_their_next_smallest_sibling() -> None:
    rows = frame(
        [  # synthetic
            ("lad", "E08000009", None, USER, "2025-01", 5.0, 50.0, 1000.0, 3.8, 6.5),
            ("neighbourhood", "a", "m", USER, "2025-01", 1.0, 3.0, 300.0, 0.3, 2.9),
            ("neighbourhood", "b", "m", USER, "2025-01", 5.0, 20.0, 400.0, 3.3, 7.6),
            ("neighbourhood", "c", "m", USER, "2025-01", 9.0, 27.0, 300.0, 6.2, 12.8),
            ("lad", "E08000009", None, "imd_score", "2019", 16.1, None, None, None, None),
        ]
    )
    out = disclosure.protect_frame(rows, 5, secondary=True)
    assert out.suppressed.tolist() == [False, True, True, False, False]
    assert out.loc[out.suppressed, list(disclosure.NULLED[:5])].isna().all().all()
    assert out.loc[4, "value"] == 16.1
    again = disclosure.protect_frame(out, 5, secondary=True)
    pd.testing.assert_frame_equal(again, out)  # idempotent
    # Without the secondary check (a page's selection of neighbourhoods) only row 1 goes.
    assert disclosure.protect_frame(rows, 5).suppressed.tolist() == [
        False, True, False, False, False
    ]  # fmt: skip


def test_protect_frame_keeps_rows_flagged_upstream_suppressed() -> None:
    rows = frame(
        [  # synthetic: row 1 came out of the store already suppressed
            ("lad", "E08000009", None, USER, "2025", 5.0, 50.0, 1000.0, 3.8, 6.5),
            ("neighbourhood", "a", "m", USER, "2025", None, None, None, None, None),
            ("neighbourhood", "b", "m", USER, "2025", 5.0, 20.0, 400.0, 3.3, 7.6),
            ("neighbourhood", "c", "m", USER, "2025", 5.0, 20.0, 400.0, 3.3, 7.6),
        ]
    ).assign(suppressed=[False, True, True, False])
    out = disclosure.protect_frame(rows, 5, secondary=True)
    assert out.suppressed.tolist() == [False, True, True, False]


def test_threshold_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(disclosure.ENV_VAR, raising=False)
    assert disclosure.env_threshold() == (5, None)
    monkeypatch.setenv(disclosure.ENV_VAR, "10")
    assert disclosure.env_threshold() == (10, None)
    for bad in ("ten", "0", "-3", "2.5", "100000"):
        monkeypatch.setenv(disclosure.ENV_VAR, bad)
        value, warning = disclosure.env_threshold()
        assert value == 5 and disclosure.ENV_VAR in warning


@pytest.mark.parametrize("bad", [0, -1, 1001, 2.5, "5", True, None])
def test_check_threshold_rejects_bad_values(bad) -> None:
    with pytest.raises(ValueError):
        disclosure.check_threshold(bad)


def test_every_pair_of_small_cells_in_a_two_cell_group_is_suppressed() -> None:
    for a, b in itertools.product(range(0, 8), repeat=2):
        values = np.array([[a + b], [a], [b]], dtype=float)  # synthetic
        got = disclosure.suppress(values, [Group(0, (1, 2))], 5)
        check(values, [Group(0, (1, 2))], got, 5)
