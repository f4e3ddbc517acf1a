"""Compare neighbourhoods: every neighbourhood ranked against the comparator, a funnel plot
where chance variation matters, and the focus neighbourhood's area profile (spine chart)."""

import streamlit as st

from outcomes import (
    analysis,
    change,
    chart_element,
    compare_view,
    comparison,
    export,
    labels,
    similar_view,
    text,
    ui,
)

selection = ui.current_selection()
if selection is None:
    st.info("Choose a borough with a neighbourhood model in the sidebar.")
    st.stop()

meta_row = ui.indicator_row(selection.indicator_id)
meta = analysis.IndicatorMeta.from_row(meta_row)
comparator_name = labels.comparator_name(selection.comparator, selection.lad_name)
# Names as Markdown shows them literally (partners' indicators and models are user text).
md = text.escape_markdown
meta_md, lad_md, model_md = ui.markdown_meta(meta), md(selection.lad_name), md(selection.model_name)
focus_md, comparator_md = md(selection.focus_name), md(comparator_name)
st.title(f"Compare {lad_md}'s neighbourhoods")

values = ui.area_values(selection.lad_code, selection.model_id, (selection.indicator_id,))
hood_rows = values[(values.area_type == "neighbourhood") & values.value.notna()]
if hood_rows.empty:
    if change.borough_only(meta_row):  # nothing to compare between neighbourhoods
        st.info(
            md(change.borough_only_note(meta_row, selection.lad_name))
            + f" Trends shows {lad_md}'s figures over time; choose an indicator published "
            "for neighbourhoods in the sidebar to compare them."
        )
    else:
        st.warning(f"{meta_md.name} has no values for the neighbourhoods of {model_md}.")
    st.stop()
periods = (
    hood_rows[["period", "period_start"]]
    .drop_duplicates("period")
    .sort_values("period_start")
    .period.tolist()
)
default_period = selection.current if selection.current in periods else periods[-1]
ui.choose_from_url("period", periods, default_period, "period", "compare_period")
period = st.selectbox(
    "Period", periods, key="compare_period", help="The period the ranking and funnel plot show."
)
st.query_params["period"] = period
slug = f"{text.slug(selection.lad_name)}_{text.slug(selection.model_name)}"
context = export.ExportContext.from_selection(selection, baseline="", period=period)

# ----------------------------------------------------------------------------- ranked values
st.header(f"{meta_md.name}, {md(period)}")
st.markdown(
    f"**{ui.polarity_text(meta.polarity)}.** {md(meta_row.definition)} "
    + comparison.method_text(meta_md, comparator_md, selection.ci_level)
)
shown = compare_view.ranking(
    selection.lad_code,
    selection.lad_name,
    selection.model_id,
    selection.model_name,
    selection.indicator_id,
    period,
    selection.comparator,
    comparator_name,
    selection.ci_level,
    selection.neighbourhoods,
)
ranked = shown.ranked
if shown.figure is None:
    st.warning(f"No neighbourhood has a value for {meta_md.name} in {md(period)}.")
else:
    fig = shown.figure
    chart_element.show(fig)
    st.caption(
        "Neighbourhoods chosen in the sidebar are in bold with ▸. Each bar's label gives the "
        "value and its comparison in words."
    )
    with st.expander("Data table (text alternative to the chart)"):
        st.dataframe(shown.table, hide_index=True, width="stretch")
    ui.downloads(
        "compare-ranked",
        ui.export_frame(ranked, context, indicator_id=meta.indicator_id),
        export.stem(slug, selection.indicator_id, period, "ranked_vs", comparator_name),
        context,
        figure=fig,
        title=f"{meta.name}: {selection.lad_name} neighbourhoods ranked, {period}",
    )

# ----------------------------------------------------------------------------- funnel plot
st.header("Funnel plot")
reason = comparison.funnel_reason(meta_md, ranked)
centre = compare_view.reference(
    selection.lad_code,
    selection.model_id,
    selection.indicator_id,
    "lad" if selection.comparator == "rest" else selection.comparator,
    period,
)
if reason is None and centre is None:
    reason = f"No funnel plot: the comparator has no value for {meta_md.name} in {md(period)}."
plot = compare_view.funnel(
    selection.lad_code,
    selection.lad_name,
    selection.model_id,
    selection.model_name,
    selection.indicator_id,
    period,
    selection.comparator,
    selection.ci_level,
)
if reason is not None or plot is None:
    st.info(reason or f"No funnel plot for {meta_md.name} in {md(period)}.")
else:
    centre_name, centre_value = centre
    method = "Wilson score" if meta.ci_method == "wilson" else "Byar's (exact Poisson below 10)"
    st.markdown(
        f"Each neighbourhood's value against the size of its denominator. The lines show how "
        f"far from {md(centre_name)} ({centre_value:,.2f}) a neighbourhood of that size could be "
        f"by chance alone ({method} limits at 95% and 99.8%): points outside them differ from "
        f"{md(centre_name)} by more than chance would explain."
        + (
            " The rest of the borough differs for every neighbourhood, so the funnel is "
            f"centred on {md(centre_name)} as a whole."
            if selection.comparator == "rest"
            else ""
        )
    )
    fig = plot.figure
    chart_element.show(fig)
    with st.expander("Funnel plot data (text alternative to the chart)"):
        st.dataframe(plot.table, hide_index=True, width="stretch")
    ui.downloads(
        "compare-funnel",
        ui.export_frame(
            plot.points,
            context.replace(comparator="lad", comparator_name=centre_name),
            indicator_id=meta.indicator_id,
        ),
        export.stem(slug, selection.indicator_id, period, "funnel_vs", centre_name),
        context.replace(comparator_name=centre_name),
        figure=fig,
        title=f"{meta.name}: funnel plot against {centre_name}, {period}",
    )

# ----------------------------------------------------------------------------- spine chart
st.header(f"Area profile: {focus_md}")
profile = compare_view.area_profile(
    selection.lad_code,
    selection.lad_name,
    selection.model_id,
    selection.model_name,
    selection.focus,
    selection.focus_name,
    selection.comparator,
    comparator_name,
    selection.ci_level,
)
spine = profile.spine
if profile.figure is None:
    st.warning(f"{focus_md} has no indicator values to profile.")
else:
    st.markdown(
        f"Every indicator for **{focus_md}** in its latest period. England is the "
        "black centre line; the grey bars show the range of the borough's neighbourhoods "
        "(light: lowest to highest; dark: the middle half). Each row is scaled on its own and "
        "turned so that **better is to the right**; rows marked * have no better or worse, "
        f"and show higher to the right. The circle's colour compares {focus_md} "
        f"with {comparator_md}. The first neighbourhood chosen in the sidebar is profiled."
    )
    fig = profile.figure
    chart_element.show(fig)
    with st.expander("Area profile table (text alternative to the chart)"):
        st.dataframe(profile.table, hide_index=True, width="stretch")
    profile_context = context.replace(period="latest of each indicator")
    ui.downloads(
        "compare-profile",
        ui.export_frame(
            spine.drop(columns=[c for c in spine.columns if c.startswith("pos_")]),
            profile_context,
            area_code=selection.focus,
            area_name=selection.focus_name,
        ),
        export.stem(slug, selection.focus_name, "area_profile_vs", comparator_name),
        profile_context,
        figure=fig,
        title=f"Area profile: {selection.focus_name} ({selection.model_name})",
    )

# ----------------------------------------------------------------------------- what changed most
st.header(f"What changed most since {selection.baseline_year}")
most_base, most, most_table = compare_view.most_changed(
    selection.lad_code,
    selection.model_id,
    selection.indicator_id,
    selection.baseline_year,
    selection.ci_level,
)
st.subheader(f"{meta_md.name}: neighbourhoods ranked by change")
st.markdown(md(change.most_changed_sentence(most_base, most, meta)))
if most_base.has_change:
    st.caption(
        f"From {md(change.baseline_words(most_base))} to {md(most_base.latest)}; "
        "the most improved first (the largest increase first where higher is neither better "
        f"nor worse). {md(ui.polarity_text(meta.polarity))}."
    )
    st.dataframe(most_table, hide_index=True, width="stretch")
st.subheader(f"{focus_md}: indicators ranked by improvement and worsening")
changes, changes_table = compare_view.area_changes(
    selection.lad_code,
    selection.model_id,
    selection.focus,
    selection.baseline_year,
    selection.ci_level,
)
if changes.empty:
    st.info(f"{focus_md} has no indicator values to rank.")
else:
    st.caption(md(change.RANKING_NOTE))
    st.dataframe(changes_table, hide_index=True, width="stretch")

# ----------------------------------------------------------------------------- similar places
focus_rows = hood_rows[(hood_rows.area_code == selection.focus) & (hood_rows.period == period)]
similar_view.show(
    selection, meta, period, float(focus_rows.value.iloc[0]) if len(focus_rows) else None
)
