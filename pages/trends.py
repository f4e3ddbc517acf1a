"""Trends: an indicator over time for the chosen neighbourhoods, against the baseline and a
comparator, with confidence intervals where the indicator has them."""

import streamlit as st

from outcomes import analysis, charts, export, labels, tables, ui
from outcomes.text import escape_markdown as md

selection = ui.current_selection()
if selection is None:
    st.info("Choose a borough with a neighbourhood model in the sidebar.")
    st.stop()

meta_row = ui.indicator_row(selection.indicator_id)
meta = analysis.IndicatorMeta.from_row(meta_row)
st.title(f"{md(meta.name)}: {md(selection.lad_name)} neighbourhoods over time")
st.markdown(
    f"**{ui.polarity_text(meta.polarity)}.** {md(meta_row.definition)} "
    f"Baseline **{md(selection.baseline)}**; compared with "
    f"**{md(labels.comparator_name(selection.comparator, selection.lad_name))}**."
)

values = ui.area_values(selection.lad_code, selection.model_id, (selection.indicator_id,))
shown = ui.trend_rows(values, selection)
if shown.empty:
    st.warning("This indicator has no values for these neighbourhoods.")
    st.stop()

periods = sorted(shown.period.unique())
fig = charts.trend_chart(
    shown,
    title=f"{meta.name}, {selection.lad_name}",
    subtitle=f"{selection.model_name}; {periods[0]}–{periods[-1]}; baseline {selection.baseline}; "
    f"{ui.ci_caption(meta, selection.ci_level)}",
    source=ui.source_line(meta_row),
    y_title=charts.axis_title(meta.name, meta.unit),
    baseline=selection.baseline,
    ci_level=selection.ci_level,
)
st.plotly_chart(fig, width="stretch", config={"displaylogo": False})

context = export.ExportContext.from_selection(selection, period=f"{periods[0]}–{periods[-1]}")
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

change = analysis.change_since_baseline(
    shown, selection.baseline, selection.current, meta, selection.ci_level
)
st.subheader(f"Change since {md(selection.baseline)}")
st.dataframe(ui.change_table(change, meta), hide_index=True, width="stretch")
change_context = context.replace(period=selection.current)
ui.downloads(
    "trend-change",
    ui.export_frame(change, change_context, indicator_id=meta.indicator_id),
    export.stem(
        selection.lad_name,
        selection.model_name,
        selection.indicator_id,
        f"{selection.current}_vs_{selection.baseline}",
    ),
    change_context,
    title=f"Change in {meta.name} since {selection.baseline}, {selection.lad_name}",
)

with st.expander("Data table (text alternative to the chart)"):
    st.dataframe(tables.wide_by_period(shown), hide_index=True, width="stretch")
st.caption(md(meta_row.caveats))
