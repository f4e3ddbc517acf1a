"""Briefing packs: one neighbourhood (or every neighbourhood of a model) as a PowerPoint deck and
a PDF to take into a meeting. No Streamlit here.

A pack holds a title, the headline numbers with their change since the baseline and how they
compare, the plain-English sentences of `outcomes.briefing`, four charts (the indicator over
time, the neighbourhoods ranked, the area profile and an LSOA map with the neighbourhood
outlined), and the definitions, sources and licences of every indicator in it. The numbers and
words come from the same functions as the Briefing page, so pack and page always agree.

Data for a whole model is read once (`load_model`, in `model`), then each neighbourhood's pack is
assembled from it (`build_pack`, in `data`; its charts from `figures`) and written with
`pptx_bytes` (`pptx`) and `pdf_bytes` (`pdf`); `files` names the files and zips many packs.
Charts are drawn by `outcomes.export` (kaleido in a local Chromium); without a browser a pack can
still be made with `charts=False`, and says on its chart pages why the charts are missing.
"""

from outcomes.briefing_pack.data import (
    Pack,
    PackChart,
    build_pack,
    definition_rows,
    headline_rows,
    method_note,
)
from outcomes.briefing_pack.figures import chart_figures
from outcomes.briefing_pack.files import (
    PACK_MIME,
    model_pack_files,
    pack_files,
    selection_packs,
    zip_bytes,
)
from outcomes.briefing_pack.model import (
    DEFAULT_INDICATOR,
    PACK_SCALE,
    ModelData,
    PackError,
    PackOptions,
    Progress,
    load_model,
    profile_ids,
)
from outcomes.briefing_pack.pdf import pdf_bytes
from outcomes.briefing_pack.pptx import definition_chunks, pptx_bytes

__all__ = [
    "DEFAULT_INDICATOR",
    "PACK_MIME",
    "PACK_SCALE",
    "ModelData",
    "Pack",
    "PackChart",
    "PackError",
    "PackOptions",
    "Progress",
    "build_pack",
    "chart_figures",
    "definition_chunks",
    "definition_rows",
    "headline_rows",
    "load_model",
    "method_note",
    "model_pack_files",
    "pack_files",
    "pdf_bytes",
    "pptx_bytes",
    "profile_ids",
    "selection_packs",
    "zip_bytes",
]
