"""Deprivation by neighbourhood: every IoD wave against the borough and England."""

import streamlit as st

from outcomes import charts, geo, tables, ui

selection = st.session_state.get("selection")
if selection is None:
    st.info("Choose a borough with a neighbourhood model in the sidebar.")
    st.stop()

catalogue = ui.catalogue()
deprivation = catalogue[(catalogue.domain == "Deprivation")]
area_indicators = deprivation[deprivation.aggregation != "lsoa_only"]
names = dict(zip(catalogue.indicator_id, catalogue.name, strict=True))
ids = area_indicators.indicator_id.tolist()
ui.choose_from_url("indicator", ids, "imd_score", "indicator", "indicator")

st.title(f"{selection.lad_name}: deprivation by neighbourhood")
st.caption(f"Neighbourhood model: {selection.model_name}")

indicator_id = st.selectbox("Indicator", ids, format_func=names.get, key="indicator")
st.query_params["indicator"] = indicator_id
meta = catalogue.set_index("indicator_id").loc[indicator_id]
st.markdown(f"**{ui.polarity_text(meta.polarity)}.** {meta.definition}")

values = ui.area_values(selection.lad_code, selection.model_id, (indicator_id,))
if values.empty:
    st.warning("No values for this indicator in this borough.")
    st.stop()

periods = sorted(values.period.unique())
source = f"Source: {meta.source} ({meta.publisher}). {meta.licence}."
fig = charts.trend_chart(
    values,
    title=f"{meta['name']}, {selection.lad_name} neighbourhoods",
    subtitle=f"{selection.model_name}; IoD waves {periods[0]}–{periods[-1]}; "
    "borough (dashed) and England (dotted) for comparison",
    source=source,
    y_title=charts.axis_title(meta["name"], meta.unit),
)
st.plotly_chart(fig, width="stretch", config={"displaylogo": False})

wide = tables.wide_by_period(values)
with st.expander("Data table (text alternative to the chart)", expanded=False):
    st.dataframe(wide, hide_index=True, width="stretch")
ui.download_csv(
    tables.long_for_download(values, names),
    f"{tables.slug(selection.lad_name)}_{tables.slug(selection.model_name)}_{indicator_id}.csv",
)
st.caption(meta.caveats)

st.subheader("Small areas (LSOAs)")
lsoa_ids = deprivation.indicator_id.tolist()
map_indicator = st.selectbox(
    "Map indicator",
    lsoa_ids,
    index=lsoa_ids.index("imd_decile"),
    format_func=names.get,
    key="map_indicator",
)
lsoa = ui.lsoa_values(selection.lad_code, map_indicator, selection.model_id)
map_periods = sorted(lsoa.period.unique())
if not map_periods:
    st.warning("No LSOA values for this indicator.")
    st.stop()
period = st.select_slider("Wave", options=map_periods, value=map_periods[-1], key="map_period")
shown = lsoa[lsoa.period == period]
map_meta = catalogue.set_index("indicator_id").loc[map_indicator]
lsoa_geojson = geo.lsoa_geojson(selection.lad_code)
centre, zoom = charts.zoom_for(geo.bounds(lsoa_geojson))
map_fig = charts.lsoa_map(
    shown,
    lsoa_geojson,
    ui.neighbourhood_outlines(selection.lad_code, selection.model_id),
    centre,
    zoom,
    title=f"{map_meta['name']}, {selection.lad_name} LSOAs, {period}",
    subtitle=f"Outlines: {selection.model_name}. {ui.polarity_text(map_meta.polarity)}.",
    source=geo.ATTRIBUTION + " " + ui.IOD_ATTRIBUTION,
    colour_title=charts.axis_title(map_meta["name"], map_meta.unit),
    reverse_scale=map_meta.polarity == "higher_is_better",
    discrete_deciles=map_indicator == "imd_decile",
)
st.plotly_chart(map_fig, width="stretch", config={"displaylogo": False})
with st.expander("LSOA table (text alternative to the map)"):
    st.dataframe(
        shown[["lsoa21_code", "lsoa21_name", "neighbourhood_name", "value"]],
        hide_index=True,
        width="stretch",
    )
ui.download_csv(
    shown,
    f"{tables.slug(selection.lad_name)}_lsoa_{map_indicator}_{period}.csv",
    "Download the LSOA data (CSV)",
)
