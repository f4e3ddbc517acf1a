"""Views shared across sessions (outcomes.shared_views): one object per distinct input, a new
one for any changed cell, nothing kept across a clear, nothing kept that was made during one,
and the chart template every figure now takes by default."""

from __future__ import annotations

import threading

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import streamlit as st

from outcomes import shared_views
from outcomes.charts import style

CALLS: list[tuple] = []


def _summary(frame: pd.DataFrame, scale: float = 1.0) -> dict:
    CALLS.append((len(frame), scale))
    return {"total": float(frame["value"].sum()) * scale}


@pytest.fixture(autouse=True)
def fresh() -> None:
    st.cache_resource.clear()
    CALLS.clear()
    yield
    st.cache_resource.clear()


def _frame(values: list[float]) -> pd.DataFrame:  # synthetic
    return pd.DataFrame({"area": [f"a{i}" for i in range(len(values))], "value": values})


def test_equal_inputs_share_one_result_and_any_changed_cell_makes_another() -> None:
    first = shared_views.call(_summary, _frame([1, 2, 3]), scale=2.0)
    again = shared_views.call(_summary, _frame([1, 2, 3]), scale=2.0)  # equal, not the same
    assert again is first and first == {"total": 12.0}
    assert len(CALLS) == 1
    assert shared_views.call(_summary, _frame([1, 2, 4]), scale=2.0)["total"] == 14.0
    assert shared_views.call(_summary, _frame([1, 2, 3]), scale=3.0)["total"] == 18.0
    renamed = _frame([1, 2, 3]).rename(columns={"area": "code"})
    shared_views.call(_summary, renamed, scale=2.0)
    assert len(CALLS) == 4


def test_big_frames_differing_outside_any_sample_are_told_apart() -> None:
    """Streamlit's own hash samples frames over 50,000 rows; frame_key reads every cell."""
    big = _frame([1.0] * 120_000)
    changed = big.copy()
    changed.loc[77_777, "value"] = 2.0
    assert shared_views.frame_key(big) != shared_views.frame_key(changed)
    assert shared_views.call(_summary, big)["total"] == 120_000
    assert shared_views.call(_summary, changed)["total"] == 120_001


def test_clear_forgets_every_shared_result() -> None:
    first = shared_views.call(_summary, _frame([5]))
    shared_views.clear()
    assert shared_views.call(_summary, _frame([5])) is not first
    assert len(CALLS) == 2


def test_a_result_made_while_results_were_cleared_is_not_kept() -> None:
    """A view begun on old data and finished after the data changed is served to the session
    that asked, but never to a later one."""
    started, release = threading.Event(), threading.Event()

    @shared_views.shared
    def slow(key: str) -> list:
        started.set()
        release.wait(10)
        return [key]

    out: list = []
    worker = threading.Thread(target=lambda: out.append(slow("x")))
    worker.start()
    assert started.wait(10)
    shared_views.clear()  # the data changed while `slow` was working
    release.set()
    worker.join(10)
    assert out == [["x"]]
    started.clear()
    assert slow("x") == ["x"] and slow("x") is not out[0]  # made again, not the stale one


def test_every_figure_takes_the_slim_template_without_naming_it() -> None:
    assert pio.templates.default == style.TEMPLATE
    fig = go.Figure(go.Scatter(x=[1], y=[1]))
    fig.update_layout(**style.base_layout("t", "s", "source"))
    template = fig.to_dict()["layout"]["template"]
    full = pio.templates["simple_white"].to_plotly_json()
    for key in ("xaxis", "yaxis", "font", "paper_bgcolor", "plot_bgcolor", "hovermode"):
        assert template["layout"][key] == full["layout"][key]
    assert template["data"]["scatter"] == full["data"]["scatter"]
    assert "polar" not in template["layout"]  # the parts no chart here uses are left out


def _figure(points: int = 3) -> go.Figure:  # synthetic
    return go.Figure(go.Scatter(x=list(range(points)), y=[v * 1.5 for v in range(points)]))


def _figure_and_note(points: int) -> tuple[go.Figure, str]:
    return _figure(points), f"{points} points"


def test_shared_figures_serialise_once_and_read_back_as_the_same_chart() -> None:
    fig = shared_views.call(_figure, 4)
    assert isinstance(fig, shared_views.ServedFigure)
    plain = pio.to_json(_figure(4), validate=False)
    first, second = fig.to_dict(), fig.to_dict()
    assert first == second and first is not second  # a caller's change cannot reach the next
    first["layout"]["title"] = {"text": "changed by a caller"}
    assert "changed by a caller" not in pio.to_json(fig, validate=False)
    assert pio.to_json(fig, validate=False) == plain  # what st.plotly_chart sends
    copy = go.Figure(fig)  # as exports copy a figure before laying it out
    assert pio.to_json(copy, validate=False) == plain
    assert fig.data[0].y == (0.0, 1.5, 3.0, 4.5)  # the figure itself is unchanged


def test_figures_in_tuples_are_served_too() -> None:
    fig, note = shared_views.call(_figure_and_note, 2)
    assert isinstance(fig, shared_views.ServedFigure) and note == "2 points"
