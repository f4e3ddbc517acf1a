"""Fetch the full official files behind ``data/raw`` (for users with internet access).

The project bundles compressed copies of public data in ``data/raw``. This module downloads the
official publications again (gov.uk for the English Indices of Deprivation, the ONS Open
Geography Portal for lookups), converts them to the bundled schemas with
``transforms.official_formats`` and replaces the bundled file only after the conversion validated:

* the download is streamed to a temporary file (with a timeout; a short read is an error);
* expected columns present (a changed layout names the dataset, the URL and the missing column);
* row count in the expected range, area codes matching their pattern (``^E01\\d{6}$`` for the
  IoD), no duplicated keys;
* the new file is written beside the target and renamed into place atomically, so a failure at any
  step leaves the existing file untouched and no partial file behind.

Usage::

    python -m transforms.fetch --list
    python -m transforms.fetch iod2019 [--dest data/raw]
    python -m transforms.fetch all --dest /tmp/raw
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import pandas as pd

from transforms import official_formats as of

DEFAULT_DEST = Path(__file__).resolve().parents[1] / "data" / "raw"
USER_AGENT = "outcomes-dashboard/0.1 (+https://www.gov.uk/government/statistics; data refresh)"
OGL = "Open Government Licence v3.0"
GOV_UK_ASSETS = "https://assets.publishing.service.gov.uk"
ONS_ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"

CHUNK = 1 << 20
MAX_BYTES = 512 << 20  # refuse anything larger than 512 MiB (the biggest file here is ~20 MB)
ARCGIS_PAGE_SIZE = 2000
ARCGIS_MAX_PAGES = 500


class FetchError(RuntimeError):
    """A dataset could not be downloaded, converted or validated (nothing was written)."""


@dataclass(frozen=True)
class Dataset:
    """One official dataset and the bundled file it becomes."""

    name: str
    title: str
    publisher: str
    licence: str
    url: str  # official file URL, or the ArcGIS FeatureServer layer query URL
    target: str  # path of the bundled file, relative to the data/raw folder
    convert: Callable[..., pd.DataFrame]
    expected_rows: tuple[int, int]  # inclusive
    code_column: str
    code_pattern: str
    kind: Literal["file", "arcgis"] = "file"
    fallback_urls: tuple[str, ...] = ()  # tried in turn when the main URL fails
    landing_page: str = ""
    order_by: str = ""  # ArcGIS: fields giving a stable order for paging
    carry_over: tuple[str, ...] = ()  # columns kept from an existing target file (same areas)
    column_order: tuple[str, ...] = ()  # output order once carried-over columns are merged in
    notes: str = ""

    @property
    def urls(self) -> tuple[str, ...]:
        return (self.url, *self.fallback_urls)


def _iod_file(media_id: str, filename: str) -> str:
    return f"{GOV_UK_ASSETS}/media/{media_id}/{filename}"


def _legacy_iod_file(file_id: int, filename: str) -> str:
    return (
        f"{GOV_UK_ASSETS}/government/uploads/system/uploads/attachment_data/file/"
        f"{file_id}/{filename}"
    )


def _arcgis_query(service: str) -> str:
    return f"{ONS_ARCGIS}/{service}/FeatureServer/0/query"


_F7_2019 = "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
_F7_2015 = (
    "File_7_ID_2015_All_ranks__deciles_and_scores_for_the_Indices_of_Deprivation__and_"
    "population_denominators.csv"
)
_F7_2025 = "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv"

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            name="iod2019",
            title="English Indices of Deprivation 2019, File 7: all ranks, deciles and scores "
            "for the indices of deprivation, and population denominators (LSOA 2011)",
            publisher="Ministry of Housing, Communities and Local Government (MHCLG)",
            licence=OGL,
            url=_iod_file("5dc407b440f0b6379a7acc8d", _F7_2019),
            fallback_urls=(_legacy_iod_file(845345, _F7_2019),),
            landing_page="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
            target="deprivation/iod2019_lsoa11_england.csv.gz",
            convert=of.convert_iod2019_file7,
            expected_rows=(32_844, 32_844),
            code_column="lsoa11cd",
            code_pattern=of.LSOA_ENGLAND,
            carry_over=of.IOD2019_CARRIED_OVER,
            column_order=of.IOD2019_FILE7.order,
            notes="Adds the official raw scores (imd_score, {domain}_score, idaci/idaopi rates); "
            "File 9 transformed scores and *_derived columns are kept from the existing file.",
        ),
        Dataset(
            name="iod2025",
            title="English Indices of Deprivation 2025, File 7: all ranks, scores, deciles and "
            "population denominators (LSOA 2021)",
            publisher="Ministry of Housing, Communities and Local Government (MHCLG)",
            licence=OGL,
            url=_iod_file("691ded56d140bbbaa59a2a7d", _F7_2025),
            landing_page="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025",
            target="deprivation/iod2025_lsoa21_england.csv.gz",
            convert=of.convert_iod2025_file7,
            expected_rows=(33_755, 33_755),
            code_column="lsoa21cd",
            code_pattern=of.LSOA_ENGLAND,
            notes="Adds IDACI/IDAOPI and the mid-2022 denominators when present.",
        ),
        Dataset(
            name="iod2015",
            title="English Indices of Deprivation 2015, File 7: all ranks, deciles and scores "
            "for the indices of deprivation, and population denominators (LSOA 2011)",
            publisher="Department for Communities and Local Government (DCLG)",
            licence=OGL,
            url=_legacy_iod_file(467774, _F7_2015),
            landing_page="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2015",
            target="deprivation/iod2015_lsoa11_england.csv.gz",
            convert=of.convert_iod2015_file7,
            expected_rows=(32_844, 32_844),
            code_column="lsoa11cd",
            code_pattern=of.LSOA_ENGLAND,
            notes="Adds the 2015 domains, IDACI/IDAOPI and mid-2012 denominators.",
        ),
        Dataset(
            name="lsoa11_lsoa21_lad22",
            title="LSOA (2011) to LSOA (2021) to Local Authority District (2022) Exact Fit "
            "Lookup for England and Wales",
            publisher="Office for National Statistics (ONS), Open Geography Portal",
            licence=OGL,
            url=_arcgis_query("LSOA11_LSOA21_LAD22_EW_LU_v5"),
            kind="arcgis",
            order_by="LSOA11CD,LSOA21CD",
            landing_page="https://geoportal.statistics.gov.uk/",
            target="geography/lookups/lsoa11_lsoa21_lad22_ew.csv.gz",
            convert=of.convert_lsoa11_lsoa21_lad22,
            expected_rows=(35_700, 35_900),
            code_column="lsoa11cd",
            code_pattern=of.LSOA_ENGLAND_WALES,
        ),
        Dataset(
            name="lsoa21_ward24_lad24",
            title="LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup in England "
            "and Wales",
            publisher="Office for National Statistics (ONS), Open Geography Portal",
            licence=OGL,
            url=_arcgis_query("LSOA21_WD24_LAD24_EW_LU"),
            kind="arcgis",
            order_by="LSOA21CD",
            landing_page="https://geoportal.statistics.gov.uk/",
            target="geography/lookups/lsoa21_ward24_lad24_ew.csv.gz",
            convert=of.convert_lsoa21_ward24_lad24,
            expected_rows=(35_672, 35_672),
            code_column="lsoa21cd",
            code_pattern=of.LSOA_ENGLAND_WALES,
        ),
    )
}


# --------------------------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------------------------


def _open(url: str, timeout: float):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    # Looked up at call time so tests can monkeypatch urllib.request.urlopen.
    return urllib.request.urlopen(request, timeout=timeout)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"network error: {exc.reason}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"


def _stream(response, out: IO[bytes], *, max_bytes: int = MAX_BYTES) -> int:
    """Copy ``response`` to ``out`` in chunks; a body shorter than Content-Length is an error."""
    headers = getattr(response, "headers", None)
    length = headers.get("Content-Length") if headers is not None else None
    expected = int(length) if length and str(length).isdigit() else None
    total = 0
    while chunk := response.read(CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise OSError(f"response larger than {max_bytes:,} bytes")
        out.write(chunk)
    if expected is not None and total != expected:
        raise OSError(f"truncated download: got {total:,} of {expected:,} bytes")
    if total == 0:
        raise OSError("empty response")
    return total


def download_file(ds: Dataset, out: IO[bytes], *, timeout: float) -> str:
    """Download the dataset's file (trying fallback URLs in turn); return the URL used."""
    errors = []
    for url in ds.urls:
        out.seek(0)
        out.truncate()
        try:
            with _open(url, timeout) as response:
                _stream(response, out)
            return url
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            errors.append(f"{url}: {_describe(exc)}")
    raise FetchError(f"{ds.name}: download failed: " + "; ".join(errors))


def arcgis_query_url(ds: Dataset, offset: int, page_size: int = ARCGIS_PAGE_SIZE) -> str:
    params = {
        "where": "1=1",
        "outFields": "*",
        "returnGeometry": "false",
        "orderByFields": ds.order_by,
        "resultOffset": str(offset),
        "resultRecordCount": str(page_size),
        "f": "json",
    }
    return ds.url + "?" + urllib.parse.urlencode(params)


def download_arcgis(ds: Dataset, out: IO[bytes], *, timeout: float) -> str:
    """Page through an ArcGIS FeatureServer layer (``f=json``) and write all rows to ``out`` as
    one ``{"features": [{"attributes": ...}]}`` document; return the layer URL."""
    features: list[dict] = []
    offset = 0
    for _ in range(ARCGIS_MAX_PAGES):
        url = arcgis_query_url(ds, offset)
        try:
            with _open(url, timeout) as response, tempfile.TemporaryFile() as buf:
                _stream(response, buf, max_bytes=64 << 20)
                buf.seek(0)
                page = json.loads(buf.read().decode("utf-8"))
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            raise FetchError(f"{ds.name}: download failed: {url}: {_describe(exc)}") from exc
        if not isinstance(page, dict):
            raise FetchError(f"{ds.name}: unexpected ArcGIS response from {url}")
        if "error" in page:
            raise FetchError(
                f"{ds.name}: the ArcGIS service returned an error for {url}: {page['error']}"
            )
        batch = page.get("features") or []
        features.extend(batch)
        offset += len(batch)
        if not batch or not page.get("exceededTransferLimit"):
            break
    else:
        raise FetchError(f"{ds.name}: more than {ARCGIS_MAX_PAGES} pages from {ds.url}")
    out.write(json.dumps({"features": features}).encode("utf-8"))
    return ds.url


# --------------------------------------------------------------------------------------------
# Validate, merge and write
# --------------------------------------------------------------------------------------------


def validate(ds: Dataset, df: pd.DataFrame, url: str) -> None:
    """Dataset-level checks on the converted table (the converter checked the layout)."""
    lo, hi = ds.expected_rows
    if not lo <= len(df) <= hi:
        expected = f"{lo:,}" if lo == hi else f"{lo:,}-{hi:,}"
        raise FetchError(
            f"{ds.name}: {len(df):,} rows converted from {url}, expected {expected}; "
            "the download may be truncated or the publication changed"
        )
    if ds.code_column not in df:
        raise FetchError(f"{ds.name}: converted table has no {ds.code_column!r} column ({url})")
    codes = df[ds.code_column].astype(str)
    bad = codes[~codes.str.fullmatch(ds.code_pattern)]
    if len(bad):
        raise FetchError(
            f"{ds.name}: {len(bad):,} {ds.code_column} value(s) from {url} do not match "
            f"{ds.code_pattern}, e.g. {bad.iloc[:3].tolist()}"
        )


def carry_over(ds: Dataset, new: pd.DataFrame, existing_path: Path) -> pd.DataFrame:
    """Keep the columns the official file cannot supply (``ds.carry_over``) from the existing
    bundled file, if it covers exactly the same areas."""
    if not ds.carry_over or not existing_path.exists():
        return new
    try:
        old = pd.read_csv(existing_path, dtype={ds.code_column: str})
    except (OSError, ValueError, pd.errors.ParserError):
        return new
    keep = [c for c in ds.carry_over if c in old.columns and c not in new.columns]
    key = ds.code_column
    if not keep or key not in old:
        return new
    if set(old[key]) != set(new[key]) or old[key].duplicated().any():
        new.attrs["not_carried_over"] = keep  # the existing file covers different areas
        return new
    merged = new.merge(old[[key, *keep]], on=key, how="left", validate="one_to_one")
    order = [c for c in ds.column_order if c in merged.columns]
    order += [c for c in merged.columns if c not in order]
    merged = merged[order]
    merged.attrs = dict(new.attrs)
    merged.attrs["carried_over"] = keep
    return merged


def fetch_dataset(
    dataset: str | Dataset,
    dest: str | Path = DEFAULT_DEST,
    *,
    timeout: float = 120.0,
    log: Callable[[str], None] | None = None,
) -> Path:
    """Download, convert, validate and atomically write one dataset; return the written path.

    On any failure :class:`FetchError` is raised and nothing is written under ``dest``.
    """
    ds = DATASETS[dataset] if isinstance(dataset, str) else dataset
    log = log or (lambda _msg: None)
    target = Path(dest) / ds.target
    with tempfile.TemporaryDirectory(prefix=f"outcomes-fetch-{ds.name}-") as tmp:
        raw = Path(tmp) / ("download.json" if ds.kind == "arcgis" else "download.csv")
        log(f"{ds.name}: downloading {ds.url}")
        with raw.open("wb") as fh:
            if ds.kind == "arcgis":
                url = download_arcgis(ds, fh, timeout=timeout)
            else:
                url = download_file(ds, fh, timeout=timeout)
        try:
            df = ds.convert(raw, label=url)
        except of.LayoutError as exc:
            raise FetchError(f"{ds.name}: cannot convert {exc}") from exc
        validate(ds, df, url)
        df = carry_over(ds, df, target)
        for header in df.attrs.get("missing_optional", []):
            log(f"{ds.name}: note: optional column not in the file: {header!r}")
        if df.attrs.get("carried_over"):
            log(f"{ds.name}: kept from the existing file: {', '.join(df.attrs['carried_over'])}")
        if df.attrs.get("not_carried_over"):
            log(
                f"{ds.name}: note: the existing {target.name} covers other areas; not kept: "
                + ", ".join(df.attrs["not_carried_over"])
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, part_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        os.close(fd)
        part = Path(part_name)
        try:
            of.write_csv_gz(df, part)
            # mkstemp creates 0600; give the new file the old file's mode (or rw-r--r--).
            os.chmod(part, target.stat().st_mode & 0o777 if target.exists() else 0o644)
            os.replace(part, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
    log(f"{ds.name}: wrote {len(df):,} rows x {df.shape[1]} columns to {target}")
    return target


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def format_registry(datasets: Sequence[Dataset] | None = None) -> str:
    lines = []
    for ds in datasets or DATASETS.values():
        lines += [
            f"{ds.name}",
            f"    {ds.title}",
            f"    publisher: {ds.publisher}; licence: {ds.licence}",
            f"    url: {ds.url}",
            *(f"    fallback: {u}" for u in ds.fallback_urls),
            f"    writes: {ds.target} ({_rows(ds.expected_rows)} rows)",
        ]
        if ds.notes:
            lines.append(f"    note: {ds.notes}")
    return "\n".join(lines)


def _rows(bounds: tuple[int, int]) -> str:
    lo, hi = bounds
    return f"{lo:,}" if lo == hi else f"{lo:,}-{hi:,}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m transforms.fetch",
        description="Download official files and convert them to the bundled data/raw schema.",
    )
    parser.add_argument(
        "datasets",
        nargs="*",
        metavar="DATASET",
        help=f"dataset name(s) or 'all': {', '.join(DATASETS)}",
    )
    parser.add_argument("--list", action="store_true", help="list the datasets and exit")
    parser.add_argument(
        "--dest",
        type=Path,
        default=DEFAULT_DEST,
        help="data/raw folder to write into (default: the project's data/raw)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="seconds to wait on each network read (default 120)",
    )
    args = parser.parse_args(argv)
    if args.list:
        print(format_registry())
        return 0
    if not args.datasets:
        parser.print_usage(sys.stderr)
        print("error: name a dataset (or 'all'); see --list", file=sys.stderr)
        return 2
    names = list(DATASETS) if args.datasets == ["all"] else args.datasets
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        print(
            f"error: unknown dataset(s): {', '.join(unknown)}; known: {', '.join(DATASETS)}",
            file=sys.stderr,
        )
        return 2
    failed = 0
    for name in names:
        try:
            fetch_dataset(name, args.dest, timeout=args.timeout, log=print)
        except FetchError as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
