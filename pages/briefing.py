"""Briefing: one neighbourhood on one screen for senior leaders: headline numbers with their
change since the baseline and a comparison, and a few plain-English sentences. A presentation
mode (toggle, or `present=1` in the link) hides the sidebar and Streamlit's chrome."""

import streamlit as st

from outcomes import briefing, briefing_pack, briefing_panels, briefing_view, export, labels, ui
from outcomes.text import escape_markdown

PRESENT_KEY = "briefing_present"
# A fixed style sheet (never built from user text): hide the sidebar and app chrome, and
# enlarge the numbers and sentences for a projector or a shared screen.
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stStatusWidget"], footer {display: none !important;}
[data-testid="stMainBlockContainer"] {padding-top: 1.5rem; max-width: 1500px;}
.st-key-briefing_numbers [data-testid="stMarkdownContainer"] p {font-size: 1.3rem;}
.st-key-briefing_numbers [data-testid="stMarkdownContainer"] p span {font-size: inherit !important;}
.st-key-briefing_numbers [data-testid="stMetricValue"] p {font-size: 3.4rem; line-height: 1.15;}
.st-key-briefing_numbers [data-testid="stMetricDelta"] p {font-size: 1.3rem;}
.st-key-briefing_numbers [data-testid="stCaptionContainer"] p {font-size: 1.1rem;}
.st-key-briefing_sentences p, .st-key-briefing_sentences li {font-size: 1.55rem; line-height: 1.5;}
.st-key-briefing_sentences h3 {font-size: 2rem;}
h1 {font-size: 3rem !important;}
</style>
"""


def _leave_presentation() -> None:
    st.session_state[PRESENT_KEY] = False
    st.query_params.pop("present", None)


selection = ui.current_selection()
if selection is None:
    st.info("Choose a borough with a neighbourhood model in the sidebar.")
    st.stop()

if PRESENT_KEY not in st.session_state:  # the link decides on first load
    st.session_state[PRESENT_KEY] = st.query_params.get("present") == "1"
present = bool(st.session_state[PRESENT_KEY])

if present:
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    st.button(
        "Leave presentation mode",
        icon=":material/close_fullscreen:",
        on_click=_leave_presentation,
        type="primary",
        help="Back to the full briefing with the sidebar.",
    )
    st.query_params["present"] = "1"
else:
    st.query_params.pop("present", None)

comparator_label = labels.comparator_name(selection.comparator, selection.lad_name)
catalogue = ui.shared_catalogue()  # read-only
definitions = dict(zip(catalogue.indicator_id, catalogue.definition, strict=True))
ids = briefing_view.headline_ids(selection.lad_code)
baseline = selection.baseline_year
profile_args = (
    selection.lad_code,
    selection.model_id,
    selection.focus,
    selection.focus_name,
    baseline,
    selection.comparator,
    selection.ci_level,
    ids,
    comparator_label,
)
items = briefing_view.profile(*profile_args)

st.title(f"{escape_markdown(selection.focus_name)}: outcomes briefing")
st.caption(
    escape_markdown(
        f"{selection.lad_name} · {selection.model_name} · change since each indicator's "
        f"period nearest {baseline} · compared with {comparator_label}"
    )
)
if not present:
    st.toggle(
        "Presentation mode",
        key=PRESENT_KEY,
        help="Hide the sidebar and menus and show just the numbers and sentences in large type. "
        "Add present=1 to a link to open the briefing this way.",
    )
    if len(selection.neighbourhoods) > 1:
        st.caption(
            "The briefing shows the first neighbourhood chosen in the sidebar; put another "
            "first to brief on it."
        )

if not any(h.has_data for h in items):
    st.warning(
        f"There are no headline figures for {escape_markdown(selection.focus_name)} "
        "yet. Try another neighbourhood or model."
    )
    st.stop()

with st.container(key="briefing_sentences"):
    st.subheader("In brief")
    st.markdown(
        "\n".join(f"- {escape_markdown(line)}" for line in briefing.profile_sentences(items, 6))
    )
    briefing_panels.changed_most(selection)

briefing_panels.cards(items, definitions, catalogue, present)

if present:
    st.caption(escape_markdown(briefing_view.sources_line(items)))
    st.stop()

briefing_panels.over_time(selection, items)

numbers = briefing_view.profile_table(*profile_args)
with st.expander("The numbers behind this briefing (table)"):
    st.dataframe(numbers, hide_index=True, width="stretch")
context = export.ExportContext.from_selection(selection)
ui.downloads(
    "briefing-numbers",
    ui.export_frame(numbers, context, area_code=selection.focus, area_name=selection.focus_name),
    export.stem(
        selection.lad_name,
        selection.model_name,
        selection.focus_name,
        "briefing_since",
        baseline,
    ),
    context,
    title=f"{selection.focus_name}: briefing numbers since {baseline}",
)
briefing_panels.headline_editor(selection, ids)

st.subheader("Briefing pack")
st.caption(
    "A PowerPoint deck and a PDF for a meeting: this profile's headline numbers with their "
    "change since the baseline, these sentences, the indicators over time, the area profile, "
    "every neighbourhood ranked and a map of the sidebar's indicator (another one, saying why, "
    "where its neighbourhoods do not differ), the spread between the borough's neighbourhoods, "
    "and every indicator's definition and source."
)
hood_count = len(selection.neighbourhood_names)
pack_scope = st.radio(
    "Make a pack for",
    ["focus", "all"],
    format_func={
        "focus": escape_markdown(selection.focus_name),
        "all": f"All {hood_count} neighbourhoods of {escape_markdown(selection.model_name)}"
        " (one ZIP)",
    }.get,
    horizontal=True,
    key="pack_scope",
)
draw_charts = export.browser_available()
if not draw_charts:
    st.warning(f"{export.INSTALL_HINT} Until then, packs hold the numbers and words only.")
pack_options = briefing_pack.PackOptions(
    baseline=str(baseline),
    comparator=selection.comparator,
    ci_level=selection.ci_level,
    indicator_id=selection.indicator_id,
    charts=draw_charts,
)
pack_key = (
    selection.lad_code,
    selection.model_id,
    selection.focus if pack_scope == "focus" else "*",
    baseline,
    ids,
    selection.comparator,
    selection.ci_level,
    selection.indicator_id,
    draw_charts,
)
if st.button("Prepare the briefing pack", icon=":material/slideshow:", key="pack_prepare"):
    bar = st.progress(0.0, text="Reading the data…")
    try:
        made = briefing_pack.selection_packs(
            ui.cursor(),
            selection.lad_code,
            selection.model_id,
            [selection.focus] if pack_scope == "focus" else None,
            pack_options,
            lambda done, words: bar.progress(min(max(done, 0.0), 1.0), text=escape_markdown(words)),
        )
    except (briefing_pack.PackError, export.ExportError) as exc:
        st.error(f"The briefing pack could not be made: {escape_markdown(exc)}")
    else:
        if pack_scope == "all":
            name = export.file_name(
                selection.lad_name,
                selection.model_name,
                "briefing_packs_since",
                str(baseline),
                ext="zip",
            )
            made = {name: briefing_pack.zip_bytes(made)}
        st.session_state["briefing_pack"] = {"key": pack_key, "files": made}
stored = st.session_state.get("briefing_pack")
if stored and stored["key"] == pack_key:
    buttons = st.container(horizontal=True, gap="small")
    for name, content in stored["files"].items():
        kind = name.rsplit(".", 1)[-1]
        buttons.download_button(
            {"pptx": "Download the PowerPoint", "pdf": "Download the PDF"}.get(
                kind, "Download every pack (ZIP)"
            ),
            content,
            file_name=name,
            mime=briefing_pack.PACK_MIME[kind],
            key=f"pack-{kind}",
            icon=":material/download:",
            type="primary",
            on_click="ignore",
        )
with st.expander("Notes and caveats"):
    for item in items:
        row = ui.indicator_row(item.meta.indicator_id)
        st.markdown(
            f"**{escape_markdown(row['name'])}.** "
            f"{escape_markdown(row.definition)} {escape_markdown(row.caveats)}"
        )
st.caption(ui.IOD_ATTRIBUTION)
