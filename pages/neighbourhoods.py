"""Neighbourhoods: the borough's models, their coverage, and uploading the council's own."""

import pandas as pd
import streamlit as st

from outcomes import custom_models, tables, ui

selection = st.session_state.get("selection")
if selection is None:
    st.info("Choose a borough in the sidebar.")
    st.stop()

st.title(f"{selection.lad_name}: neighbourhood models")
available = ui.models(selection.lad_code)
st.dataframe(
    available.rename(
        columns={
            "model_name": "Model",
            "source": "Source",
            "neighbourhoods": "Neighbourhoods",
            "lsoas": "LSOAs",
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={"model_id": st.column_config.TextColumn("Model id")},
)

membership = ui.model_membership(selection.model_id)
st.subheader(f"{selection.model_name}: neighbourhoods and their LSOAs")
summary = (
    membership.groupby("neighbourhood_name", as_index=False)
    .agg(lsoas=("lsoa21_code", "count"))
    .rename(columns={"neighbourhood_name": "Neighbourhood", "lsoas": "LSOAs"})
)
st.dataframe(summary, hide_index=True, width="stretch")
ui.download_csv(
    membership.rename(columns={"lsoa21_code": "lsoa_code", "neighbourhood_name": "neighbourhood"})[
        ["lsoa_code", "neighbourhood"]
    ],
    f"{tables.slug(selection.lad_name)}_{tables.slug(selection.model_name)}_lsoas.csv",
    "Download this model as an upload-ready CSV",
)

st.subheader("Upload your own neighbourhood model")
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
            model = custom_models.validate_model(con, upload.getvalue(), selection.lad_code)
            model_id = custom_models.save_model(con, model, name, upload.name)
        except custom_models.ModelFileError as exc:
            st.error(f"The file was not saved ({len(exc.problems)} problem(s)):")
            st.dataframe(pd.DataFrame({"Problem": exc.problems}), hide_index=True, width="stretch")
        else:
            st.cache_data.clear()
            st.success(
                f"Saved '{name.strip()}' with {len(set(model.assignments.values()))} "
                f"neighbourhoods and {len(model.assignments)} LSOAs."
            )
            for note in model.notes:
                st.info(note)
            st.session_state["model"] = model_id

uploaded = available[available.source == "uploaded"]
if not uploaded.empty:
    st.subheader("Remove an uploaded model")
    doomed = st.selectbox(
        "Uploaded model",
        uploaded.model_id.tolist(),
        format_func=dict(zip(uploaded.model_id, uploaded.model_name, strict=True)).get,
    )
    if st.button("Delete this model"):
        custom_models.delete_model(ui.cursor(), doomed)
        st.cache_data.clear()
        st.session_state.pop("model", None)
        st.rerun()
