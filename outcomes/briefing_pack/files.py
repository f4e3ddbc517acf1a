"""Packs as files: one neighbourhood's PPTX and PDF, every chosen neighbourhood of a model, and
a ZIP of them (the app's 'all neighbourhoods' download)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from outcomes.briefing_pack.data import Pack, build_pack
from outcomes.briefing_pack.model import ModelData, PackOptions, Progress, load_model
from outcomes.briefing_pack.pdf import pdf_bytes
from outcomes.briefing_pack.pptx import pptx_bytes

PACK_MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


def pack_files(pack: Pack, formats: Iterable[str] = ("pptx", "pdf")) -> dict[str, bytes]:
    """{file name: bytes} of one pack in the given formats."""
    writers = {"pptx": pptx_bytes, "pdf": pdf_bytes}
    return {f"{pack.file_stem()}.{fmt}": writers[fmt](pack) for fmt in formats}


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """Several packs' files in one ZIP (for the app's 'all neighbourhoods' download)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def model_pack_files(
    data: ModelData,
    options: PackOptions,
    codes: Iterable[str] | None = None,
    formats: Iterable[str] = ("pptx", "pdf"),
    progress: Progress | None = None,
) -> dict[str, bytes]:
    """{file name: bytes} for each neighbourhood in `codes` (all of the model by default)."""
    codes = list(codes) if codes is not None else data.neighbourhoods.neighbourhood_code.tolist()
    files: dict[str, bytes] = {}
    formats = tuple(formats)
    for i, code in enumerate(codes):

        def step(fraction: float, message: str, i: int = i) -> None:
            if progress:
                progress((i + fraction) / len(codes), message)

        step(0.0, f"{data.name_of(code)} ({i + 1} of {len(codes)})")
        pack = build_pack(data, code, options, step)
        step(0.9, f"{pack.name}: writing {' and '.join(f.upper() for f in formats)}")
        files.update(pack_files(pack, formats))
    if progress:
        progress(1.0, f"{len(codes)} neighbourhood pack(s) ready")
    return files


def selection_packs(
    con,
    lad_code: str,
    model_id: str,
    codes: Iterable[str] | None,
    options: PackOptions,
    progress: Progress | None = None,
) -> dict[str, bytes]:
    """The app's one click: read the model, then each chosen neighbourhood's PPTX and PDF
    ({file name: bytes}); `codes` None means every neighbourhood of the model."""
    if progress:
        progress(0.0, "Reading the data")
    data = load_model(con, lad_code, model_id, options.indicator_id)
    return model_pack_files(data, options, codes, progress=progress)
