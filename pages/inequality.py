"""Inequality: the indicator across the borough by national IMD decile, and the slope index of
inequality between the most and least deprived ends of the borough."""

import streamlit as st

from outcomes import analysis, chart_element, export, inequality, inequality_view, ui
from outcomes.text import escape_markdown as md

selection = ui.current_selection()
if selection is None:
    st.info("Choose a borough with a neighbourhood model in the sidebar.")
    st.stop()

meta_row = ui.indicator_row(selection.indicator_id)
meta = analysis.IndicatorMeta.from_row(meta_row)
st.title(f"Inequality in {md(selection.lad_name)}")
st.subheader(f"{md(meta.name)} by national deprivation decile")
st.markdown(
    f"**{ui.polarity_text(meta.polarity)}.** {md(meta_row.definition)} The borough's LSOAs are "
    "grouped by their national IMD decile (1 = England's most deprived 10%); each decile's "
    "value is computed from the summed counts of its LSOAs, as the borough's own value is."
)

indicator_periods = ui.period_starts(selection.indicator_id)
waves = ui.period_starts(inequality.DECILE_INDICATOR)
if indicator_periods.empty or waves.empty:
    st.warning(f"{md(meta.name)} has no LSOA values to group by deprivation decile.")
    st.stop()
periods = indicator_periods.period.tolist()
default_period = selection.current if selection.current in periods else periods[-1]
ui.choose_from_url("period", periods, default_period, "period", "inequality_period")
period = st.selectbox("Period", periods, key="inequality_period")
st.query_params["period"] = period
period_start = indicator_periods.set_index("period").period_start[period]

wave, same_wave = inequality.nearest_period(period, period_start, waves)
population = inequality.nearest_period(
    period, period_start, ui.period_starts(inequality.POPULATION_INDICATOR)
)
population_period = population[0] if population else None
view_args = (
    selection.lad_code,
    selection.lad_name,
    selection.model_id,
    selection.indicator_id,
    period,
    wave,
    population_period,
    selection.ci_level,
)
found = inequality_view.deciles(*view_args)
if found.figure is None:
    st.warning(
        f"{md(meta.name)} has no LSOA values for {md(period)} in {md(selection.lad_name)}, so "
        "it cannot be "
        "grouped by deprivation decile."
    )
    st.stop()
deciles = found.deciles
if same_wave:
    st.caption(f"Deciles: English Indices of Deprivation {wave} (the same wave as the period).")
else:
    st.info(
        f"There is no Indices of Deprivation wave for {md(period)}: LSOAs are grouped by their "
        f"decile in the nearest wave, **IoD {wave}**."
    )
missing = sorted(set(range(1, 11)) - set(deciles.imd_decile))
if missing:
    st.caption(
        f"{md(selection.lad_name)} has no LSOAs in national decile(s) "
        f"{', '.join(map(str, missing))} in IoD {wave}."
    )

fig = found.figure
chart_element.show(fig)
table = found.table
with st.expander("Data table (text alternative to the chart)"):
    st.dataframe(table, hide_index=True, width="stretch")
context = export.ExportContext.from_selection(
    selection,
    model_id="",
    model_name="",
    baseline="",
    comparator="",
    comparator_name="",
    period=period,
)
ui.downloads(
    "inequality-deciles",
    ui.export_frame(table, context, area_type="imd_decile"),
    export.stem(selection.lad_name, selection.indicator_id, period, f"by_imd{wave}_decile"),
    context,
    figure=fig,
    title=f"{meta.name} by national IMD decile, {selection.lad_name}, {period}",
)

st.header("Slope index of inequality")
caveat_row = meta_row.copy()
caveat_row["name"] = md(meta_row["name"])  # the caveats are shown as Markdown
compute, caveat = inequality.sii_caveat(caveat_row)
if not compute:
    st.info(caveat)
else:
    result = inequality_view.slope_index(*view_args)
    lad_md = md(selection.lad_name)
    sentence = inequality.sii_sentence(result, ui.markdown_meta(meta), lad_md, selection.ci_level)
    st.markdown(f"#### {sentence}")
    if caveat:
        st.warning(caveat)
    weight = (
        f"population (ONS estimate for {population_period})"
        if deciles.weight_source.iloc[0] == "population"
        else "denominator"
    )
    interval = (
        "simulated from each decile's sampling error"
        if result.method == "simulation"
        else "from the scatter of the deciles about the fitted line (a complete count has no "
        "sampling error)"
    )
    st.caption(
        "The slope index of inequality (SII) fits a line through the decile values, each "
        f"placed by its share of the borough's people and weighted by its {weight}, and reads "
        "off the difference between the two ends (PHE method). "
        f"SII (least minus most deprived) = {result.sii:,.2f}. Interval {interval}."
    )
