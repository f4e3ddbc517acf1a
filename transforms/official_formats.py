"""Official MHCLG / ONS file layouts and their conversion to the bundled schemas.

Every converter takes a local path or an open file (bytes or text, plain or gzip) so it can be
tested offline; ``transforms.fetch`` downloads the official files and calls these.

* English Indices of Deprivation "File 7" CSVs (all scores, ranks, deciles and population
  denominators) for IoD2015, IoD2019 and IoD2025 -> ``data/raw/deprivation/iod*_england.csv.gz``.
* ONS Open Geography Portal lookups (ArcGIS FeatureServer ``f=json`` / ``f=geojson`` pages, or the
  portal's CSV download) -> ``data/raw/geography/lookups/*.csv.gz``.

Headers are matched after normalisation (case, punctuation, line breaks and repeated spaces are
ignored) and a header cut short by the publisher (e.g. "... most deprived 10% of LSO") still
matches its full name. A required column that cannot be found raises :class:`LayoutError` naming
the official header, so a changed layout fails loudly instead of producing a wrong file.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import pandas as pd

Source = str | Path | IO[bytes] | IO[str]

LSOA_ENGLAND = r"^E01\d{6}$"
LSOA_ENGLAND_WALES = r"^[EW]01\d{6}$"
LAD_ENGLAND = r"^E0[6-9]\d{6}$"
LAD_ENGLAND_WALES = r"^(E0[6-9]|W06)\d{6}$"
WARD_ENGLAND_WALES = r"^[EW]05\d{6}$"

_MIN_PREFIX = 30  # shortest normalised header accepted as a truncated form of a longer one


class LayoutError(ValueError):
    """The source does not have the expected official layout (or has invalid values)."""

    def __init__(self, message: str, *, missing: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.missing = tuple(missing)


@dataclass(frozen=True)
class Column:
    """One output column: its bundled name, the official header and how to parse it."""

    out: str
    header: str
    kind: Literal["code", "text", "int", "float"]
    required: bool = True
    aliases: tuple[str, ...] = ()
    pattern: str | None = None  # regex every value must match (codes)
    allowed: frozenset[str] | None = None  # closed set of values (e.g. change indicators)


@dataclass(frozen=True)
class Layout:
    """An official file layout and the bundled schema it converts to."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique key, also the sort order of the output
    order: tuple[str, ...] = ()  # output column order (may name columns added later)
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # inclusive int ranges

    @property
    def required_outputs(self) -> list[str]:
        return [c.out for c in self.columns if c.required]

    @property
    def official_headers(self) -> list[str]:
        return [c.header for c in self.columns]


# --------------------------------------------------------------------------------------------
# English Indices of Deprivation, File 7
# --------------------------------------------------------------------------------------------

RANK = "Rank (where 1 is most deprived)"
DECILE = "Decile (where 1 is most deprived 10% of LSOAs)"

# (short name, official label, score suffix) in the order File 7 lists them.
IOD_INDICES: tuple[tuple[str, str, str], ...] = (
    ("imd", "Index of Multiple Deprivation (IMD)", "Score"),
    ("income", "Income", "Score (rate)"),
    ("employment", "Employment", "Score (rate)"),
    ("education", "Education, Skills and Training", "Score"),
    ("health", "Health Deprivation and Disability", "Score"),
    ("crime", "Crime", "Score"),
    ("barriers", "Barriers to Housing and Services", "Score"),
    ("living_env", "Living Environment", "Score"),
    ("idaci", "Income Deprivation Affecting Children Index (IDACI)", "Score (rate)"),
    ("idaopi", "Income Deprivation Affecting Older People (IDAOPI)", "Score (rate)"),
)
DOMAINS = ("income", "employment", "education", "health", "crime", "barriers", "living_env")

# Sub-domains follow the indices in File 7. They are not converted (the bundled LSOA files do
# not carry them) but are part of the official layout, e.g. for building test excerpts.
IOD_SUBDOMAINS: tuple[tuple[str, str], ...] = (
    ("children_and_young_people", "Children and Young People Sub-domain"),
    ("adult_skills", "Adult Skills Sub-domain"),
    ("geographical_barriers", "Geographical Barriers Sub-domain"),
    ("wider_barriers", "Wider Barriers Sub-domain"),
    ("indoors", "Indoors Sub-domain"),
    ("outdoors", "Outdoors Sub-domain"),
)

_IOD_GEOGRAPHY = {
    # edition: (lsoa year, lad year, lsoa code column, lad code column)
    2015: ("2011", "2013", "lsoa11cd", "lad13cd"),
    2019: ("2011", "2019", "lsoa11cd", "lad19cd"),
    2025: ("2021", "2024", "lsoa21cd", "lad24cd"),
}

_EXCL = " (excluding prisoners)"
IOD_POPULATIONS: dict[int, tuple[tuple[str, str], ...]] = {
    2015: (
        ("pop_total_mid2012", "Total population: mid 2012" + _EXCL),
        ("pop_0_15_mid2012", "Dependent Children aged 0-15: mid 2012" + _EXCL),
        ("pop_16_59_mid2012", "Population aged 16-59: mid 2012" + _EXCL),
        ("pop_60plus_mid2012", "Older population aged 60 and over: mid 2012" + _EXCL),
        (
            "pop_working_age_18_59_64_mid2012",
            "Working age population 18-59/64: for use with Employment Deprivation Domain" + _EXCL,
        ),
    ),
    2019: (
        ("pop_total_mid2015", "Total population: mid 2015" + _EXCL),
        ("pop_0_15_mid2015", "Dependent Children aged 0-15: mid 2015" + _EXCL),
        ("pop_16_59_mid2015", "Population aged 16-59: mid 2015" + _EXCL),
        ("pop_60plus_mid2015", "Older population aged 60 and over: mid 2015" + _EXCL),
        (
            "pop_working_age_18_59_64_mid2015",
            "Working age population 18-59/64: for use with Employment Deprivation Domain" + _EXCL,
        ),
    ),
    # IoD2025 File 7 carries four denominators (the 16-59 count is only in File 6).
    2025: (
        ("pop_total_mid2022", "Total population: mid 2022"),
        ("pop_0_15_mid2022", "Dependent Children aged 0-15: mid 2022"),
        ("pop_60plus_mid2022", "Older population aged 60 and over: mid 2022"),
        (
            "pop_working_age_18_66_mid2022",
            "Working age population 18-66 (for use with Employment Deprivation Domain): mid 2022",
        ),
    ),
}


def file7_official_headers(edition: int) -> list[str]:
    """Every header of the official File 7 CSV of an IoD edition, in published order."""
    lsoa_year, lad_year, _, _ = _IOD_GEOGRAPHY[edition]
    headers = [
        f"LSOA code ({lsoa_year})",
        f"LSOA name ({lsoa_year})",
        f"Local Authority District code ({lad_year})",
        f"Local Authority District name ({lad_year})",
    ]
    for _, label, score in IOD_INDICES:
        headers += [f"{label} {score}", f"{label} {RANK}", f"{label} {DECILE}"]
    for _, label in IOD_SUBDOMAINS:
        headers += [f"{label} Score", f"{label} {RANK}", f"{label} {DECILE}"]
    headers += [h for _, h in IOD_POPULATIONS[edition]]
    return headers


def _iod_layout(edition: int, required_indices: set[str], pops_required: bool) -> Layout:
    lsoa_year, lad_year, lsoa_cd, lad_cd = _IOD_GEOGRAPHY[edition]
    lsoa_nm, lad_nm = lsoa_cd[:-2] + "nm", lad_cd[:-2] + "nm"
    cols = [
        Column(lsoa_cd, f"LSOA code ({lsoa_year})", "code", pattern=LSOA_ENGLAND),
        Column(lsoa_nm, f"LSOA name ({lsoa_year})", "text"),
        Column(lad_cd, f"Local Authority District code ({lad_year})", "code", pattern=LAD_ENGLAND),
        Column(lad_nm, f"Local Authority District name ({lad_year})", "text"),
    ]
    ranges: dict[str, tuple[int, int]] = {}
    for short, label, score in IOD_INDICES:
        req = short in required_indices
        cols += [
            Column(f"{short}_score", f"{label} {score}", "float", required=req),
            Column(f"{short}_rank", f"{label} {RANK}", "int", required=req),
            Column(f"{short}_decile", f"{label} {DECILE}", "int", required=req),
        ]
        ranges[f"{short}_rank"] = (1, 40_000)
        ranges[f"{short}_decile"] = (1, 10)
    for out, header in IOD_POPULATIONS[edition]:
        cols.append(Column(out, header, "int", required=pops_required))
        ranges[out] = (0, 100_000)
    return Layout(name=f"IoD{edition} File 7", columns=tuple(cols), key=(lsoa_cd,), ranges=ranges)


def _scores_ranks_deciles(shorts: Iterable[str], extra: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for s in shorts:
        out += [f"{s}_score", f"{s}_rank", f"{s}_decile", *extra.get(s, [])]
    return out


# IoD2019: File 7 fills the columns of iod2019_lsoa11_england.csv.gz that it can supply and adds
# the official raw scores (``{index}_score``; rates for income/employment/IDACI/IDAOPI), which the
# bundled file lacked. Columns File 7 cannot supply (File 9 transformed scores ``*_score_exp`` and
# the ``*_derived`` columns) keep their place in the order when carried over from a bundled file.
IOD2019_CARRIED_OVER = (
    "imd_score_derived",
    *(f"{d}_score_exp" for d in DOMAINS),
    *(f"{d}_score_rate_derived" for d in ("income", "employment", "idaci", "idaopi")),
)
_IOD2019_EXTRA = {
    "income": ["income_score_exp", "income_score_rate_derived"],
    "employment": ["employment_score_exp", "employment_score_rate_derived"],
    **{d: [f"{d}_score_exp"] for d in ("education", "health", "crime", "barriers", "living_env")},
    "idaci": ["idaci_score_rate_derived"],
    "idaopi": ["idaopi_score_rate_derived"],
}
_IOD2019 = _iod_layout(2019, {s for s, _, _ in IOD_INDICES}, pops_required=True)
IOD2019_FILE7 = Layout(
    name=_IOD2019.name,
    columns=_IOD2019.columns,
    key=_IOD2019.key,
    ranges=_IOD2019.ranges,
    order=(
        "lsoa11cd",
        "lsoa11nm",
        "lad19cd",
        "lad19nm",
        "imd_score",
        "imd_score_derived",
        "imd_rank",
        "imd_decile",
        *_scores_ranks_deciles([s for s, _, _ in IOD_INDICES[1:]], _IOD2019_EXTRA),
        *(out for out, _ in IOD_POPULATIONS[2019]),
    ),
)

# IoD2015: the bundled file has the IMD only; File 7 adds domains, IDACI/IDAOPI and denominators.
_IOD2015 = _iod_layout(2015, {"imd"}, pops_required=False)
IOD2015_FILE7 = Layout(
    name=_IOD2015.name,
    columns=_IOD2015.columns,
    key=_IOD2015.key,
    ranges=_IOD2015.ranges,
    order=(
        "lsoa11cd",
        "lsoa11nm",
        "lad13cd",
        "lad13nm",
        *_scores_ranks_deciles([s for s, _, _ in IOD_INDICES], {}),
        *(out for out, _ in IOD_POPULATIONS[2015]),
    ),
)

# IoD2025: the bundled file has IMD + 7 domains; File 7 adds IDACI/IDAOPI and denominators.
_IOD2025 = _iod_layout(2025, {"imd", *DOMAINS}, pops_required=False)
IOD2025_FILE7 = Layout(
    name=_IOD2025.name,
    columns=_IOD2025.columns,
    key=_IOD2025.key,
    ranges=_IOD2025.ranges,
    order=(
        "lsoa21cd",
        "lsoa21nm",
        "lad24cd",
        "lad24nm",
        *_scores_ranks_deciles([s for s, _, _ in IOD_INDICES], {}),
        *(out for out, _ in IOD_POPULATIONS[2025]),
    ),
)

# --------------------------------------------------------------------------------------------
# ONS Open Geography Portal lookups
# --------------------------------------------------------------------------------------------

LSOA11_LSOA21_LAD22 = Layout(
    name="ONS LSOA (2011) to LSOA (2021) to LAD (2022) exact-fit lookup",
    columns=(
        # The first release of the service called the 2011 code field F_LSOA11CD.
        Column("lsoa11cd", "LSOA11CD", "code", aliases=("F_LSOA11CD",), pattern=LSOA_ENGLAND_WALES),
        Column("lsoa11nm", "LSOA11NM", "text"),
        Column("lsoa21cd", "LSOA21CD", "code", pattern=LSOA_ENGLAND_WALES),
        Column("lsoa21nm", "LSOA21NM", "text"),
        Column("chgind", "CHGIND", "text", allowed=frozenset("USMX")),
        Column("lad22cd", "LAD22CD", "code", pattern=LAD_ENGLAND_WALES),
        Column("lad22nm", "LAD22NM", "text"),
    ),
    key=("lsoa11cd", "lsoa21cd"),
)

LSOA21_WARD24_LAD24 = Layout(
    name="ONS LSOA (2021) to Ward (2024) to LAD (2024) best-fit lookup",
    columns=(
        Column("lsoa21cd", "LSOA21CD", "code", pattern=LSOA_ENGLAND_WALES),
        Column("lsoa21nm", "LSOA21NM", "text"),
        Column("wd24cd", "WD24CD", "code", pattern=WARD_ENGLAND_WALES),
        Column("wd24nm", "WD24NM", "text"),
        Column("lad24cd", "LAD24CD", "code", pattern=LAD_ENGLAND_WALES),
        Column("lad24nm", "LAD24NM", "text"),
    ),
    key=("lsoa21cd",),
)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _source_label(source: Source) -> str:
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", "<file object>"))


def _read_text(source: Source) -> str:
    """Whole source as text: gzip is detected by its magic bytes; UTF-8 (with or without BOM),
    falling back to Windows-1252 which older gov.uk CSVs use."""
    if isinstance(source, str | Path):
        data: bytes | str = Path(source).read_bytes()
    else:
        data = source.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read_table(source: Source) -> pd.DataFrame:
    """Read a CSV, an ArcGIS ``f=json`` response or a GeoJSON FeatureCollection as all-text
    columns ("" for missing values), keeping the official headers."""
    label = _source_label(source)
    text = _read_text(source)
    head = text.lstrip()[:200]
    if head.startswith(("{", "[")):
        return _read_features(text, label)
    if head.lower().startswith(("<!doctype", "<html", "<?xml", "<")):
        raise LayoutError(
            f"{label}: got an HTML/XML page instead of a CSV (starts {head[:60]!r}); "
            "the download link has probably moved"
        )
    if not head:
        raise LayoutError(f"{label}: the file is empty")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LayoutError(f"{label}: not a readable CSV ({exc})") from exc


def _read_features(text: str, label: str) -> pd.DataFrame:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LayoutError(f"{label}: invalid JSON ({exc})") from exc
    if isinstance(doc, dict) and "error" in doc:
        raise LayoutError(f"{label}: the service returned an error: {doc['error']}")
    features = doc if isinstance(doc, list) else doc.get("features")
    if not isinstance(features, list):
        raise LayoutError(f"{label}: JSON without a 'features' list")
    rows = []
    for feat in features:
        attrs = feat.get("attributes", feat.get("properties")) if isinstance(feat, dict) else None
        if not isinstance(attrs, dict):
            raise LayoutError(f"{label}: a feature has neither 'attributes' nor 'properties'")
        rows.append({k: "" if v is None else str(v) for k, v in attrs.items()})
    return pd.DataFrame(rows, dtype=str)


def normalise_header(header: str) -> str:
    """Lower case, punctuation/line breaks/repeated spaces collapsed to one space."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(header).lower()).split())


def match_columns(headers: Iterable[str], layout: Layout, label: str) -> dict[str, str]:
    """Map each layout column (output name) to the header present in the file.

    Raises :class:`LayoutError` naming every required official header that is missing.
    """
    found = [str(h) for h in headers]
    normed: dict[str, str] = {}
    for h in found:
        normed.setdefault(normalise_header(h), h)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    pending: list[Column] = []
    for col in layout.columns:  # exact (normalised) matches first
        for name in (col.header, *col.aliases):
            hit = normed.get(normalise_header(name))
            if hit is not None and hit not in used:
                mapping[col.out] = hit
                used.add(hit)
                break
        else:
            pending.append(col)
    missing: list[Column] = []
    for col in pending:  # then headers cut short by the publisher
        targets = [normalise_header(n) for n in (col.header, *col.aliases)]
        hits = {
            h
            for k, h in normed.items()
            if h not in used and len(k) >= _MIN_PREFIX and any(t.startswith(k) for t in targets)
        }
        if len(hits) == 1:
            hit = hits.pop()
            mapping[col.out] = hit
            used.add(hit)
        elif col.required:
            missing.append(col)
    if missing:
        names = ", ".join(repr(c.header) for c in missing)
        shown = ", ".join(repr(h) for h in found[:12]) + (" ..." if len(found) > 12 else "")
        raise LayoutError(
            f"{label}: {layout.name}: required column(s) not found: {names}. "
            f"The official layout may have changed; the file has {len(found)} columns: {shown}",
            missing=[c.header for c in missing],
        )
    return mapping


def _parse_numbers(values: pd.Series, col: Column, header: str, label: str) -> pd.Series:
    text = values.str.strip()
    num = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = text[(text != "") & num.isna()]
    if len(bad):
        raise LayoutError(
            f"{label}: column {header!r} ({col.out}) has non-numeric values, "
            f"e.g. {bad.iloc[:3].tolist()}"
        )
    if col.kind == "float":
        return num.astype("float64")
    frac = num.dropna() % 1 != 0
    if frac.any():
        raise LayoutError(
            f"{label}: column {header!r} ({col.out}) should hold whole numbers, "
            f"e.g. {num.dropna()[frac].iloc[:3].tolist()}"
        )
    return num.astype("Int64")


def convert(source: Source, layout: Layout, *, label: str | None = None) -> pd.DataFrame:
    """Convert an official file to the bundled schema described by ``layout``.

    Output: one column per layout column found (required ones always), sorted by the key,
    in ``layout.order`` (when given). Checks: codes match their pattern, closed value sets, no
    duplicated key, required numeric columns complete, ranks/deciles/counts in range.
    """
    label = label or _source_label(source)
    raw = read_table(source)
    mapping = match_columns(raw.columns, layout, label)
    out = pd.DataFrame(index=raw.index)
    for col in layout.columns:
        header = mapping.get(col.out)
        if header is None:
            continue
        values = raw[header].astype(str)
        if col.kind in ("code", "text"):
            out[col.out] = values.str.strip()
        else:
            out[col.out] = _parse_numbers(values, col, header, label)
    _check(out, layout, mapping, label)
    out = out.sort_values(list(layout.key), kind="stable").reset_index(drop=True)
    if layout.order:
        out = out[[c for c in layout.order if c in out.columns]]
    out.attrs["missing_optional"] = [
        c.header for c in layout.columns if not c.required and c.out not in mapping
    ]
    return out


def _check(df: pd.DataFrame, layout: Layout, mapping: dict[str, str], label: str) -> None:
    if df.empty:
        raise LayoutError(f"{label}: {layout.name}: no data rows")
    for col in layout.columns:
        if col.out in df:
            where = f"{label}: column {mapping[col.out]!r} ({col.out})"
            _check_column(df[col.out], col, layout.ranges.get(col.out), where)
    dup = df.duplicated(list(layout.key), keep=False)
    if dup.any():
        keys = df.loc[dup, list(layout.key)].drop_duplicates().head(3).to_numpy().tolist()
        raise LayoutError(
            f"{label}: {layout.name}: duplicated {'/'.join(layout.key)} "
            f"({int(dup.sum())} rows), e.g. {keys}"
        )


def _check_column(
    s: pd.Series, col: Column, value_range: tuple[int, int] | None, where: str
) -> None:
    """One converted column: no empty required cells, codes matching their pattern, values
    among those allowed and inside their range (`where` names the column in errors)."""
    if col.kind == "code" or (col.kind == "int" and col.required):
        empty = s.isna() | (s.astype(str) == "") if col.kind == "code" else s.isna()
        if empty.any():
            raise LayoutError(
                f"{where} is empty in {int(empty.sum())} row(s), e.g. data row "
                f"{int(empty.to_numpy().nonzero()[0][0]) + 1}; the file may be truncated"
            )
    if col.pattern:
        bad = s[~s.str.fullmatch(col.pattern)]
        if len(bad):
            raise LayoutError(
                f"{where} has {len(bad)} value(s) not matching {col.pattern}, "
                f"e.g. {bad.iloc[:3].tolist()}"
            )
    if col.allowed is not None:
        bad = s[~s.isin(col.allowed)]
        if len(bad):
            raise LayoutError(
                f"{where} has unexpected values {sorted(set(bad))[:5]} "
                f"(expected one of {sorted(col.allowed)})"
            )
    if value_range is not None:
        lo, hi = value_range
        vals = s.dropna()
        bad = vals[(vals < lo) | (vals > hi)]
        if len(bad):
            raise LayoutError(
                f"{where} has values outside {lo}..{hi}, e.g. {bad.iloc[:3].tolist()}"
            )


# --------------------------------------------------------------------------------------------
# Named converters (one per dataset)
# --------------------------------------------------------------------------------------------


def convert_iod2019_file7(source: Source, *, label: str | None = None) -> pd.DataFrame:
    """IoD2019 File 7 -> columns of ``iod2019_lsoa11_england.csv.gz`` that File 7 supplies, plus
    the official raw scores ``imd_score`` and ``{domain|idaci|idaopi}_score``."""
    return convert(source, IOD2019_FILE7, label=label)


def convert_iod2015_file7(source: Source, *, label: str | None = None) -> pd.DataFrame:
    """IoD2015 File 7 -> ``iod2015_lsoa11_england.csv.gz`` schema (+ domains, IDACI/IDAOPI and
    mid-2012 denominators when present)."""
    return convert(source, IOD2015_FILE7, label=label)


def convert_iod2025_file7(source: Source, *, label: str | None = None) -> pd.DataFrame:
    """IoD2025 File 7 -> ``iod2025_lsoa21_england.csv.gz`` schema (+ IDACI/IDAOPI and mid-2022
    denominators when present)."""
    return convert(source, IOD2025_FILE7, label=label)


def convert_lsoa11_lsoa21_lad22(source: Source, *, label: str | None = None) -> pd.DataFrame:
    """ONS LSOA11->LSOA21->LAD22 exact-fit lookup -> ``lsoa11_lsoa21_lad22_ew.csv.gz`` schema."""
    return convert(source, LSOA11_LSOA21_LAD22, label=label)


def convert_lsoa21_ward24_lad24(source: Source, *, label: str | None = None) -> pd.DataFrame:
    """ONS LSOA21->WD24->LAD24 best-fit lookup -> ``lsoa21_ward24_lad24_ew.csv.gz`` schema."""
    return convert(source, LSOA21_WARD24_LAD24, label=label)


def write_csv_gz(df: pd.DataFrame, path: str | Path) -> None:
    """Write in the bundled format: gzip CSV, "" for missing, reproducible (gzip mtime 0)."""
    df.to_csv(path, index=False, compression={"method": "gzip", "mtime": 0})
