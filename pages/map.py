"""Map: any indicator and period on LSOAs or neighbourhoods, or its change since the baseline,
with neighbourhood outlines. Works offline (no map tiles unless asked for)."""

import streamlit as st

from outcomes import analysis, change, chart_element, charts, export, geo, maps, ui
from outcomes.text import escape_html
from outcomes.text import escape_markdown as md


def seed(key: str, options: list[str], default: str, label: str) -> None:
    """A page widget's state: kept while valid, reset quietly when its options change,
    otherwise from the URL (with a note if the link's value is not available)."""
    if key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = default
    ui.choose_from_url(key, options, default, label, key)


selection = ui.current_selection()
if selection is None:
    st.info("Choose a borough with a neighbourhood model in the sidebar.")
    st.stop()

cat = ui.catalogue()
ids = cat.indicator_id.tolist()
names = dict(zip(cat.indicator_id, cat.name, strict=True))
# The page follows the sidebar's indicator unless the user picks another one here.
if st.session_state.get("_map_sidebar_ind") not in (None, selection.indicator_id):
    st.session_state["map_ind"] = selection.indicator_id
st.session_state["_map_sidebar_ind"] = selection.indicator_id
seed("map_ind", ids, selection.indicator_id, "map indicator")

st.title(f"{md(selection.lad_name)}: map")
top = st.columns([3, 2, 2])
indicator_id = top[0].selectbox(
    "Indicator",
    ids,
    format_func=names.get,
    key="map_ind",
    help="Follows the sidebar's indicator; pick another here, including LSOA-only ranks and "
    "deciles.",
)
meta_row = ui.indicator_row(indicator_id)
meta = analysis.IndicatorMeta.from_row(meta_row)
level_options = maps.levels_for(meta.aggregation)
seed("map_level", level_options, level_options[0], "map level")
level = top[1].radio(
    "Areas",
    level_options,
    format_func=maps.LEVELS.get,
    key="map_level",
    horizontal=True,
    help="Neighbourhoods are those of the sidebar's model. LSOA-only indicators (ranks, "
    "deciles) have no neighbourhood value.",
)
seed("map_view", list(maps.VIEWS), "value", "map view")
view = top[2].radio("Show", list(maps.VIEWS), format_func=maps.VIEWS.get, key="map_view")

# The indicator whose change is mapped (a rank changes through its decile).
shown_id = indicator_id
if view == "change":
    shown_id = maps.change_indicator_id(indicator_id, meta.aggregation, ids)
shown_row = meta_row if shown_id == indicator_id else ui.indicator_row(shown_id)
shown_meta = analysis.IndicatorMeta.from_row(shown_row)

if level == "lsoa":
    areas = maps.lsoa_areas(ui.lsoa_values(selection.lad_code, shown_id, selection.model_id))
    geojson = geo.lsoa_geojson(selection.lad_code)
    outlines = ui.neighbourhood_outlines(selection.lad_code, selection.model_id)
else:
    areas = maps.neighbourhood_areas(
        ui.area_values(selection.lad_code, selection.model_id, (shown_id,))
    )
    geojson = ui.neighbourhood_outlines(selection.lad_code, selection.model_id)
    outlines = None
periods = maps.periods_of(areas)
if not periods or not geojson["features"]:
    st.warning(maps.nothing_to_map(level, md(shown_meta.name), md(selection.lad_name)))
    st.stop()

bottom = st.columns([3, 2, 2])
drawn = view  # what the map draws: a change only between comparable periods
if view == "change":
    starts = ui.period_starts(shown_id)
    chosen = maps.change_periods(areas, shown_meta, selection.baseline_year, starts)
    baseline, latest = chosen.baseline, chosen.latest
    if chosen.has_change:
        bottom[0].markdown(
            f"**Change:** {md(latest)} minus baseline {md(change.baseline_words(chosen))}"
        )
    else:
        st.info(md(maps.no_change_words(chosen, shown_meta.name)))
        drawn, period = "value", latest
if view == "value":
    seed("map_period", periods, periods[-1], "map period")
    if len(periods) > 1:
        period = bottom[0].select_slider("Period", options=periods, key="map_period")
    else:
        period = periods[0]
        bottom[0].markdown(f"**Period:** {md(period)} (the only one)")
    baseline = latest = period
tiles = bottom[2].checkbox(
    "Street basemap (needs internet)",
    value=False,
    key="map_tiles",
    help="Off by default: the map works offline without it.",
)
st.query_params.update({"map_ind": indicator_id, "map_level": level, "map_view": view})
if view == "value":
    st.query_params["map_period"] = period
else:
    st.query_params.pop("map_period", None)

polarity = ui.polarity_text(shown_meta.polarity)
if drawn == "change":
    frame = maps.change_frame(areas, baseline, latest, shown_meta, selection.ci_level)
    legend = maps.change_legend(shown_meta.polarity)
    what = f"Change in {shown_meta.name} since {baseline}"
    when = f"{baseline} to {latest}"
    colour_title = f"Change<br>({escape_html(baseline)}–{escape_html(latest)})"
    if shown_id != indicator_id:
        st.caption(
            f"{md(meta.name)} is not comparable between waves (the number of LSOAs changes): "
            f"the change is shown in {md(shown_meta.name)}."
        )
else:
    frame = maps.value_frame(areas, period)
    legend = maps.value_legend(shown_meta.polarity)
    what, when = shown_meta.name, period
    colour_title = charts.axis_title(shown_meta.name, shown_meta.unit)
if frame.empty:
    st.warning(f"No {maps.LEVEL_NOUNS[level]} have a value for {md(when)}.")
    st.stop()

st.markdown(
    f"**{polarity}.** On this map **{legend}**. "
    + ("Outlines: neighbourhoods of " if level == "lsoa" else "Each neighbourhood is one area of ")
    + f"**{md(selection.model_name)}**."
)
centre, zoom = charts.zoom_for(geo.bounds(geojson), *charts.MAP_AREA_PX)
fig = charts.choropleth(
    frame,
    geojson,
    level=level,
    view=drawn,
    polarity=shown_meta.polarity,
    colour_title=colour_title,
    title=f"{what}, {selection.lad_name} {maps.LEVEL_NOUNS[level]}, {when}",
    subtitle=f"{legend[:1].upper()}{legend[1:]}. {selection.model_name}; "
    f"{ui.ci_caption(shown_meta, selection.ci_level)}.",
    source=f"{ui.source_line(shown_row)} {geo.ATTRIBUTION}",
    centre=centre,
    zoom=zoom,
    outlines=outlines,
    map_style=charts.TILE_STYLE if tiles else charts.GEO_STYLE,
    decile=shown_meta.unit == "decile",
)
chart_element.show(fig)

table = maps.table_for(frame, view=drawn, level=level, meta=shown_meta)
with st.expander("Data table (text alternative to the map)"):
    st.dataframe(table, hide_index=True, width="stretch")
suffix = f"{latest}_vs_{baseline}" if drawn == "change" else period
context = export.ExportContext.from_selection(
    selection,
    baseline=baseline if drawn == "change" else "",
    period=latest if drawn == "change" else period,
    comparator="",
    comparator_name="",
)
ui.downloads(
    "map",
    ui.export_frame(frame, context, area_type=level, indicator_id=shown_id),
    export.stem(selection.lad_name, selection.model_name, level, shown_id, suffix),
    context,
    figure=fig,
    title=f"{what}, {selection.lad_name} {maps.LEVEL_NOUNS[level]}, {when}",
    csv_label="Download the mapped values (CSV)",
)
missing = areas.area_code.nunique() - len(frame)
if missing > 0:
    st.caption(f"{missing} {maps.LEVEL_NOUNS[level]} have no value for {md(when)} and are blank.")
st.caption(md(shown_row.caveats))
