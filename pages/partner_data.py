"""Your data: the council's and partners' own counts and survey results, uploaded as CSV."""

import streamlit as st

from outcomes import identity, labels, signin, text, ui
from outcomes.text import escape_markdown
from outcomes.uploads import datasets, disclosure, display, formats, geography, refresh
from outcomes.uploads.problems import DataFileError

selection = ui.current_selection()
if selection is None:
    st.info("Choose a borough in the sidebar.")
    st.stop()

con = ui.cursor()
user = signin.current_user()
lad_code, lad_name = selection.lad_code, selection.lad_name
st.title(f"{escape_markdown(lad_name)}: your data")
st.markdown(
    "Add data only your organisation holds, such as missed appointments by neighbourhood or "
    "the results of a residents' survey. Each measure becomes an indicator (domain *Your "
    "data*) with confidence intervals, on every page, beside the public indicators. Files "
    "stay on this machine, in the user database that rebuilding the public data never "
    "touches. **Small numbers are suppressed** before anything is shown or downloaded."
)

with st.expander("The two file formats, templates and examples"):
    st.markdown(
        "**1. Service events**: one row per area, period and measure.\n\n"
        "| column | what |\n|---|---|\n"
        "| `lsoa_code` *or* `practice_code` *or* `postcode` | the area: an LSOA 2011 or 2021 "
        "code, a GP practice code (placed in the LSOA of its postcode), or a postcode "
        f"(bundled lookup: {geography.POSTCODE_COVERAGE} only) |\n"
        "| `period` | a month `YYYY-MM` (e.g. `2025-03`) or a year `YYYY` |\n"
        "| `measure` | e.g. `appointments_booked`, `appointments_missed`, "
        "`appointments_attended` |\n"
        "| `count` | a whole number, 0 or more: **not suppressed** |\n\n"
        "`<x>_missed` and `<x>_attended` with `<x>_booked` make rates (% of booked, e.g. the "
        "missed-appointment rate); any other measure is shown as a count.\n\n"
        "**2. Survey results**: one row per area, period and question.\n\n"
        "| column | what |\n|---|---|\n"
        "| `neighbourhood` *or* `lsoa_code` | a neighbourhood name in one of the borough's "
        "models (choose which below), or an LSOA code |\n"
        "| `period` | `YYYY-MM` or `YYYY` |\n"
        "| `question` | the statement, e.g. *I belong strongly to my neighbourhood* |\n"
        "| `respondents`, `agreeing` | whole numbers; agreeing ≤ respondents |\n\n"
        "Save from Excel as **CSV UTF-8 (Comma delimited)**. Give unsuppressed counts (no `*` "
        "or `<5`): the dashboard does the suppression. Up to "
        f"{formats.MAX_BYTES // (1024 * 1024)} MB and {formats.MAX_ROWS:,} rows a "
        "file."
    )
    columns = st.columns(2)
    for number, path in enumerate(formats.templates()):
        columns[number % 2].download_button(
            path.name,
            path.read_bytes(),
            file_name=path.name,
            mime="text/csv",
            key=f"template-{path.name}",
        )
    st.caption(
        "Files named example_real_… hold **real public figures** for Trafford: NHS England "
        "online consultation submissions by GP practice (service events, Jan–Mar 2025) and "
        "Census 2021 households with no car or van (TS045) by LSOA and by locality (survey "
        "format: respondents = households, agreeing = households with no car). No public data "
        "on booked or missed appointments by LSOA or GP practice exists, so there is no example "
        "of that measure: the service events template is the guide. The other files are empty "
        "templates."
    )

st.subheader("Small numbers")
# The policy comes from configuration only: shown here, never set here. Values made under
# another policy are re-aggregated once, and the change is recorded in the audit log.
in_force = refresh.configured_policy()
if refresh.apply_policy(con):
    ui.clear_results()
for warning in in_force.warnings:
    st.warning(escape_markdown(warning))
limit = in_force.threshold
st.markdown(
    f"**Disclosure policy in force: counts below {limit} are protected** (set by "
    f"{escape_markdown(in_force.source)}). Whoever runs the dashboard sets it in configuration "
    f"(`suppress_below` in the `[disclosure]` table of `.streamlit/secrets.toml`, or the "
    f"environment variable `{disclosure.ENV_VAR}`), never on this page; every change is "
    "recorded in the audit log."
)
st.caption(escape_markdown(disclosure.method_text()))  # the method and its parameters

st.subheader("Upload a file")
models = ui.models(lad_code)
model_ids = models["model_id"].tolist()
model_names = dict(zip(models.model_id, models.model_name, strict=True))
if signin.allows("upload"):
    with st.form("upload_data", clear_on_submit=False):
        name = st.text_input("Dataset name", placeholder="e.g. GP appointments 2025", max_chars=80)
        st.text(f"Owner and source: {user.label} (from your sign-in)")
        model_for_names = st.selectbox(
            "Survey files by neighbourhood: the model whose names the file uses",
            model_ids,
            index=model_ids.index(selection.model_id) if selection.model_id in model_ids else 0,
            format_func=model_names.get,
        )
        polarity = st.radio(
            "Survey results: higher agreement is",
            formats.POLARITIES,
            index=2,
            format_func=lambda p: {
                "higher_is_better": "better",
                "higher_is_worse": "worse",
                "no_judgement": "neither better nor worse",
            }[p],
            horizontal=True,
        )
        replace = st.checkbox("Replace the dataset of the same name if there is one")
        upload = st.file_uploader("CSV file", type=["csv"], accept_multiple_files=False)
        submitted = st.form_submit_button("Check and save")
    if submitted:
        if upload is None or not name.strip():
            st.error("Give the dataset a name and choose a CSV file.")
        else:
            try:
                dataset = datasets.validate_dataset(
                    con, upload.getvalue(), lad_code, model_for_names
                )
                dataset_id = datasets.save_dataset(
                    con,
                    dataset,
                    name,
                    user=user,
                    source_file=upload.name,
                    polarity=polarity,
                    replace=replace,
                )
            except DataFileError as exc:
                st.error(
                    f"The file was not saved ({len(exc.details)} problem(s)); nothing was stored."
                )
                st.dataframe(exc.table(), hide_index=True, width="stretch")
            except PermissionError as exc:
                st.error(f"Nothing was stored: {escape_markdown(exc)}.")
            else:
                ui.clear_results()
                st.session_state["_data_dataset"] = dataset_id
                st.session_state["_data_messages"] = [
                    (
                        "success",
                        f"Saved {escape_markdown(name)}: {len(dataset.rows):,} rows, "
                        f"periods {dataset.periods[0]} to {dataset.periods[-1]}. Its indicators "
                        "are in the sidebar's Indicator list.",
                    ),
                    *(("info", escape_markdown(note)) for note in dataset.notes),
                ]
                st.rerun()
for kind, message in st.session_state.pop("_data_messages", []):
    getattr(st, kind)(message)

st.subheader(f"Data uploaded for {escape_markdown(lad_name)}")
uploaded = datasets.list_datasets(con, lad_code)
if uploaded.empty:
    st.info("Nothing uploaded for this borough yet.")
    st.stop()
st.dataframe(
    uploaded.assign(
        kind=uploaded.kind.map(formats.KIND_NAMES),
        area_column=uploaded.area_column.map(formats.AREA_NAMES),
    )[
        ["dataset_name", "kind", "area_column", "first_period", "last_period", "row_count",
         "indicators", "owner_email", "organisation", "source_file", "uploaded_at"]
    ].rename(
        columns={
            "dataset_name": "Dataset", "kind": "Format", "area_column": "Areas",
            "first_period": "From", "last_period": "To", "row_count": "Rows",
            "indicators": "Indicators", "owner_email": "Owner",
            "organisation": "Organisation", "source_file": "File", "uploaded_at": "Uploaded",
        }
    ),
    hide_index=True,
    width="stretch",
)  # fmt: skip
dataset_ids = uploaded["dataset_id"].tolist()
just_saved = st.session_state.pop("_data_dataset", None)  # show a new upload straight away
if just_saved in dataset_ids:
    st.session_state["data_dataset"] = just_saved
elif st.session_state.get("data_dataset") not in dataset_ids:
    st.session_state["data_dataset"] = dataset_ids[0]
chosen = st.selectbox(
    "Dataset",
    dataset_ids,
    format_func=dict(zip(uploaded.dataset_id, uploaded.dataset_name, strict=True)).get,
    key="data_dataset",
)
meta = uploaded.set_index("dataset_id").loc[chosen]
indicators = datasets.dataset_indicators(con, chosen)
st.markdown("**Its indicators** (choose one in the sidebar to see it on every page)")
st.dataframe(
    indicators.assign(polarity=indicators.polarity.map(ui.polarity_text))[
        ["name", "unit", "polarity", "ci_method", "geography", "caveats"]
    ].rename(
        columns={
            "name": "Indicator", "unit": "Unit", "polarity": "Polarity",
            "ci_method": "Interval", "geography": "Geography", "caveats": "Caveats",
        }
    ),
    hide_index=True,
    width="stretch",
)  # fmt: skip

values = datasets.dataset_values(con, chosen, selection.model_id)
shown = values[values.area_type != "lsoa"]
st.markdown(
    f"**Values for {escape_markdown(lad_name)} and the neighbourhoods of "
    f"{escape_markdown(selection.model_name)}** (after suppression; blank = "
    "suppressed)"
)
if shown.empty:
    st.info("No values for this model (a survey by neighbourhood covers one model only).")
else:
    st.dataframe(
        shown[
            ["indicator", "period", "area_type", "area_name", "value", "numerator",
             "denominator", "lower_ci95", "upper_ci95", "suppressed"]
        ].assign(area_type=shown.area_type.map(labels.AREA_TYPES)),
        hide_index=True,
        width="stretch",
        column_config={
            "value": st.column_config.NumberColumn("Value", format="%.2f"),
            "lower_ci95": st.column_config.NumberColumn("95% CI lower", format="%.2f"),
            "upper_ci95": st.column_config.NumberColumn("95% CI upper", format="%.2f"),
        },
    )  # fmt: skip
ui.download_csv(
    display.for_download(values),
    f"{text.slug(lad_name)}_{text.slug(meta.dataset_name) or 'dataset'}_values.csv",
    "Download every value of this dataset, LSOAs included, after suppression (CSV)",
)

if not signin.allows("upload", quiet=True):  # replacing and deleting: analysts and up
    st.stop()
if not identity.may_change(user, meta.owner_email):
    st.caption(
        f"Only its owner ({escape_markdown(meta.owner_email)}) or a data steward can replace "
        "or delete this dataset."
    )
    st.stop()
with st.expander("Replace this dataset with a new file"), st.form("replace_data"):
    new_file = st.file_uploader("New CSV file", type=["csv"], key="replace_file")
    if st.form_submit_button("Check and replace"):
        if new_file is None:
            st.error("Choose a CSV file.")
        else:
            try:
                dataset = datasets.validate_dataset(
                    con, new_file.getvalue(), lad_code, meta.model_id or model_for_names
                )
                datasets.save_dataset(
                    con,
                    dataset,
                    meta.dataset_name,
                    user=user,
                    source_file=new_file.name,
                    polarity=str(datasets.dataset_polarity(con, chosen) or "no_judgement"),
                    replace=True,
                )
            except DataFileError as exc:
                st.error(
                    f"The file was not saved ({len(exc.details)} problem(s)); the dataset "
                    "is unchanged."
                )
                st.dataframe(exc.table(), hide_index=True, width="stretch")
            except PermissionError as exc:
                st.error(f"The dataset is unchanged: {escape_markdown(exc)}.")
            else:
                ui.clear_results()
                st.session_state["_data_messages"] = [
                    ("success", f"Replaced {escape_markdown(meta.dataset_name)}.")
                ]
                st.rerun()

with st.expander("Delete this dataset"):
    # Two steps, in local mode too: tick the box that names the dataset, then press delete.
    # The box belongs to this dataset, so a tick never carries over to another one.
    sure = st.checkbox(
        f"Yes, delete {escape_markdown(meta.dataset_name)} with its indicators and values",
        key=f"data_delete_sure:{chosen}",
    )
    if st.button("Delete this dataset", disabled=not sure, key="data_delete") and sure:
        try:
            datasets.delete_dataset(con, chosen, user=user)
        except PermissionError as exc:
            st.error(f"Nothing was deleted: {escape_markdown(exc)}.")
        else:
            ui.clear_results()
            st.session_state["_data_messages"] = [
                ("success", f"Deleted {escape_markdown(meta.dataset_name)}.")
            ]
            st.rerun()
