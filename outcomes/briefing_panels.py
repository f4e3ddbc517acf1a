"""The Briefing page's panels: headline cards grouped by domain, what changed most, the
profile over time with its table, and the editor of the borough's headline set. Widgets only:
the numbers and words come from `briefing` and `headlines`, cached by `briefing_view`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from outcomes import briefing, briefing_view, change, chart_element, export, headlines, signin, ui
from outcomes.identity import can
from outcomes.text import escape_markdown
from outcomes.uploads import storage

PER_ROW = 4


def _card(item: briefing.Headline, definition: str | None, present: bool) -> None:
    """One indicator: what and when, the number, its change, the comparison, and notes."""
    label = briefing.metric_label(item)
    st.caption(escape_markdown(item.domain.upper()))
    st.markdown(
        f"**{escape_markdown(label)}**",
        help=None if present or not definition else escape_markdown(definition),
    )
    st.metric(
        escape_markdown(label),
        briefing.card_value(item),
        label_visibility="collapsed",
        **briefing.metric_delta(item),
    )
    st.markdown(briefing.chip(item).markdown())
    notes = [briefing.card_unit(item), briefing.metric_note(item)]
    if not present:
        notes.append(briefing.polarity_line(item.meta))
    notes.append(briefing.change_line(item))  # kept in presentation mode: it says why no delta
    caveat = briefing.card_caveat(item)
    if caveat:
        notes.append(caveat)
    st.caption(escape_markdown(" · ".join(n for n in notes if n)))


def cards(
    items: list[briefing.Headline],
    definitions: dict[str, str],
    catalogue: pd.DataFrame,
    present: bool,
) -> None:
    """The headline cards in one grid, `PER_ROW` to a row, domain by domain; each card names
    its domain, so a row may hold two domains without a gap."""
    by_id = {i.meta.indicator_id: i for i in items}
    ordered = [i for _, ids in headlines.by_domain(list(by_id), catalogue) for i in ids]
    with st.container(key="briefing_numbers"):
        for start in range(0, len(ordered), PER_ROW):
            columns = st.columns(PER_ROW)
            for column, indicator_id in zip(
                columns, ordered[start : start + PER_ROW], strict=False
            ):
                with column.container(border=True, height="stretch"):
                    _card(by_id[indicator_id], definitions.get(indicator_id), present)


def changed_most(selection: ui.Selection) -> None:
    """Of every indicator with neighbourhood values, those that improved and worsened most
    since the baseline year, in words (`change.area_changes`)."""
    ranked = briefing_view.changed_most(
        selection.lad_code,
        selection.model_id,
        selection.focus,
        selection.baseline_year,
        selection.ci_level,
    )
    if not ranked["improved"] and not ranked["worsened"]:
        return
    st.markdown(
        f"**What changed most in {escape_markdown(selection.focus_name)} since "
        f"{selection.baseline_year}**",
        help=escape_markdown(change.RANKING_NOTE),
    )
    left, right = st.columns(2)
    for column, key, title in (
        (left, "improved", "Improved most"),
        (right, "worsened", "Worsened most"),
    ):
        lines = ranked[key]
        column.markdown(f"*{title}*")
        column.markdown(
            "\n".join(f"- {escape_markdown(line)}" for line in lines)
            if lines
            else escape_markdown(f"No indicator {key} since the baseline.")
        )


def over_time(selection: ui.Selection, items: list[briefing.Headline]) -> None:
    """Small multiples of the indicators with a series, and their table alternative."""
    st.subheader("Over time")
    ids = tuple(i.meta.indicator_id for i in items)
    baselines = tuple((i.meta.indicator_id, i.baseline) for i in items)
    fig, table = briefing_view.profile_figure(
        selection.lad_code,
        selection.model_id,
        selection.focus,
        ids,
        baselines,
        f"{selection.focus_name}: headline indicators over time",
        f"{selection.lad_name}, {selection.model_name}; {selection.focus_name} (solid), "
        f"the borough (dashed) and England (dotted); dotted line: each indicator's baseline "
        f"nearest {selection.baseline_year}; each panel has its own scale",
    )
    single = [briefing.short_label(i.meta) for i in items if i.single_period]
    drawn = briefing_view.drawn_ids(selection.lad_code, selection.model_id, selection.focus, ids)
    flat = [
        briefing.short_label(i.meta)
        for i in items
        if i.has_data and not i.single_period and i.meta.indicator_id not in drawn
    ]
    if fig is None:
        st.info("None of the headline indicators has more than one period for this area.")
    else:
        chart_element.show(fig)
    if single:
        st.caption(
            escape_markdown(
                "Published for one period only, so not drawn over time: " + "; ".join(single)
            )
        )
    if flat:
        st.caption(
            escape_markdown(
                "Not drawn: zero in every period here and in the borough, or one figure only "
                "for this neighbourhood: " + "; ".join(flat)
            )
        )
    with st.expander("The figures over time (table)"):
        st.dataframe(table, hide_index=True, width="stretch")
    context = export.ExportContext.from_selection(selection)
    ui.downloads(
        "briefing-over-time",
        ui.export_frame(table, context, area_code=selection.focus, area_name=selection.focus_name),
        export.stem(selection.lad_name, selection.model_name, selection.focus_name, "over_time"),
        context,
        figure=fig,
        title=f"{selection.focus_name}: headline indicators over time",
    )


def _save(selection: ui.Selection, chosen: list[str] | None) -> None:
    user = signin.current_user()
    store = storage.store_for(ui.cursor())
    try:
        changed = headlines.save(
            store, user, selection.lad_code, selection.lad_name, chosen, ui.catalogue()
        )
    except (PermissionError, headlines.HeadlineSetError) as exc:
        st.session_state["headline_note"] = ("error", str(exc))
        return
    briefing_view.forget_settings()
    st.session_state["headline_note"] = (
        "success",
        "Saved for everyone using this dashboard." if changed else "Nothing changed.",
    )


def headline_editor(selection: ui.Selection, ids: tuple[str, ...]) -> None:
    """The borough's headline set (its outcomes framework): analysts and above may change it;
    everyone sees which it is."""
    custom = briefing_view.stored_ids(selection.lad_code) is not None
    with st.expander("Headline indicators for " + escape_markdown(selection.lad_name)):
        st.caption(
            "This borough's own set, saved for everyone using the dashboard."
            if custom
            else "The shipped set: headline indicators from every domain and the borough's "
            "uploaded data. A council can save its own outcomes framework here."
        )
        options, names, domains = briefing_view.headline_choices()
        user = signin.current_user()
        allowed = can(user, "upload")
        chosen = st.multiselect(
            "Indicators, in the order shown",
            options,
            default=[i for i in ids if i in options],
            format_func=lambda i: escape_markdown(f"{domains.get(i, '')}: {names.get(i, i)}"),
            key=f"headline_set_{selection.lad_code}",
            disabled=not allowed,
            max_selections=headlines.MAX_HEADLINES,
        )
        if not allowed:
            st.info(
                f"Only analysts and above may change the headline indicators (you are {user.role})."
            )
            return
        row = st.container(horizontal=True, gap="small")
        row.button(
            "Save for this borough",
            key="headline_save",
            type="primary",
            on_click=_save,
            args=(selection, chosen),
        )
        row.button(
            "Back to the shipped set",
            key="headline_reset",
            disabled=not custom,
            on_click=_save,
            args=(selection, None),
        )
        note = st.session_state.pop("headline_note", None)
        if note:
            getattr(st, note[0])(escape_markdown(note[1]))
