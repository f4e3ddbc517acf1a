"""What a page shows for a selection, made once and shared by every session of this process.

Fifteen people opening the same briefing link each ran the same pandas and Plotly work on the
same cached rows: figures, change tables and rankings were most of a page view's CPU. A
function decorated with `shared` is memoised by its arguments across sessions
(`st.cache_resource`: the very object is returned, never a copy), so a second visitor's view
only sends it. Its results are read-only by contract: callers must not change them in place.

Nothing decorated may call st.* elements (a cache hit would not replay them). `clear` empties
every shared function; `ui.clear_results` calls it wherever cached query results are dropped
(a new public snapshot, a change in the user store). A result made while such a clear happened
is not kept (`Stale`), so a view begun on old data is never served after the change.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

R = TypeVar("R")
MAX_ENTRIES = 128  # selections kept per function (memory: a figure can hold a megabyte)
TTL_S = 3600

_lock = threading.Lock()
_generation = 0
_registry: dict[str, Any] = {}  # qualified name -> the cached function, for `clear`
_wrappers: dict[str, Callable] = {}  # qualified name -> `shared` wrapper, for `call`


def frame_key(frame: pd.DataFrame) -> bytes:
    """Every cell, column, dtype and index of a frame (Streamlit's own hash samples big
    frames, and two frames differing only outside the sample must not share a result)."""
    header = repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode()
    return header + pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()


class ServedFigure(go.Figure):
    """A shared figure that serialises itself once. `st.plotly_chart` turns a figure into a
    dict (a deep copy) and that into JSON for every view; a shared figure never changes, so
    its JSON is made on first use and each `to_dict` parses it (plain data, typed arrays as
    Plotly's base64 specs, which Plotly and plotly.js read back unchanged)."""

    def to_json_once(self) -> str:
        """The figure's JSON, made on first use."""
        served = self.__dict__.get("_served_json")
        if served is None:
            served = pio.to_json(super().to_dict(), validate=False)
            self._served_json = served  # one string per figure: a racing view makes the same
        return served

    def to_dict(self) -> dict:
        return json.loads(self.to_json_once())


def served(result: R) -> R:
    """`result` with figures (itself, the items of a tuple, or the fields of a dataclass)
    made `ServedFigure`s."""
    if isinstance(result, go.Figure) and not isinstance(result, ServedFigure):
        return ServedFigure(result)
    if type(result) is tuple:
        return tuple(served(item) for item in result)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        figures = {
            f.name: served(getattr(result, f.name))
            for f in dataclasses.fields(result)
            if isinstance(getattr(result, f.name), go.Figure)
        }
        return dataclasses.replace(result, **figures) if figures else result
    return result


class Stale(Exception):
    """A result was made while the shared results were cleared: recompute, do not keep."""


def shared(func: Callable[..., R]) -> Callable[..., R]:
    """Memoise `func` across sessions by its arguments (dataclasses such as `ui.Selection`
    are hashed by value)."""

    def guarded(*args, **kwargs):
        generation = _generation
        result = served(func(*args, **kwargs))
        if generation != _generation:
            raise Stale(func.__qualname__)  # not cached: the caller recomputes
        return result

    functools.update_wrapper(guarded, func)
    cached = st.cache_resource(
        max_entries=MAX_ENTRIES,
        ttl=TTL_S,
        show_spinner=False,
        hash_funcs={pd.DataFrame: frame_key},
    )(guarded)
    _registry[f"{func.__module__}.{func.__qualname__}"] = cached

    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> R:
        try:
            return cached(*args, **kwargs)
        except Stale:
            return func(*args, **kwargs)

    return wrapper


def call(func: Callable[..., R], *args, **kwargs) -> R:
    """`func(*args, **kwargs)`, shared across sessions (`shared`): for library functions,
    such as chart builders, that other callers (packs, exports) use unshared."""
    name = f"{func.__module__}.{func.__qualname__}"
    wrapper = _wrappers.get(name)
    if wrapper is None:
        wrapper = _wrappers.setdefault(name, shared(func))
    return wrapper(*args, **kwargs)


def clear() -> None:
    """Forget every shared result (and keep none made before this call)."""
    global _generation
    with _lock:
        _generation += 1
        for cached in _registry.values():
            cached.clear()
