"""Data & sources: the indicator catalogue, build details and the published tables."""

import streamlit as st

from outcomes import queries, ui

selection = ui.current_selection()
st.title("Data & sources")
st.markdown(
    "Every figure in this dashboard comes from published, real public data. The three "
    "**published tables** below are a stable contract: the pages read them, and so can Power BI "
    "or R (columns are documented in the project README)."
)
catalogue = ui.catalogue()
st.subheader("Indicator catalogue")
shown = catalogue.assign(polarity=catalogue.polarity.map(ui.polarity_text))[
    [
        "name",
        "domain",
        "definition",
        "unit",
        "polarity",
        "aggregation",
        "periods",
        "source",
        "publisher",
        "licence",
        "caveats",
    ]
]
st.dataframe(shown, hide_index=True, width="stretch")

st.subheader("How earlier waves are put on today's map")
st.markdown(
    "IoD2010 is published on 2001 LSOAs, IoD2015 and IoD2019 on 2011 LSOAs, IoD2025 on 2021 "
    "LSOAs. Every wave is shown on **LSOA 2021** geography using the ONS lookups "
    "(LSOA 2001→2011→2021): unchanged LSOAs map one to one; a split LSOA's parts inherit the "
    "parent's value; merged LSOAs take the population-weighted mean of their parents, and "
    "counts are summed (apportioned by Census 2021 population where an LSOA was split). "
    "Borough and England figures are computed on each wave's own LSOAs, so IoD2019 borough "
    "averages reproduce the official local authority summaries. IoD scores are relative "
    "within a wave: compare waves through ranks, deciles and shares."
)

info = queries.build_info(ui.cursor())
if info:
    st.caption(
        f"Database built {info['built_at']} in {info['build_seconds']} s "
        f"(DuckDB {info['duckdb_version']})."
    )

st.subheader("Download the published tables")
lad = selection.lad_code if selection else ui.DEFAULT_LAD
lad_name = selection.lad_name if selection else "Trafford"
for name, note in (
    ("indicator_catalogue", "all indicators"),
    ("neighbourhood_models", f"models of {lad_name}"),
    ("indicator_values", f"values for {lad_name} (LSOAs, neighbourhoods, borough) and England"),
):
    file_name = f"{name}_{lad}.csv" if name != "indicator_catalogue" else f"{name}.csv"
    ui.published_download(name, lad, file_name, note)

st.subheader("Sources and licences")
sources = (
    catalogue[["source", "publisher", "licence"]]
    .drop_duplicates()
    .rename(columns={"source": "Source", "publisher": "Publisher", "licence": "Licence"})
)
st.dataframe(sources, hide_index=True, width="stretch")
st.caption(
    ui.IOD_ATTRIBUTION + " Boundaries: contains OS data © Crown copyright and database right."
)
st.warning(
    "Not available as public data at neighbourhood level, so not shown unless you add it on "
    "the Your data page: missed GP appointments by practice or LSOA (published only for "
    "sub-ICB locations, shown for the whole borough), DfT journey-time statistics, police.uk "
    "crime for Greater Manchester, and a small-area 'sense of belonging' survey measure. "
    "Official IoD2019 raw scores for five domains are not bundled (ranks and deciles are "
    "used instead)."
)
