"""Neighbourhoods: the borough's models, their coverage, and uploading the council's own."""

import pandas as pd
import streamlit as st

from outcomes import (
    analysis,
    chart_element,
    export,
    identity,
    model_comparison,
    neighbourhoods_view,
    nesting,
    signin,
    text,
    ui,
)
from outcomes.shared_views import call as shared
from outcomes.uploads import models
from outcomes.uploads.problems import ModelFileError

selection = ui.current_selection()
if selection is None:
    st.info("Choose a borough in the sidebar.")
    st.stop()

md = text.escape_markdown  # names are user text: Markdown shows them literally
st.title(f"{md(selection.lad_name)}: neighbourhood models")
available = ui.models(selection.lad_code)
user = signin.current_user()
owners = ui.uploaded_models(selection.lad_code)  # uploaded models' owners
st.dataframe(
    available.merge(owners[["model_id", "owner_email", "organisation"]], "left", "model_id")
    .fillna({"owner_email": "published", "organisation": ""})
    .rename(
        columns={
            "model_name": "Model",
            "source": "Source",
            "neighbourhoods": "Neighbourhoods",
            "lsoas": "LSOAs",
            "owner_email": "Owner",
            "organisation": "Organisation",
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={"model_id": st.column_config.TextColumn("Model id")},
)

membership = ui.model_membership(selection.model_id)
coverage = neighbourhoods_view.coverage(selection.lad_code, selection.model_id)
st.subheader(f"{md(selection.model_name)}: map and coverage")
if coverage.unassigned:
    st.warning(
        f"{coverage.unassigned} of {md(selection.lad_name)}'s {coverage.borough_lsoas} LSOAs "
        "are in "
        "no neighbourhood of this model (grey on the map, 'Unassigned' elsewhere)."
    )
else:
    st.markdown(
        f"Every one of {md(selection.lad_name)}'s **{coverage.borough_lsoas} LSOAs** is in "
        "exactly "
        f"one of the model's **{len(coverage.table)} neighbourhoods**."
    )
model_fig = neighbourhoods_view.model_map(
    selection.lad_code, selection.model_id, selection.model_name, selection.lad_name
)
if model_fig is not None:
    chart_element.show(model_fig)
else:
    st.info("No boundaries to draw for this model.")
st.markdown("**Coverage** (also the text alternative to the map)")
coverage_table = shared(model_comparison.coverage_table, coverage)
st.dataframe(coverage_table, hide_index=True, width="stretch")
model_context = export.ExportContext.from_selection(
    selection, baseline="", comparator="", comparator_name="", ci_level=""
)
ui.downloads(
    "model-coverage",
    ui.export_frame(coverage.table, model_context),
    export.stem(selection.lad_name, selection.model_name, "coverage"),
    model_context,
    figure=model_fig,
    title=f"{selection.model_name}, {selection.lad_name}: coverage",
    csv_label="Download the coverage table (CSV)",
)
if coverage.unassigned:
    with st.expander(f"The {coverage.unassigned} unassigned LSOAs"):
        st.dataframe(
            {"LSOA 2021 code": list(coverage.unassigned_codes)}, hide_index=True, width="stretch"
        )
ui.download_csv(
    membership.rename(columns={"lsoa21_code": "lsoa_code", "neighbourhood_name": "neighbourhood"})[
        ["lsoa_code", "neighbourhood"]
    ],
    f"{text.slug(selection.lad_name)}_{text.slug(selection.model_name)}_lsoas.csv",
    "Download this model as an upload-ready CSV",
)


def show_nesting(view: neighbourhoods_view.SideBySide, period: str) -> None:
    """How the finer of two models sits in the coarser, and the extreme a coarse average hides."""
    found = neighbourhoods_view.model_nesting(
        selection.lad_code, tuple(view.labels), selection.indicator_id, period
    )
    if found is None:
        return
    fine_name, coarse_name = md(view.labels[found.fine_id]), md(view.labels[found.coarse_id])
    table = found.overlap
    st.markdown(f"**How {fine_name} sits within {coarse_name}**")
    escaped = table.assign(  # names are user text: Markdown shows them literally
        fine_name=table.fine_name.map(md),
        coarse_name=table.coarse_name.map(md),
        others=table.others.fillna("").map(md),
    )
    st.markdown(nesting.nesting_sentence(escaped, fine_name, coarse_name))
    extremes = found.extremes
    sentence = nesting.extreme_sentence(
        extremes.assign(
            extreme_name=extremes.extreme_name.map(md), coarse_name=extremes.coarse_name.map(md)
        ),
        ui.markdown_meta(cmp_meta),
        fine_model=fine_name,
        coarse_model=coarse_name,
        lad_name=md(selection.lad_name),
        borough_value=view.borough_value,
        fine_count=found.fine_count,
    )
    if sentence:
        st.markdown(sentence)
        st.dataframe(found.extremes_table, hide_index=True, width="stretch")
    with st.expander(f"Where each of the {found.fine_count} neighbourhoods lies (overlap table)"):
        st.dataframe(found.overlap_table, hide_index=True, width="stretch")


st.subheader("Two models side by side")
second_default = model_comparison.default_second_model(available, selection.model_id)
cmp_meta_row = ui.indicator_row(selection.indicator_id)
cmp_meta = analysis.IndicatorMeta.from_row(cmp_meta_row)
if second_default is None:
    st.info("This borough has only one neighbourhood model: upload another to compare.")
elif cmp_meta.aggregation == "lsoa_only":
    st.info(f"{md(cmp_meta.name)} exists for LSOAs only: choose another indicator in the sidebar.")
else:
    model_names = dict(zip(available.model_id, available.model_name, strict=True))
    other_ids = [m for m in available.model_id if m != selection.model_id]
    if st.session_state.get("nb_second_model") not in other_ids:
        st.session_state["nb_second_model"] = second_default
    cmp_periods = ui.indicator_periods(selection.indicator_id)
    if st.session_state.get("nb_compare_period") not in cmp_periods:
        st.session_state["nb_compare_period"] = cmp_periods[-1]
    pick = st.columns([3, 1])
    second = pick[0].selectbox(
        f"Compare {md(selection.model_name)} with",
        other_ids,
        format_func=model_names.get,
        key="nb_second_model",
    )
    period = pick[1].selectbox("Period", cmp_periods, key="nb_compare_period")
    st.markdown(
        f"**{md(cmp_meta.name)}**, {md(period)} (choose the indicator in the sidebar). "
        f"{ui.polarity_text(cmp_meta.polarity)}. For each neighbourhood: its value and the "
        "spread of its LSOAs' values."
    )
    view = neighbourhoods_view.side_by_side(
        selection.lad_code,
        selection.lad_name,
        ((selection.model_id, model_names[selection.model_id]), (second, model_names[second])),
        selection.indicator_id,
        period,
    )
    if view is None:
        st.warning(
            f"{md(cmp_meta.name)} has no LSOA values for {md(selection.lad_name)} in {md(period)}."
        )
    else:
        first_name, second_name = view.labels[selection.model_id], view.labels[second]
        st.markdown(
            model_comparison.headline(
                (md(first_name), view.splits[first_name]),
                (md(second_name), view.splits[second_name]),
                meta=ui.markdown_meta(cmp_meta),
                period=md(period),
                lad_name=md(selection.lad_name),
            )
        )
        st.caption(model_comparison.EXPLANATION)
        chart_element.show(view.figure)
        with st.expander("Data tables (text alternative to the chart)"):
            for name, table in view.tables.items():
                st.markdown(f"**{md(name)}**: {model_comparison.split_text(view.splits[name])}")
                st.dataframe(table, hide_index=True, width="stretch")
        spread_context = model_context.replace(
            model_name=f"{first_name} and {second_name}", period=period
        )
        ui.downloads(
            "model-spread",
            ui.export_frame(view.download, spread_context),
            export.stem(
                selection.lad_name,
                first_name,
                "vs",
                second_name,
                selection.indicator_id,
                period,
                "spread",
            ),
            spread_context,
            figure=view.figure,
            title=f"{cmp_meta.name}: {first_name} and {second_name}, {selection.lad_name}",
            csv_label="Download both models' neighbourhood spreads (CSV)",
        )
        show_nesting(view, period)

st.subheader("Upload your own neighbourhood model")
if signin.allows("upload"):
    st.markdown(
        "A CSV with two columns, `lsoa_code` and `neighbourhood`: one row per LSOA. LSOA 2011 or "
        "2021 codes are accepted (2011 codes are converted with the ONS lookup). LSOAs you leave "
        "out are shown as *Unassigned*. Several models of one borough can sit side by side; "
        "uploading a model with an existing name replaces it."
    )
    with st.form("upload_model", clear_on_submit=False):
        name = st.text_input("Model name", placeholder="e.g. Wigan 14 neighbourhoods", max_chars=80)
        upload = st.file_uploader("CSV file", type=["csv"], accept_multiple_files=False)
        submitted = st.form_submit_button("Check and save the model")
    if submitted:
        if upload is None or not name.strip():
            st.error("Give the model a name and choose a CSV file.")
        else:
            con = ui.cursor()
            try:
                model = models.validate_model(con, upload.getvalue(), selection.lad_code)
                model_id = models.save_model(con, model, name, upload.name, user=user)
            except ModelFileError as exc:
                st.error(f"The file was not saved ({len(exc.problems)} problem(s)):")
                st.dataframe(
                    pd.DataFrame({"Problem": exc.problems}), hide_index=True, width="stretch"
                )
            except PermissionError as exc:
                st.error(f"Nothing was stored: {text.escape_markdown(exc)}.")
            else:
                ui.clear_results()
                # The sidebar's model widget already exists in this run: select the new model
                # through the sidebar on a rerun, and show the outcome after it.
                st.session_state["_pending_model"] = model_id
                st.session_state["_upload_messages"] = [
                    (
                        "success",
                        f"Saved '{name.strip()}' with {len(set(model.assignments.values()))} "
                        f"neighbourhoods and {len(model.assignments)} LSOAs.",
                    ),
                    *(("info", note) for note in model.notes),
                ]
                st.rerun()
for kind, message in st.session_state.pop("_upload_messages", []):
    getattr(st, kind)(md(message))

uploaded = owners[[identity.may_change(user, owner) for owner in owners.owner_email]]
if not uploaded.empty and signin.allows("upload", quiet=True):
    st.subheader("Remove an uploaded model")
    st.caption("Models you own (a data steward sees every uploaded model).")
    doomed = st.selectbox(
        "Uploaded model",
        uploaded.model_id.tolist(),
        format_func=dict(zip(uploaded.model_id, uploaded.model_name, strict=True)).get,
    )
    doomed_name = uploaded.set_index("model_id").loc[doomed, "model_name"]
    # Two steps: tick the box that names the model (its own box), then press delete.
    sure = st.checkbox(
        f"Yes, delete {text.escape_markdown(doomed_name)} and its values",
        key=f"model_delete_sure:{doomed}",
    )
    if st.button("Delete this model", disabled=not sure, key="model_delete") and sure:
        try:
            models.delete_model(ui.cursor(), doomed, user=user)
        except PermissionError as exc:
            st.error(f"Nothing was deleted: {text.escape_markdown(exc)}.")
        else:
            ui.clear_results()
            st.session_state.pop("model", None)
            st.rerun()
