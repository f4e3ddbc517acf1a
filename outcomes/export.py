"""Report-ready exports: charts as PNG, SVG and PDF, and the data behind every chart and table as
self-describing CSV and Excel files with descriptive names. No Streamlit here.

Charts are drawn by kaleido in a local Chromium (Debian's `/usr/bin/chromium`, or any browser
that `BROWSER_PATH` points at). One kaleido browser serves the whole process: it is started on the
first export (`kaleido.start_sync_server`) and reused, and a lock keeps callers from different
threads (Streamlit sessions, deferred downloads) from interleaving their requests. MathJax is off
and plotly.js comes from the installed plotly package, so rendering makes no network request.
Without a browser, `BrowserMissing` says what to install; data exports never need one.

Data: `describe` turns a page's frame (published rows, ranked values, funnel points, map frames,
change since baseline...) and the page's `ExportContext` into one self-describing frame: area
type, code and name, model, indicator, period, value, numerator, denominator, confidence limits
and level, method, comparator, significance and a suppression flag, with the page's own extra
columns after them. Rows of the council's and partners' own data ('Your data', indicator ids
starting 'user_') pass through `apply_disclosure`, which applies the small-count rule of
`outcomes.uploads.disclosure` to every export (their values are perturbed when stored).
"""

from __future__ import annotations

import dataclasses
import io
import os
import textwrap
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from outcomes import labels
from outcomes.text import escape_html, slug

APP_NAME = "Neighbourhood outcomes dashboard"
CI_LABELS = {"95": "95%", "998": "99.8%"}

# ---------------------------------------------------------------------------- chart images

IMAGE_FORMATS = ("png", "svg", "pdf")
DATA_FORMATS = ("csv", "xlsx")
MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}
FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel", "png": "PNG", "svg": "SVG", "pdf": "PDF"}
# A chart is laid out 1,000 px wide (a Word page's text width at 150 px per inch) and a PNG is
# drawn at 3x: 3,000 px, about 450 dpi across a 16.5 cm column, sharp in print.
EXPORT_WIDTH_PX = 1000
DEFAULT_HEIGHT_PX = 500
PNG_SCALE = 3
MAX_PNG_PX = 16000
RENDER_TIMEOUT_S = 90  # kaleido's own limit per image
WATCHDOG_S = 150  # ours, should the renderer hang or die
FOOTER_FONT_PX = 10
FOOTER_LINE_PX = 13
FOOTER_CHARS = 150
OFFLINE_MAP_STYLE = "white-bg"  # MapLibre without tiles: no request leaves the machine

INSTALL_HINT = (
    "Chart images (PNG, SVG, PDF) need a Chromium or Chrome browser on the server running the "
    "dashboard. On Debian or Ubuntu: `sudo apt-get install chromium`; elsewhere install Google "
    "Chrome, or set the BROWSER_PATH environment variable to the browser's executable, then "
    "restart the dashboard. The data downloads (CSV, Excel) work without it."
)


class ExportError(RuntimeError):
    """A chart could not be rendered."""


class BrowserMissing(ExportError):
    """No browser for kaleido: the message says what to install."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{detail} {INSTALL_HINT}".strip())


_LOCK = threading.RLock()
_STATE = {"started": False, "images": 0}


def find_browser() -> str | None:
    """The browser kaleido would launch (BROWSER_PATH first, then Chrome/Chromium on PATH and in
    the usual places), or None when there is none that can run."""
    try:
        from choreographer.browsers.chromium import Chromium

        path = Chromium.find_browser(skip_local=False)
    except Exception:  # a broken install is as good as none
        return None
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return str(path)
    return None


def browser_available() -> bool:
    """Whether chart images can be made here (cheap: a path check, no browser started)."""
    return find_browser() is not None


def _server():
    import kaleido

    return kaleido._global_server  # the singleton behind start_sync_server


def _server_alive() -> bool:
    server = _server()
    thread = getattr(server, "_thread", None)
    return server.is_running() and thread is not None and thread.is_alive()


def _ensure_server() -> None:
    """Start the process's one kaleido browser unless it is running (call with _LOCK held)."""
    import kaleido

    if _server_alive():  # ours, or one started before this module was reloaded
        _STATE["started"] = True
        return
    if _server().is_running():  # started but its browser died: clear it, then start again
        kaleido.stop_sync_server(silence_warnings=True)
    if find_browser() is None:
        raise BrowserMissing("No Chromium or Chrome browser was found.")
    kaleido.start_sync_server(mathjax=False, timeout=RENDER_TIMEOUT_S, silence_warnings=True)
    _STATE["started"] = True


def _call_renderer(figure: dict, opts: dict) -> bytes:
    """kaleido.calc_fig_sync, watched: kaleido's sync call waits for ever if its browser thread
    has died, so it runs in a daemon thread and we give up if that thread goes away."""
    import kaleido

    outcome: dict[str, object] = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["value"] = kaleido.calc_fig_sync(figure, opts=opts)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="export-render", daemon=True).start()
    deadline = time.monotonic() + WATCHDOG_S
    while not done.wait(0.2):
        if not _server_alive() or time.monotonic() > deadline:
            _STATE["started"] = False
            if _server().is_running():
                import kaleido as _k

                _k.stop_sync_server(silence_warnings=True)
            raise ExportError(
                "The chart renderer (kaleido with Chromium) stopped before finishing the image. "
                "Try again; if it keeps failing, check that Chromium runs on this server."
            )
    if "error" in outcome:
        error = outcome["error"]
        if "Chrome" in str(error) and "requires" in str(error):
            raise BrowserMissing() from error  # type: ignore[misc]
        raise ExportError(f"The chart could not be rendered: {error}") from error  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def render(
    fig: go.Figure,
    fmt: str,
    *,
    width: int | None = None,
    height: int | None = None,
    scale: float | None = None,
) -> bytes:
    """A figure as PNG, SVG or PDF bytes, exactly as laid out (see `figure_for_export` for the
    report footer). Width and height default to the figure's own, else 1,000 x 500 px."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; use one of {IMAGE_FORMATS}")
    layout = fig.layout
    opts = {
        "format": fmt,
        "width": int(width or layout.width or EXPORT_WIDTH_PX),
        "height": int(height or layout.height or DEFAULT_HEIGHT_PX),
        "scale": float(scale if scale is not None else (PNG_SCALE if fmt == "png" else 1)),
    }
    if fmt == "png":  # Chromium cannot draw a canvas much over 16,384 px: tall charts lose dpi
        opts["scale"] = min(opts["scale"], MAX_PNG_PX / opts["height"], MAX_PNG_PX / opts["width"])
    figure = fig.to_dict()
    with _LOCK:
        _ensure_server()
        data = _call_renderer(figure, opts)
        _STATE["images"] += 1
    if isinstance(data, str):
        data = data.encode("utf-8")
    return bytes(data)


def warm_up() -> float:
    """Start the browser and draw one tiny image; seconds taken (for benchmarks and the CLI)."""
    start = time.perf_counter()
    render(go.Figure(layout={"width": 50, "height": 50}), "png", scale=1)
    return time.perf_counter() - start


# ---------------------------------------------------------------------------- context


@dataclass(frozen=True)
class ExportContext:
    """What a page shows, for footers, file names and the columns of a data export."""

    lad_code: str = ""
    lad_name: str = ""
    model_id: str = ""
    model_name: str = ""
    baseline: str = ""  # '' when the chart or table has no baseline
    comparator: str = ""  # lad | england | rest | '' (nothing compared)
    comparator_name: str = ""
    ci_level: str = "95"
    period: str = ""  # the period shown, where there is one
    produced: date = field(default_factory=date.today)

    @classmethod
    def from_selection(cls, selection, **changes) -> ExportContext:
        """The context of the sidebar's selection (`outcomes.ui.Selection`)."""
        context = cls(
            lad_code=selection.lad_code,
            lad_name=selection.lad_name,
            model_id=selection.model_id,
            model_name=selection.model_name,
            baseline=selection.baseline,
            comparator=selection.comparator,
            comparator_name=labels.comparator_name(selection.comparator, selection.lad_name),
            ci_level=selection.ci_level,
        )
        return dataclasses.replace(context, **changes) if changes else context

    def replace(self, **changes) -> ExportContext:
        return dataclasses.replace(self, **changes)

    @property
    def produced_text(self) -> str:
        return f"{self.produced.day} {self.produced:%B %Y}"

    def footer(self) -> str:
        """'Trafford · Trafford localities (2023) · baseline 2019 · compared with Trafford.
        Produced 3 May 2026 with the …' (the chart's own subtitle says how uncertainty is
        shown)."""
        parts = [p for p in (self.lad_name, self.model_name) if p]
        if self.period:
            parts.append(f"period {self.period}")
        if self.baseline:
            parts.append(f"baseline {self.baseline}")
        if self.comparator_name:
            parts.append(f"compared with {self.comparator_name}")
        lead = " · ".join(parts)
        produced = f"Produced {self.produced_text} with the {APP_NAME}."
        return f"{lead}. {produced}" if lead else produced


# ---------------------------------------------------------------------------- figures


def _margin(fig: go.Figure) -> dict:
    margin = fig.layout.margin
    return {
        "l": margin.l if margin.l is not None else 80,
        "r": margin.r if margin.r is not None else 80,
        "t": margin.t if margin.t is not None else 100,
        "b": margin.b if margin.b is not None else 80,
    }


def figure_for_export(
    fig: go.Figure,
    context: ExportContext | None = None,
    *,
    note: str | None = None,
    width: int = EXPORT_WIDTH_PX,
    height: int | None = None,
) -> go.Figure:
    """A copy of `fig` laid out for a report: a fixed width, and a footer line under the
    chart's own source and licence naming the area, model, period, baseline, comparator and
    the date produced (today's date, added now). The plotting area keeps its height: the
    figure grows by the footer's lines."""
    out = go.Figure(fig)
    context = context or ExportContext()
    text = context.footer() if note is None else f"{note} {context.footer()}"
    lines = [escape_html(line) for line in textwrap.wrap(text, FOOTER_CHARS)] or [""]
    extra = len(lines) * FOOTER_LINE_PX + 6
    margin = _margin(out)
    base_height = height or out.layout.height or DEFAULT_HEIGHT_PX
    out.update_layout(
        width=width,
        height=base_height + extra,
        margin={**margin, "b": margin["b"] + extra},
        title_pad={"l": 12, "t": 4},  # off the image's edge (in the app the page gives room)
    )
    if out.layout.map.style not in (None, OFFLINE_MAP_STYLE):
        # Tile styles fetch map tiles from the internet: exports stay offline.
        out.update_layout(map_style=OFFLINE_MAP_STYLE)
    footer = _footer_index(out)
    if footer is not None:  # under the chart's own source and licence lines
        note_text = out.layout.annotations[footer].text or ""
        out.layout.annotations[footer].text = "<br>".join([note_text, *lines])
    else:
        out.add_annotation(
            text="<br>".join(lines),
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            xanchor="left",
            yanchor="bottom",
            yshift=-(margin["b"] + extra) + 4,
            showarrow=False,
            align="left",
            font={"size": FOOTER_FONT_PX, "color": "#555555"},
        )
    return out


def _footer_index(fig: go.Figure) -> int | None:
    """The source footer `charts.base_layout` puts under the plot (paper y=0, hanging below
    it), if the figure has one."""
    for i, note in enumerate(fig.layout.annotations or ()):
        if (
            note.xref == "paper"
            and note.yref == "paper"
            and (note.y or 0) == 0
            and note.yanchor == "top"
            and (note.yshift or 0) < 0
            and not note.showarrow
        ):
            return i
    return None


def chart_bytes(
    fig: go.Figure,
    fmt: str,
    context: ExportContext | None = None,
    *,
    note: str | None = None,
    width: int = EXPORT_WIDTH_PX,
    scale: float | None = None,
) -> bytes:
    """A page's chart as a report-ready PNG, SVG or PDF (footer with the date produced)."""
    ready = figure_for_export(fig, context, note=note, width=width)
    return render(ready, fmt, scale=scale)


# ---------------------------------------------------------------------------- file names


def stem(*parts: object, max_length: int = 150) -> str:
    """A descriptive file name without its extension, from the parts in order, e.g. ('Trafford',
    'Trafford localities', 'imd_score', '2019_vs_2015') -> 'trafford_localities_imd_score_
    2019_vs_2015'. A part that only repeats the start of the next is dropped."""
    slugs = [slug(p) for p in parts if p is not None and slug(p)]
    kept = []
    for i, part in enumerate(slugs):
        following = slugs[i + 1] if i + 1 < len(slugs) else ""
        if following == part or following.startswith(part + "_"):
            continue
        if kept and kept[-1] == part:
            continue
        kept.append(part)
    name = "_".join(kept) or "export"
    return name[:max_length].rstrip("_")


def file_name(*parts: object, ext: str) -> str:
    """`stem(*parts)` plus the extension: 'trafford_localities_imd_score_2019_vs_2015.csv'."""
    return f"{stem(*parts)}.{ext.lstrip('.')}"


# ---------------------------------------------------------------------------- data frames

#: The self-describing columns, in order; a frame keeps those it has, then its own extras.
STANDARD_COLUMNS = (
    "area_type",
    "area_code",
    "area_name",
    "lad_code",
    "lad_name",
    "model_id",
    "model_name",
    "indicator_id",
    "indicator_name",
    "unit",
    "polarity",
    "period",
    "value",
    "numerator",
    "denominator",
    "ci_level",
    "lower_ci",
    "upper_ci",
    "method",
    "comparator",
    "comparator_value",
    "comparison",
    "baseline_period",
    "baseline_value",
    "change",
    "change_lower",
    "change_upper",
    "change_significance",
    "change_judgement",
    "suppressed",
    "source",
    "licence",
)
COLUMN_NOTES = {
    "area_type": "neighbourhood, lsoa, lad (the borough), rest (rest of the borough), england, "
    "imd_decile (the borough's LSOAs in one national IMD decile)",
    "area_code": "ONS code (LSOA 2021, LA, England) or the neighbourhood's code in its model",
    "area_name": "Name of the area",
    "lad_code": "Local authority (borough) code, 2024 boundaries",
    "lad_name": "Local authority (borough) name",
    "model_id": "Neighbourhood model id",
    "model_name": "Neighbourhood model: which neighbourhoods (groups of LSOAs) are used",
    "indicator_id": "Indicator id in the catalogue",
    "indicator_name": "Indicator name",
    "unit": "Unit of the value",
    "polarity": "higher_is_better, higher_is_worse or no_judgement",
    "period": "Period of the value",
    "value": "The indicator's value",
    "numerator": "Summed count behind the value (empty for population-weighted means)",
    "denominator": "Summed base behind the value (empty for population-weighted means)",
    "ci_level": "Confidence level of lower_ci and upper_ci (empty: no interval)",
    "lower_ci": "Lower confidence limit (empty where none applies or none is published)",
    "upper_ci": "Upper confidence limit",
    "method": "How the interval and the comparison were made",
    "comparator": "What the area is compared with",
    "comparator_value": "The comparator's value",
    "comparison": "better / similar / worse (or higher / lower where neither is better)",
    "baseline_period": "Baseline period of the change",
    "baseline_value": "Value in the baseline period",
    "change": "Value minus the baseline value",
    "change_lower": "Lower limit of the change (difference for proportions, ratio for rates)",
    "change_upper": "Upper limit of the change",
    "change_significance": "Significance of the change since the baseline",
    "change_judgement": "Whether the change is an improvement, by the indicator's polarity",
    "suppressed": "True where small numbers are withheld (disclosure control): figures empty",
    "source": "Source of the data (publisher)",
    "licence": "Licence of the data",
}
# Page columns that mean a standard column (applied only where the standard one is absent).
ALIASES = {
    "lsoa21_code": "area_code",
    "lsoa21_name": "area_name",
    "imd_decile": "area_code",
    "neighbourhood_code": "area_code",
    "neighbourhood_name": "area_name",
    "lower": "lower_ci",
    "upper": "upper_ci",
    "comparator_name": "comparator",
    "current": "period",
    "value_current": "value",
    "numerator_current": "numerator",
    "denominator_current": "denominator",
    "baseline": "baseline_period",
    "value_baseline": "baseline_value",
    "numerator_baseline": "baseline_numerator",
    "denominator_baseline": "baseline_denominator",
    "significance": "change_significance",
    "direction": "change_judgement",
    "neighbourhood": "area_name",
    "indicator": "indicator_name",
    "latest_period": "period",
    "latest_value": "value",
    "latest_numerator": "numerator",
    "latest_denominator": "denominator",
}
RAW_CI = ("lower_ci95", "upper_ci95", "lower_ci998", "upper_ci998")
# Figures withheld with a suppressed row (besides those outcomes.disclosure nulls itself).
WITHHELD = (
    "value",
    "numerator",
    "denominator",
    "lower_ci",
    "upper_ci",
    *RAW_CI,
    "comparator_value",
    "comparator_lower",
    "comparator_upper",
    "baseline_value",
    "baseline_numerator",
    "baseline_denominator",
    "change",
    "change_lower",
    "change_upper",
    "lower",
    "upper",
    "value_baseline",
    "value_current",
    "numerator_baseline",
    "denominator_baseline",
    "numerator_current",
    "denominator_current",
)
USER_PREFIX = "user_"
METHODS = {
    "wilson": "Wilson score interval",
    "byar": "Byar's method (exact Poisson below 10 events)",
    "none": "Complete count: no confidence interval",
}


def _method(ci_method: object, ci_level: str, compared: bool) -> str:
    key = str(ci_method) if isinstance(ci_method, str) else "none"
    text = METHODS.get(key, str(ci_method))
    if compared:
        if key in ("wilson", "byar"):
            text += (
                f"; compared Fingertips-style (different when the comparator lies outside the "
                f"{CI_LABELS.get(ci_level, ci_level)} interval)"
            )
        else:
            text += "; values compared directly"
    return text


def describe(
    frame: pd.DataFrame,
    context: ExportContext | None = None,
    catalogue: pd.DataFrame | None = None,
    *,
    area_type: str | None = None,
    area_code: str | None = None,
    area_name: str | None = None,
    indicator_id: str | None = None,
    period: str | None = None,
    threshold: int | None = None,
) -> pd.DataFrame:
    """A page's frame as a self-describing table for download.

    Known page columns are renamed to the standard ones (`lower` -> `lower_ci`,
    `value_current` -> `value`, ...), the published CI pair at the context's level becomes
    `lower_ci`/`upper_ci` with `ci_level`, and what the frame leaves out comes from the
    context (borough, model, baseline, comparator) and the catalogue (indicator name, unit,
    polarity, method, source, licence). Columns of the frame that are not standard follow the
    standard ones. Rows of uploaded indicators are passed through `apply_disclosure`."""
    context = context or ExportContext()
    out, renames = _standard_columns(frame, context.ci_level)
    _fill(out, "area_type", area_type or "neighbourhood")
    if "imd_decile" in renames:  # deciles of the borough's LSOAs as the areas
        out["area_code"] = out["area_code"].astype(object)
        out["area_name"] = [f"IMD decile {d}" for d in out["area_code"]]
    _fill(out, "area_code", area_code)
    _fill(out, "area_name", area_name)
    _fill_context(out, context)
    _fill(out, "indicator_id", indicator_id)
    _fill(out, "period", period or context.period or None)
    if catalogue is not None and "indicator_id" in out.columns and len(catalogue):
        out = _join_catalogue(out, catalogue)
    out = _method_columns(out, context.ci_level)
    for column in out.columns:  # dates as dates: '2019-01-01', not '2019-01-01 00:00:00'
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    if "suppressed" not in out.columns:
        out["suppressed"] = False
    out = apply_disclosure(out, threshold)
    front = [c for c in STANDARD_COLUMNS if c in out.columns]
    return out[front + [c for c in out.columns if c not in front]]


def _standard_columns(frame: pd.DataFrame, level: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """A copy of `frame` with page columns renamed to the standard ones (and the renames), the
    published CI pair at `level` as lower_ci/upper_ci and the other published pairs dropped."""
    out = frame.copy().reset_index(drop=True)
    renames = {
        src: dst
        for src, dst in ALIASES.items()
        if src in out.columns and dst not in out.columns and not _claimed(src, dst, out)
    }
    out = out.rename(columns=renames)
    if "lower_ci" not in out.columns and f"lower_ci{level}" in out.columns:
        out["lower_ci"] = out[f"lower_ci{level}"]
        out["upper_ci"] = out[f"upper_ci{level}"]
    return out.drop(columns=[c for c in RAW_CI if c in out.columns]), renames


def _fill(out: pd.DataFrame, column: str, value: object) -> None:
    """Set `column` to `value` where it is missing (add it when absent); nothing for no value."""
    if value in (None, ""):
        return
    if column not in out.columns:
        out[column] = [value] * len(out)
    else:
        out[column] = out[column].astype(object).where(out[column].notna(), value)


def _fill_context(out: pd.DataFrame, context: ExportContext) -> None:
    """The borough, model, baseline and comparator of the page, where the frame lacks them."""
    _fill(out, "lad_code", context.lad_code)
    _fill(out, "lad_name", context.lad_name)
    if "model_name" not in out.columns and context.model_id:
        # The model of the file's neighbourhoods (and LSOAs' neighbourhoods); the borough and
        # England belong to no model. A file that holds two models names them itself.
        in_model = ~out["area_type"].isin(["lad", "england"])
        for column, value in (("model_id", context.model_id), ("model_name", context.model_name)):
            current = (
                out[column].astype(object)
                if column in out.columns
                else pd.Series([None] * len(out), index=out.index, dtype=object)
            )
            out[column] = current.where(current.notna() | ~in_model, value)
    if "baseline_value" in out.columns or "change" in out.columns:
        _fill(out, "baseline_period", context.baseline)
    if "comparison" in out.columns:
        _fill(out, "comparator", context.comparator_name)


def _method_columns(out: pd.DataFrame, level: str) -> pd.DataFrame:
    """The catalogue's ci_method as words (`method`) and the level of lower_ci/upper_ci."""
    if "ci_method" not in out.columns:
        return out
    has_ci = out["ci_method"].isin(["wilson", "byar"])
    if "lower_ci" in out.columns:
        out["ci_level"] = np.where(has_ci, CI_LABELS.get(level, level), "")
    if "method" not in out.columns:
        compared = "comparison" in out.columns
        out["method"] = [_method(m, level, compared) for m in out["ci_method"]]
    return out.drop(columns="ci_method")


def _claimed(src: str, dst: str, frame: pd.DataFrame) -> bool:
    """Whether another alias already gives `dst` (the first listed wins): e.g. a frame with
    both lsoa21_code and neighbourhood_code keeps the LSOA code as the area."""
    for other, target in ALIASES.items():
        if other == src:
            return False
        if target == dst and other in frame.columns:
            return True
    return False


def _join_catalogue(out: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    wanted = {
        "name": "indicator_name",
        "unit": "unit",
        "polarity": "polarity",
        "ci_method": "ci_method",
        "source": "source",
        "licence": "licence",
    }
    cat = catalogue[["indicator_id", *[c for c in wanted if c in catalogue.columns]]]
    cat = cat.drop_duplicates("indicator_id").rename(columns=wanted)
    cat = cat[["indicator_id", *[c for c in cat.columns if c not in out.columns]]]
    if "source" in cat.columns and "publisher" in catalogue.columns:
        publisher = catalogue.drop_duplicates("indicator_id").set_index("indicator_id").publisher
        cat["source"] = [
            f"{s} ({publisher.get(i)})" if isinstance(publisher.get(i), str) else s
            for i, s in zip(cat.indicator_id, cat.source, strict=True)
        ]
    merged = out.merge(cat, on="indicator_id", how="left")
    merged.index = out.index
    return merged


def disclosure_threshold(con=None) -> int:
    """The suppression threshold in force, from configuration only (`disclosure.threshold`):
    OUTCOMES_SUPPRESS_BELOW, else [disclosure] suppress_below in the secrets file, else 5."""
    from outcomes.uploads import disclosure

    return disclosure.threshold(con)


def apply_disclosure(frame: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """THE HOOK every data export passes through: small-number suppression of the council's and
    partners' own data (`outcomes.disclosure.protect_frame`) on rows whose indicator id starts
    'user_'. Public rows are untouched. Suppressed rows keep their area, period and indicator;
    every figure in them (values, counts, limits, comparator, baseline and change) is emptied
    and `suppressed` is True. Stored values of uploaded data are perturbed (cell key
    perturbation), so no total needs checking against its parts here."""
    out = frame.copy()
    if "suppressed" not in out.columns:
        out["suppressed"] = False
    out["suppressed"] = out["suppressed"].astype("boolean").fillna(False).astype(bool)
    if out.empty or "indicator_id" not in out.columns:
        return out
    user = out["indicator_id"].astype(str).str.startswith(USER_PREFIX)
    if not user.any():
        return out
    from outcomes.uploads import disclosure

    limit = threshold if threshold is not None else disclosure_threshold()
    _suppress_small_baselines(out, user, limit)
    protected = disclosure.protect_frame(out, limit)
    protected["suppressed"] = protected["suppressed"].astype(bool)
    hidden = protected["suppressed"] & user
    if hidden.any():
        _withhold(protected, hidden)
    return protected


def _suppress_small_baselines(out: pd.DataFrame, user: pd.Series, limit: int) -> None:
    """Baseline counts of a change are published too: rows of uploaded indicators whose
    baseline numerator (or the rest of its denominator) is small are marked suppressed."""
    from outcomes.uploads import disclosure

    for num, den in (
        ("baseline_numerator", "baseline_denominator"),
        ("numerator_baseline", "denominator_baseline"),
    ):
        if num not in out.columns:
            continue
        counts = [out[num].astype(float).to_numpy()]
        if den in out.columns:
            counts.append((out[den].astype(float) - out[num].astype(float)).to_numpy())
        small = np.zeros(len(out), dtype=bool)
        for values in counts:
            small |= disclosure.small(values, limit) & ~np.isnan(values)
        out.loc[user & small, "suppressed"] = True


def _withhold(protected: pd.DataFrame, hidden: pd.Series) -> None:
    """Empty every figure of the `hidden` rows; their comparison and change read
    'suppressed'."""
    for column in WITHHELD:
        if column not in protected.columns:
            continue
        if pd.api.types.is_numeric_dtype(protected[column]):
            protected[column] = protected[column].astype(float)
        else:
            protected[column] = protected[column].astype(object)
        protected.loc[hidden, column] = np.nan
    for column in ("comparison", "change_significance", "change_judgement"):
        if column in protected.columns:
            protected[column] = protected[column].astype(object)
            protected.loc[hidden, column] = "suppressed"


# ---------------------------------------------------------------------------- bytes

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe (names of
    uploaded neighbourhoods are user text)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV, no index, safe to open in a spreadsheet. Lines end in CRLF (RFC 4180), so a
    cell holding a carriage return is quoted and cannot start a row of its own."""
    return _spreadsheet_safe(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def about_rows(
    title: str, context: ExportContext | None, frame: pd.DataFrame, extra: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The 'About' sheet: what the file holds, for whom it was made, and each column."""
    context = context or ExportContext()
    rows: list[tuple[str, str]] = [("Title", title)]
    for label, value in (
        ("Borough", f"{context.lad_name} ({context.lad_code})" if context.lad_code else ""),
        ("Neighbourhood model", context.model_name),
        ("Period", context.period),
        ("Baseline", context.baseline),
        ("Compared with", context.comparator_name),
        ("Confidence level", CI_LABELS.get(context.ci_level, "")),
    ):
        if value:
            rows.append((label, value))
    rows += list(extra.items())
    for column in ("source", "licence"):
        if column in frame.columns:
            values = [str(v) for v in dict.fromkeys(frame[column].dropna()) if str(v)]
            if values:
                rows.append((column.capitalize(), "; ".join(values)))
    rows.append(("Produced", f"{context.produced_text} with the {APP_NAME}"))
    if "suppressed" in frame.columns and frame["suppressed"].astype(bool).any():
        rows.append(
            (
                "Suppression",
                f"{int(frame['suppressed'].astype(bool).sum())} row(s) withheld: small numbers "
                "in the council's or partners' own data (disclosure control).",
            )
        )
    rows.append(("", ""))
    rows.append(("Column", "Meaning"))
    for column in frame.columns:
        rows.append((column, COLUMN_NOTES.get(column, "")))
    return rows


def to_xlsx_bytes(
    frame: pd.DataFrame,
    *,
    title: str = "",
    context: ExportContext | None = None,
    about: Mapping[str, str] | None = None,
    sheet_name: str = "Data",
) -> bytes:
    """An Excel workbook: the data (bold header, frozen top row, filters, sensible widths) and
    an 'About' sheet with the title, selection, sources, date produced and column notes.
    Strings are written as text, never as formulas or links."""
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": False}
    data = frame.copy()
    for column in data.columns:  # Excel has no time zones or pandas string types
        if isinstance(data[column].dtype, pd.DatetimeTZDtype):
            data[column] = data[column].dt.tz_localize(None)
        elif pd.api.types.is_string_dtype(data[column]) and data[column].dtype != object:
            data[column] = data[column].astype(object)
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as xw:
        sheet = sheet_name[:31]
        data.to_excel(xw, sheet_name=sheet, index=False)
        book, ws = xw.book, xw.sheets[sheet]
        header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        for i, column in enumerate(data.columns):
            ws.write(0, i, str(column), header)
            sample = data[column].head(200).map(lambda v: len(str(v)))
            width = max(len(str(column)), int(sample.max()) if len(sample) else 0)
            ws.set_column(i, i, min(max(width + 2, 8), 60))
        ws.freeze_panes(1, 0)
        if len(data.columns):
            ws.autofilter(0, 0, max(len(data), 1), len(data.columns) - 1)
        info = book.add_worksheet("About")
        bold = book.add_format({"bold": True, "valign": "top"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        info.set_column(0, 0, 24)
        info.set_column(1, 1, 100)
        for r, (key, value) in enumerate(about_rows(title, context, data, about or {})):
            info.write_string(r, 0, str(key), bold)
            info.write_string(r, 1, str(value), wrap)
    return buffer.getvalue()
