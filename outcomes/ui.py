"""Streamlit glue shared by every page: the cached connection, cached queries and the sidebar.

Every selection lives in the URL (st.query_params), so a copied link reopens the same view; a bad
or stale parameter falls back to a default with a visible note.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from outcomes import (
    analysis,
    change,
    db,
    geo,
    labels,
    place_search,
    places,
    queries,
    shared_views,
    signin,
)
from outcomes.text import escape_markdown
from outcomes.uploads import datasets, disclosure, refresh, storage
from outcomes.uploads import models as models_store

DEFAULT_LAD = "E08000009"  # Trafford
ROUTER_RAN = "_router_ran"
FOCUS_LADS = ("E08000009", "E08000010", "E08000034", "E07000093")
CACHE = {"max_entries": 256, "ttl": 3600}
NOTE_CHARS = 60  # of a link's bad value, quoted (as text, never Markdown) in its note
IOD_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "English Indices of Deprivation 2010, 2015 (DCLG), 2019, 2025 (MHCLG); ONS population "
    "estimates and lookups. © Crown copyright and database right."
)


@st.cache_resource
def _process_connection():
    """The process-wide read-only public database with the user database attached."""
    con = db.open_database()
    refresh.reaggregate_once(db.cursor(con))
    return con


def base_connection():
    """The process-wide connection, switched to a newer public snapshot once a build has
    published one (looked for at most every few seconds): cached results of the old build
    are then cleared, and the user's data re-aggregated once across every copy of the app."""
    con = _process_connection()
    if db.switch_if_new(con):
        refresh.reaggregate_once(db.cursor(con))
        clear_results()
    return con


def clear_results() -> None:
    """Drop every cached query result and shared view (`shared_views`): the data changed."""
    st.cache_data.clear()
    shared_views.clear()


def cursor():
    """A cursor for this session (DuckDB connections must not be shared across threads)."""
    if "db_cursor" not in st.session_state:
        st.session_state["db_cursor"] = db.cursor(base_connection())
    return st.session_state["db_cursor"]


def follow_shared_store() -> None:
    """Drop cached query results when the shared user store changed (e.g. another copy of the
    app saved a model); looked at no more than about once a second, on every run."""
    if storage.sync(cursor()):
        clear_results()


# The notes on a link's unusable values, kept so a page that forwards the visit to another
# (dashboard.py's /briefing) can show them again after the switch.
LINK_NOTES = "_link_notes"
CARRIED_NOTES = "_carried_link_notes"


def current_selection() -> Selection | None:
    """The sidebar's selection, for a page to read. Called first by every page.

    A first visit straight to a page URL (e.g. /trends) can reach the page before the router
    has ever run in this process: Streamlit then runs it through its legacy pages/ folder
    mode. Switching that mode off and rerunning sends the same URL through dashboard.py.
    """
    if not st.session_state.get(ROUTER_RAN):
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state.get("selection")


def _fresh_cursor():
    return db.cursor(base_connection())


@st.cache_data(**CACHE)
def boroughs() -> pd.DataFrame:
    return queries.boroughs(_fresh_cursor())


@st.cache_data(**CACHE)
def models(lad_code: str) -> pd.DataFrame:
    return queries.models(_fresh_cursor(), lad_code)


@st.cache_data(**CACHE)
def uploaded_models(lad_code: str) -> pd.DataFrame:
    """The borough's uploaded models with their owners (`models.list_models`); dropped with
    the other cached results whenever the user store changes."""
    return models_store.list_models(_fresh_cursor(), lad_code)


@st.cache_data(**CACHE)
def neighbourhoods(model_id: str) -> pd.DataFrame:
    return queries.neighbourhoods(_fresh_cursor(), model_id)


@st.cache_data(**CACHE)
def indicator_periods(indicator_id: str) -> list[str]:
    return queries.periods(_fresh_cursor(), indicator_id)


@st.cache_data(**CACHE)
def rest_of_borough(lad_code: str, model_id: str, indicator_id: str) -> pd.DataFrame:
    return queries.rest_of_borough(_fresh_cursor(), lad_code, model_id, indicator_id)


@st.cache_data(**CACHE)
def catalogue() -> pd.DataFrame:
    return queries.catalogue(_fresh_cursor())


@st.cache_data(**CACHE)
def area_values(lad_code: str, model_id: str, indicator_ids: tuple[str, ...]) -> pd.DataFrame:
    return queries.area_values(_fresh_cursor(), lad_code, model_id, indicator_ids)


@st.cache_data(**CACHE)
def area_changes(
    lad_code: str, model_id: str, area_code: str, year: int, ci_level: str
) -> pd.DataFrame:
    """Every area indicator's change for one neighbourhood, ranked (`change.area_changes`)."""
    cat = catalogue()
    cat = cat[cat.aggregation != "lsoa_only"]
    values = area_values(lad_code, model_id, tuple(cat.indicator_id))
    return change.area_changes(values, cat, area_code, year, ci_level)


@st.cache_data(**CACHE)
def spine_rows(
    lad_code: str, model_id: str, focus: str, comparator: str, ci_level: str
) -> pd.DataFrame:
    """The focus neighbourhood's area profile (`comparison.spine_rows`), once per selection:
    it ranks every indicator, too much work to repeat for every visitor."""
    from outcomes import comparison

    cat = catalogue()
    area_ids = tuple(cat[cat.aggregation != "lsoa_only"].indicator_id)
    rest = (
        {i: rest_of_borough(lad_code, model_id, i) for i in area_ids}
        if comparator == "rest"
        else None
    )
    return comparison.spine_rows(
        area_values(lad_code, model_id, area_ids),
        neighbourhood_spread(model_id, area_ids),
        cat,
        focus,
        comparator,
        ci_level,
        rest,
    )


@st.cache_data(**CACHE)
def lsoa_values(lad_code: str, indicator_id: str, model_id: str) -> pd.DataFrame:
    return queries.lsoa_values(_fresh_cursor(), lad_code, indicator_id, model_id)


@st.cache_data(**CACHE)
def focus_order(model_id: str) -> pd.DataFrame:
    return places.focus_order(_fresh_cursor(), model_id)


@st.cache_data(**CACHE)
def model_membership(model_id: str) -> pd.DataFrame:
    return queries.model_membership(_fresh_cursor(), model_id)


@st.cache_data(**CACHE)
def neighbourhood_outlines(lad_code: str, model_id: str) -> dict:
    membership = model_membership(model_id)
    return geo.neighbourhood_geojson(
        lad_code, dict(zip(membership.lsoa21_code, membership.neighbourhood_name, strict=True))
    )


@dataclass(frozen=True)
class Selection:
    """What the user has chosen in the sidebar (all of it mirrored in the URL)."""

    lad_code: str
    lad_name: str
    model_id: str
    model_name: str
    neighbourhoods: tuple[str, ...]  # neighbourhood codes, first = the focus neighbourhood
    neighbourhood_names: dict[str, str]
    indicator_id: str
    baseline: str
    current: str
    comparator: str  # lad | england | rest
    ci_level: str  # 95 | 998
    # The baseline year; `baseline` is the sidebar indicator's own period nearest it. Other
    # indicators find theirs with `change.choose_baseline`.
    baseline_year: int = 2019

    @property
    def focus(self) -> str:
        """The neighbourhood a one-neighbourhood page (briefing, profile) shows."""
        return self.neighbourhoods[0]

    @property
    def focus_name(self) -> str:
        return self.neighbourhood_names[self.focus]


def _choose(param: str, options: list[str], default: str, label: str, notes: list[str]) -> str:
    """The URL's value for `param` if it is one of `options`, else the default (with a note)."""
    value = st.query_params.get(param)
    if value is None:
        return default
    if value in options:
        return value
    shown = escape_markdown(value[:NOTE_CHARS] + ("…" if len(value) > NOTE_CHARS else ""))
    notes.append(f"The link's {label} '{shown}' is not available here; showing the default.")
    return default


def _seed(key: str, options: list[str], default: str, label: str, notes: list[str]) -> None:
    """Keep the widget state valid: from the URL on first load (noting a bad value),
    afterwards falling back to the default when the options change under it."""
    if not st.session_state.get("_url_loaded"):
        st.session_state[key] = _choose(key, options, default, label, notes)
    elif st.session_state.get(key) not in options:
        st.session_state[key] = default


def _seed_many(
    key: str, options: list[str], default: list[str], label: str, notes: list[str]
) -> None:
    if not st.session_state.get("_url_loaded"):
        raw = st.query_params.get(key)
        if raw is None:
            st.session_state[key] = default
            return
        wanted = [code for code in raw.split(",") if code]
        valid = [code for code in wanted if code in options]
        if len(valid) < len(wanted):
            notes.append(f"Some {label} in the link are not in this model; showing the rest.")
        st.session_state[key] = valid if valid or not wanted else default
    else:  # a picker the user cleared stays empty; one left from another model is reset
        stored = st.session_state.get(key, [])
        current = [c for c in stored if c in options]
        st.session_state[key] = current if current or not stored else default


def default_baseline(periods: list[str]) -> str:
    """2019 where the indicator has it (the usual baseline), else its first period."""
    return "2019" if "2019" in periods and periods[-1] != "2019" else periods[0]


def sidebar() -> Selection | None:
    """Draw the shared sidebar and keep every selection in the URL."""
    notes: list[str] = []
    follow_shared_store()
    place_search.search_box(cursor())
    lad_code, lad_name = _choose_borough(notes)
    model = _choose_model(lad_code, notes)
    if model is None:
        return None
    model_id, model_name = model
    chosen, hood_names = _choose_neighbourhoods(model_id, notes)
    indicator_id, baseline, current, year = _choose_indicator(notes)
    comparator, ci_level = _choose_comparison(notes)
    st.session_state["_url_loaded"] = True
    st.query_params.update(
        {
            "lad": lad_code,
            "model": model_id,
            "nb": ",".join(chosen),
            "ind": indicator_id,
            "base": str(year),
            "cmp": comparator,
            "ci": ci_level,
        }
    )
    notes = [*st.session_state.pop(CARRIED_NOTES, []), *notes]
    st.session_state[LINK_NOTES] = notes
    for note in notes:
        st.sidebar.info(note)
    return Selection(
        lad_code=lad_code,
        lad_name=lad_name,
        model_id=model_id,
        model_name=model_name,
        neighbourhoods=chosen,
        neighbourhood_names=hood_names,
        indicator_id=indicator_id,
        baseline=baseline,
        current=current,
        baseline_year=year,
        comparator=comparator,
        ci_level=ci_level,
    )


def _choose_borough(notes: list[str]) -> tuple[str, str]:
    """The borough picker, the focus boroughs first: (code, name)."""
    lad_codes, ordered, names = _borough_choices()
    _seed("lad", lad_codes, DEFAULT_LAD, "borough", notes)
    lad_code = st.sidebar.selectbox(
        "Borough",
        ordered,
        format_func=lambda code: names[code],
        key="lad",
        help="Any English local authority (2024 boundaries). Trafford, Wigan, Kirklees and "
        "Test Valley are listed first.",
    )
    return lad_code, names[lad_code]


@shared_views.shared
def _borough_choices() -> tuple[list[str], list[str], dict[str, str]]:
    """Every borough's code, the codes in menu order (focus boroughs first), their names."""
    lads = boroughs()
    lad_codes = lads["lad_code"].tolist()
    names = dict(zip(lads.lad_code, lads.lad_name, strict=True))
    focus = [c for c in FOCUS_LADS if c in names]
    return lad_codes, focus + [c for c in lad_codes if c not in focus], names


def _choose_model(lad_code: str, notes: list[str]) -> tuple[str, str] | None:
    """The neighbourhood model picker: (id, name), None when the borough has no model."""
    available = models(lad_code)
    if available.empty:
        st.sidebar.warning("This borough has no neighbourhood model yet.")
        return None
    model_ids = available["model_id"].tolist()
    model_names = dict(zip(available.model_id, available.model_name, strict=True))
    counts = dict(zip(available.model_id, available.neighbourhoods, strict=True))
    pending = st.session_state.pop("_pending_model", None)  # set by a page, e.g. after upload
    if pending in model_ids:
        st.session_state["model"] = pending
    _seed("model", model_ids, model_ids[0], "neighbourhood model", notes)
    model_id = st.sidebar.selectbox(
        "Neighbourhood model",
        model_ids,
        format_func=lambda m: f"{model_names[m]} · {counts[m]} neighbourhoods",
        key="model",
        help="A neighbourhood is a group of LSOAs. Every borough has MSOA- and ward-based "
        "models; upload your own on the Neighbourhoods page.",
    )
    return model_id, model_names[model_id]


def _choose_neighbourhoods(
    model_id: str, notes: list[str]
) -> tuple[tuple[str, ...], dict[str, str]]:
    """The neighbourhoods picker: (the chosen codes, the first one at least; every name)."""
    hoods = neighbourhoods(model_id)
    hood_names = dict(zip(hoods.neighbourhood_code, hoods.neighbourhood_name, strict=True))
    hood_codes = hoods.neighbourhood_code.tolist()
    order = focus_order(model_id)  # most deprived first: the default focus
    default = place_search.default_neighbourhoods(order, hood_codes)
    _seed_many("nb", hood_codes, default, "neighbourhoods", notes)
    chosen = st.sidebar.multiselect(
        "Neighbourhoods",
        hood_codes,
        format_func=hood_names.get,
        key="nb",
        help="The first one is the focus of the Briefing and profile views.",
    )
    if not chosen:
        chosen = default[:1]
        st.sidebar.caption(
            f"No neighbourhood chosen: the pages show {escape_markdown(hood_names[chosen[0]])}. "
            "Choose one or more above."
        )
    place_search.focus_note(model_id, chosen[0], hood_names[chosen[0]], order)
    return tuple(chosen), hood_names


def _choose_indicator(notes: list[str]) -> tuple[str, str, str, int]:
    """The indicator and baseline pickers: (indicator id, its baseline period, its latest
    period, the baseline year)."""
    ids, ind_names = _indicator_choices()
    _seed("ind", ids, "imd_lsoas_most_deprived_10_pct", "indicator", notes)
    indicator_id = st.sidebar.selectbox(
        "Indicator",
        ids,
        format_func=lambda i: ind_names[i],
        key="ind",
    )
    periods = indicator_periods(indicator_id)
    year = _choose_baseline_year(notes)
    baseline = change.nearest_label(periods, year) or periods[0]
    st.sidebar.caption(
        f"{escape_markdown(ind_names[indicator_id])}: baseline {escape_markdown(baseline)}."
    )
    return indicator_id, baseline, periods[-1], year


@shared_views.shared
def _indicator_choices() -> tuple[list[str], dict[str, str]]:
    """The sidebar's indicators (those with area values) and every indicator's name."""
    cat = shared_catalogue()
    ids = cat.loc[cat.aggregation != "lsoa_only", "indicator_id"].tolist()
    return ids, dict(zip(cat.indicator_id, cat.name, strict=True))


def _choose_baseline_year(notes: list[str]) -> int:
    """The baseline year picker. Each indicator measures change from its own period nearest
    this year; a link's old baseline period (e.g. '2019/20') reads as its year."""
    years = [str(y) for y in change.baseline_years()]
    old = st.query_params.get("base")
    if not st.session_state.get("_url_loaded") and old is not None and old not in years:
        year = change.period_year(old)
        if year is not None and str(year) in years:
            st.query_params["base"] = str(year)
    _seed("base", years, str(change.DEFAULT_YEAR), "baseline year", notes)
    chosen = st.sidebar.selectbox(
        "Baseline year",
        years,
        key="base",
        help="Every change is measured from each indicator's own period nearest this year "
        "(e.g. 2019/20 for a financial year) to its latest one; pages say which period each "
        "indicator uses.",
    )
    return int(chosen)


def _choose_comparison(notes: list[str]) -> tuple[str, str]:
    """The comparator and confidence level pickers: (comparator, ci_level)."""
    _seed("cmp", list(labels.COMPARATOR_CHOICES), "lad", "comparator", notes)
    comparator = st.sidebar.radio(
        "Compare with",
        list(labels.COMPARATOR_CHOICES),
        format_func=labels.COMPARATOR_CHOICES.get,
        key="cmp",
    )
    _seed("ci", ["95", "998"], "95", "confidence level", notes)
    ci_level = st.sidebar.radio(
        "Confidence level",
        ["95", "998"],
        format_func={"95": "95%", "998": "99.8%"}.get,
        key="ci",
        horizontal=True,
    )
    return comparator, ci_level


def choose_from_url(
    param: str, options: list[str], default: str, label: str, widget_key: str
) -> None:
    """Seed a page widget's state from the URL once, falling back to `default` with a note."""
    if widget_key in st.session_state and st.session_state[widget_key] in options:
        return
    notes: list[str] = []
    st.session_state[widget_key] = _choose(param, options, default, label, notes)
    for note in notes:
        st.info(note)


def markdown_meta(meta: analysis.IndicatorMeta) -> analysis.IndicatorMeta:
    """`meta` with its name escaped, for the sentences a page writes as Markdown (the method,
    funnel and comparison texts put the name, which may be a partner's, into them)."""
    return dataclasses.replace(meta, name=escape_markdown(meta.name))


def polarity_text(polarity: str) -> str:
    """Plain words for an indicator's polarity."""
    return {
        "higher_is_better": "Higher is better",
        "higher_is_worse": "Higher is worse",
        "no_judgement": "Higher is neither better nor worse",
    }.get(polarity, "")


def download_csv(frame: pd.DataFrame, file_name: str, label: str = "Download the data (CSV)"):
    """A CSV download button for the data behind a chart or table. Frames holding uploaded
    (partner) indicators pass through small-number suppression first; text cells a
    spreadsheet would run as a formula are made literal (`export.to_csv_bytes`)."""
    from outcomes import export

    if disclosure.has_user_rows(frame):
        frame = disclosure.protect_frame(frame, disclosure.threshold(cursor()))
    st.download_button(
        label,
        functools.partial(export.to_csv_bytes, frame),  # made when pressed, not every view
        file_name=file_name,
        mime="text/csv",
        key=f"dl-{file_name}",
        **_audited(frame, file_name),
    )


def published_download(name: str, lad_code: str, file_name: str, note: str) -> None:
    """A published table's CSV download, labelled with its rows and made only when pressed:
    making three tables' CSVs for every visitor was most of the Data page's work. Rows of
    uploaded indicators pass through small-number suppression and are audited as in
    `download_csv`."""
    from outcomes import export

    rows, uploaded = _published_shape(name, lad_code)
    con = base_connection()

    def payload() -> bytes:  # runs in its own thread when pressed; no st.* here
        cur = db.cursor(con)
        frame = queries.published_table(cur, name, lad_code)
        if disclosure.has_user_rows(frame):
            frame = disclosure.protect_frame(frame, disclosure.threshold(cur))
        return export.to_csv_bytes(frame)

    audit = {"on_click": "ignore"}
    if uploaded:
        audit = {"on_click": _log_download, "args": (file_name, rows, uploaded)}
    st.download_button(
        escape_markdown(f"{name} — {note} ({rows:,} rows, CSV)"),
        payload,
        file_name=file_name,
        mime="text/csv",
        key=f"dl-{file_name}",
        **audit,
    )


@st.cache_data(**CACHE)
def _published_shape(name: str, lad_code: str) -> tuple[int, tuple[str, ...]]:
    return queries.published_shape(_fresh_cursor(), name, lad_code)


def _audited(frame: pd.DataFrame, file_name: str, otherwise: str = "rerun") -> dict:
    """download_button options: pressing it to download rows of partner data (uploaded
    indicators) records who took which file in the audit log (`on_click`); other downloads
    behave as `otherwise` says."""
    if not disclosure.has_user_rows(frame):
        return {"on_click": otherwise}
    ids = frame["indicator_id"].astype(str)
    indicators = tuple(sorted(set(ids[ids.str.startswith(disclosure.USER_PREFIX)])))
    return {"on_click": _log_download, "args": (file_name, len(frame), indicators)}


def _audited_download(data: DownloadFrame, file_name: str) -> dict:
    """`_audited` for a deferred download: its rows are counted from the page's frame."""
    indicators = data.user_indicators()
    if not indicators:
        return {"on_click": "ignore"}
    return {"on_click": _log_download, "args": (file_name, len(data.source), indicators)}


def _log_download(file_name: str, rows: int, indicators: tuple[str, ...]) -> None:
    datasets.record_download(cursor(), signin.current_user(), file_name, rows, indicators)


def indicator_row(indicator_id: str) -> pd.Series:
    """The catalogue row of one indicator (read-only: shared by every session)."""
    return _catalogue_rows()[indicator_id]


@shared_views.shared
def _catalogue_rows() -> dict[str, pd.Series]:
    return {row.indicator_id: row for _, row in shared_catalogue().iterrows()}


@shared_views.shared
def shared_catalogue() -> pd.DataFrame:
    """`catalogue`, one object for every session (read-only: `shared_views`), for the
    lookups every page makes several times per view."""
    return queries.catalogue(_fresh_cursor())


def source_line(meta_row: pd.Series) -> str:
    """'Source: … (publisher). Licence.' for a chart footer."""
    return f"Source: {meta_row.source} ({meta_row.publisher}). {meta_row.licence}."


def ci_caption(meta, ci_level: str) -> str:
    """How uncertainty is shown for this indicator, in words."""
    return analysis.uncertainty_words(meta, ci_level)


def trend_rows(values: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """The chosen neighbourhoods plus the borough and England, and the rest of the borough
    when that is the comparator and one neighbourhood is chosen."""
    keep = values[
        ((values.area_type == "neighbourhood") & values.area_code.isin(selection.neighbourhoods))
        | values.area_type.isin(["lad", "england"])
    ]
    if selection.comparator == "rest" and len(selection.neighbourhoods) == 1:
        rest = rest_of_borough(selection.lad_code, selection.model_id, selection.indicator_id)
        rows = analysis.rest_rows(rest, selection.focus, selection.lad_name)
        if not rows.empty:
            keep = pd.concat([keep, rows], ignore_index=True)
    return keep


def change_table(change: pd.DataFrame, meta) -> pd.DataFrame:
    """Change since baseline as a readable table."""
    order = change.area_type.map({"neighbourhood": 0, "rest": 1, "lad": 2, "england": 3})
    frame = change.assign(_o=order).sort_values(["_o", "area_name"])
    return pd.DataFrame(
        {
            "Area": frame.area_name,
            f"{frame.baseline.iloc[0] if len(frame) else ''}": frame.value_baseline.round(2),
            f"{frame.current.iloc[0] if len(frame) else ''}": frame.value_current.round(2),
            "Change": frame.change.round(2),
            "Significance": frame.significance,
            "Judgement": frame.direction,
        }
    )


@st.cache_data(**CACHE)
def borough_lsoas(lad_code: str) -> pd.DataFrame:
    return queries.borough_lsoas(_fresh_cursor(), lad_code)


@st.cache_data(**CACHE)
def lsoa_weighted_values(lad_code: str, indicator_id: str, period: str) -> pd.DataFrame:
    return queries.lsoa_weighted_values(_fresh_cursor(), lad_code, indicator_id, period)


@st.cache_data(**CACHE)
def period_starts(indicator_id: str) -> pd.DataFrame:
    return queries.period_starts(_fresh_cursor(), indicator_id)


@st.cache_data(**CACHE)
def neighbourhood_spread(model_id: str, indicator_ids: tuple[str, ...]) -> pd.DataFrame:
    return queries.neighbourhood_spread(_fresh_cursor(), model_id, indicator_ids)


@st.cache_data(**CACHE)
def decile_sums(
    lad_code: str,
    indicator_id: str,
    period: str,
    decile_period: str,
    population_period: str | None,
) -> pd.DataFrame:
    return queries.decile_sums(
        _fresh_cursor(), lad_code, indicator_id, period, decile_period, population_period
    )


# ---------------------------------------------------------------- exports (outcomes.export)

DOWNLOAD_WORDS = {
    "csv": "Download the data (CSV)",
    "xlsx": "Download the data (Excel)",
    "png": "Download the chart (PNG)",
    "svg": "Download the chart (SVG)",
    "pdf": "Download the chart (PDF)",
}


@dataclass(frozen=True)
class DownloadFrame:
    """A download's self-describing frame (`export.describe`), made only when its button is
    pressed: describing every chart's data for every visitor, most of whom never download,
    was a fifth of a page view's work. Calling it makes the frame (no st.* inside, so it can
    run in the download's own thread)."""

    source: pd.DataFrame
    context: object
    catalogue: pd.DataFrame
    threshold: int | None
    options: tuple[tuple[str, object], ...]

    def __call__(self) -> pd.DataFrame:
        from outcomes import export

        options = dict(self.options)
        return export.describe(
            self.source, self.context, self.catalogue, threshold=self.threshold, **options
        )

    def user_indicators(self) -> tuple[str, ...]:
        """The uploaded (partner) indicators whose rows the download holds."""
        ids = [str(dict(self.options).get("indicator_id") or "")]
        if "indicator_id" in self.source.columns:
            ids += self.source["indicator_id"].astype(str).tolist()
        return tuple(sorted({i for i in ids if i.startswith(disclosure.USER_PREFIX)}))


def export_frame(frame: pd.DataFrame, context, **options) -> DownloadFrame:
    """A page's frame as a self-describing download (`DownloadFrame`), with the suppression
    threshold of the council's own data read (now, in the session) only when it holds some."""
    options = tuple(sorted(options.items()))
    download = DownloadFrame(frame, context, shared_catalogue(), None, options)
    if download.user_indicators():
        threshold = disclosure.threshold(cursor())
        download = dataclasses.replace(download, threshold=threshold)
    return download


def downloads(
    key: str,
    data: DownloadFrame,
    name: str,
    context,
    figure=None,
    title: str = "",
    csv_label: str | None = None,
) -> None:
    """One tidy row under a chart or table: a format picker (CSV, Excel, and PNG, SVG, PDF
    when there is a chart) and one download button. Files are made only when the button is
    pressed (a deferred download), so page reruns never render images. `data` is the
    self-describing frame to be (`export_frame`); `name` the file name without its extension."""
    _download_row(key, data, name, context, figure, title, csv_label)


@st.fragment
def _download_row(key, data, name, context, figure, title, csv_label) -> None:
    from datetime import date

    from outcomes import export

    formats = list(export.DATA_FORMATS) + (list(export.IMAGE_FORMATS) if figure else [])
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    fmt = (
        row.segmented_control(
            "Download format",
            formats,
            format_func=export.FORMAT_LABELS.get,
            default="csv",
            required=True,
            key=f"fmt-{key}",
            label_visibility="collapsed",
            help="CSV and Excel: the data behind it, with self-describing columns. PNG (print "
            "resolution), SVG and PDF: the chart with its title, source, licence and today's date.",
        )
        or "csv"
    )
    label = (csv_label or DOWNLOAD_WORDS["csv"]) if fmt == "csv" else DOWNLOAD_WORDS[fmt]
    file_name = f"{name}.{fmt}"
    disabled = False
    if fmt == "csv":

        def payload() -> bytes:  # runs in its own thread when pressed; no st.* here
            return export.to_csv_bytes(data())

    elif fmt == "xlsx":

        def payload() -> bytes:
            when = context.replace(produced=date.today())
            return export.to_xlsx_bytes(data(), title=title, context=when)

    elif not export.browser_available():
        payload, disabled = b"", True
        st.warning(export.INSTALL_HINT, icon=":material/image_not_supported:")
    else:

        def payload() -> bytes:  # runs in its own thread when pressed; no st.* here
            return export.chart_bytes(figure, fmt, context.replace(produced=date.today()))

    row.download_button(
        label,
        payload,
        file_name=file_name,
        mime=export.MIME_TYPES[fmt],
        key=f"dl-{key}",
        icon=":material/download:",
        **_audited_download(data, file_name),
        disabled=disabled,
    )
