"""Trends: an indicator over time for the chosen neighbourhoods, against the baseline and a
comparator, with confidence intervals where the indicator has them, the change since the
indicator's own baseline period and its recent trend (Fingertips' markers)."""

import streamlit as st

from outcomes import analysis, change, chart_element, charts, export, labels, tables, ui
from outcomes.shared_views import call as shared
from outcomes.text import escape_markdown as md

selection = ui.current_selection()
if selection is None:
    st.info("Choose a borough with a neighbourhood model in the sidebar.")
    st.stop()

meta_row = ui.indicator_row(selection.indicator_id)
meta = analysis.IndicatorMeta.from_row(meta_row)
borough_only = change.borough_only(meta_row)
where = "" if borough_only else " neighbourhoods"
st.title(f"{md(meta.name)}: {md(selection.lad_name)}{where} over time")
if borough_only:
    st.info(md(change.borough_only_note(meta_row, selection.lad_name)))

values = ui.area_values(selection.lad_code, selection.model_id, (selection.indicator_id,))
shown = ui.trend_rows(values, selection)
if shown.empty:
    st.warning("This indicator has no values for these neighbourhoods.")
    st.stop()

areas = change.change_areas(shown, selection.neighbourhoods, selection.lad_code)
chosen, change_frame = shared(
    change.change_since_year, shown, meta, selection.baseline_year, selection.ci_level, areas
)
baseline = chosen.baseline or selection.baseline
st.markdown(
    f"**{ui.polarity_text(meta.polarity)}.** {md(meta_row.definition)} "
    f"Baseline year **{selection.baseline_year}**: this indicator's baseline is "
    f"**{md(change.baseline_words(chosen))}**"
    + ("" if chosen.has_change else f" ({md(chosen.note)})")
    + "; compared with "
    f"**{md(labels.comparator_name(selection.comparator, selection.lad_name))}**."
)

periods = sorted(shown.period.unique())
fig = shared(
    charts.trend_chart,
    shown,
    title=f"{meta.name}, {selection.lad_name}",
    subtitle=f"{selection.model_name}; {periods[0]}–{periods[-1]}; baseline {baseline}; "
    f"{ui.ci_caption(meta, selection.ci_level)}",
    source=ui.source_line(meta_row),
    y_title=charts.axis_title(meta.name, meta.unit),
    baseline=baseline,
    ci_level=selection.ci_level,
)
chart_element.show(fig)

context = export.ExportContext.from_selection(selection, period=f"{periods[0]}–{periods[-1]}")
context = context.replace(baseline=baseline)
ui.downloads(
    "trend",
    ui.export_frame(shown, context, indicator_id=meta.indicator_id),
    export.stem(
        selection.lad_name,
        selection.model_name,
        selection.indicator_id,
        f"{periods[0]}_to_{periods[-1]}",
    ),
    context,
    figure=fig,
    title=f"{meta.name}, {selection.lad_name}: {periods[0]} to {periods[-1]}",
)

# ----------------------------------------------------------------------------- change
if chosen.has_change:
    st.subheader(f"Change since {md(baseline)}")
    st.dataframe(shared(ui.change_table, change_frame, meta), hide_index=True, width="stretch")
    change_context = context.replace(period=chosen.latest)
    ui.downloads(
        "trend-change",
        ui.export_frame(change_frame, change_context, indicator_id=meta.indicator_id),
        export.stem(
            selection.lad_name,
            selection.model_name,
            selection.indicator_id,
            f"{chosen.latest}_vs_{baseline}",
        ),
        change_context,
        title=f"Change in {meta.name} since {baseline}, {selection.lad_name}",
    )
else:
    st.subheader("Change since the baseline")
    st.markdown(f"No change shown: {md(chosen.note)}.")

# ----------------------------------------------------------------------------- recent trend
st.subheader("Recent trend")
markers = shared(change.trend_markers, shown, meta)
if chosen.periods < 5:
    st.markdown(
        f"A recent trend needs 5 or more periods; {md(meta.name)} has {chosen.periods} here."
    )
else:
    st.markdown(md(change.trend_rule(meta)))
    st.dataframe(shared(change.trend_table, markers), hide_index=True, width="stretch")

with st.expander("Data table (text alternative to the chart)"):
    st.dataframe(shared(tables.wide_by_period, shown), hide_index=True, width="stretch")
st.caption(md(meta_row.caveats))
