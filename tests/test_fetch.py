"""Offline tests for transforms.fetch / transforms.official_formats.

(1) conversion of small real excerpts in the official layouts (tests/data/official) and equality
    with the bundled rows in data/raw for the same areas;
(2) the download path with urllib.request.urlopen monkeypatched to serve local bytes;
(3) the CLI.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from email.message import Message
from pathlib import Path

import pandas as pd
import pytest

from transforms import fetch
from transforms import official_formats as of

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
OFFICIAL = Path(__file__).resolve().parent / "data" / "official"
JAYWICK = "E01021988"

IOD2019_EXCERPT = OFFICIAL / "iod2019_file7_excerpt.csv"
IOD2015_EXCERPT = OFFICIAL / "iod2015_file7_excerpt.csv"
IOD2025_EXCERPT = OFFICIAL / "iod2025_file7_excerpt.csv"
LOOKUP11_PAGE = OFFICIAL / "ons_lsoa11_lsoa21_lad22_page.json"
LOOKUP21_PAGE = OFFICIAL / "ons_lsoa21_ward24_lad24_page.json"
OFFICIAL_SCORES = [f"{s}_score" for s, _, _ in of.IOD_INDICES]


def written(df: pd.DataFrame, tmp_path: Path, name: str = "out.csv.gz") -> pd.DataFrame:
    """Write as fetch does and read back as the app does."""
    path = tmp_path / name
    of.write_csv_gz(df, path)
    return pd.read_csv(path)


def bundled_rows(rel: str, key: str, codes) -> pd.DataFrame:
    old = pd.read_csv(RAW / rel)
    return old[old[key].isin(set(codes))].reset_index(drop=True)


def assert_equal_on_shared_columns(new: pd.DataFrame, old: pd.DataFrame, key: list[str]) -> None:
    shared = [c for c in old.columns if c in new.columns]
    assert len(new) == len(old) > 0
    pd.testing.assert_frame_equal(
        new[shared].sort_values(key).reset_index(drop=True),
        old[shared].sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )


# --------------------------------------------------------------------------------------------
# (1) conversion of official-layout excerpts
# --------------------------------------------------------------------------------------------


def test_iod2019_file7_excerpt_equals_bundled_rows(tmp_path):
    new = written(of.convert_iod2019_file7(IOD2019_EXCERPT), tmp_path)
    old = bundled_rows("deprivation/iod2019_lsoa11_england.csv.gz", "lsoa11cd", new["lsoa11cd"])
    assert JAYWICK in set(new["lsoa11cd"])
    assert (new["lad19nm"] == "Trafford").sum() == 13
    # Every bundled column File 7 can supply is filled with identical values ...
    assert set(old.columns) - set(new.columns) == set(of.IOD2019_CARRIED_OVER)
    assert_equal_on_shared_columns(new, old, ["lsoa11cd"])
    # ... and the official raw scores are added under new names (existing names keep meaning).
    assert set(new.columns) - set(old.columns) == set(OFFICIAL_SCORES)
    assert list(new.columns) == [c for c in of.IOD2019_FILE7.order if c in new.columns]


def test_iod2019_official_scores_fill_the_gap(tmp_path):
    new = written(of.convert_iod2019_file7(IOD2019_EXCERPT), tmp_path).set_index("lsoa11cd")
    e = new.loc["E01006074"]  # Trafford 025A
    assert (e["imd_score"], e["income_score"], e["employment_score"]) == (19.534, 0.153, 0.12)
    assert (e["education_score"], e["health_score"], e["crime_score"]) == (14.366, 0.352, -0.547)
    assert (e["barriers_score"], e["living_env_score"]) == (12.731, 15.584)
    assert (e["idaci_score"], e["idaopi_score"]) == (0.139, 0.219)
    jaywick = new.loc[JAYWICK]
    assert (jaywick["imd_rank"], jaywick["imd_decile"], jaywick["pop_total_mid2015"]) == (
        1,
        1,
        1950,
    )
    assert pd.isna(jaywick["imd_score"])  # blank in the excerpt (no official score offline)

    # The official scores agree with the bundled derived approximations.
    old = bundled_rows("deprivation/iod2019_lsoa11_england.csv.gz", "lsoa11cd", new.index)
    old = old.set_index("lsoa11cd").loc[new.index]
    has = new["imd_score"].notna()
    assert has.sum() == 13
    assert (new.loc[has, "imd_score"] - old.loc[has, "imd_score_derived"]).abs().max() <= 0.002
    for rate in ("income", "employment"):
        diff = new.loc[has, f"{rate}_score"] - old.loc[has, f"{rate}_score_rate_derived"]
        assert diff.abs().max() <= 0.01


def test_iod2015_file7_excerpt_equals_bundled_rows(tmp_path):
    df = of.convert_iod2015_file7(IOD2015_EXCERPT)
    assert df.attrs["missing_optional"] == []
    new = written(df, tmp_path)
    old = bundled_rows("deprivation/iod2015_lsoa11_england.csv.gz", "lsoa11cd", new["lsoa11cd"])
    assert list(new.columns[: len(old.columns)]) == list(old.columns)
    assert_equal_on_shared_columns(new, old, ["lsoa11cd"])
    row = new.set_index("lsoa11cd").loc["E01006074"]
    assert (row["health_score"], row["health_rank"], row["health_decile"]) == (0.808, 6037, 2)
    jaywick = new.set_index("lsoa11cd").loc[JAYWICK]
    assert (jaywick["imd_score"], jaywick["imd_rank"]) == (92.601, 1)


def test_iod2025_file7_excerpt_equals_bundled_rows(tmp_path):
    new = written(of.convert_iod2025_file7(IOD2025_EXCERPT), tmp_path)
    old = bundled_rows("deprivation/iod2025_lsoa21_england.csv.gz", "lsoa21cd", new["lsoa21cd"])
    assert list(new.columns[:28]) == list(old.columns)  # the whole bundled schema, in order
    assert_equal_on_shared_columns(new, old, ["lsoa21cd"])
    assert new.nsmallest(1, "imd_rank")["lsoa21cd"].item() == JAYWICK
    assert new.set_index("lsoa21cd").loc[JAYWICK, "imd_score"] == 94.223
    assert (new["lad24nm"] == "Trafford").sum() == 25
    assert {"idaci_score", "pop_total_mid2022"} <= set(new.columns)


def _esri_to_geojson(page: Path) -> bytes:
    doc = json.loads(page.read_text())
    feats = [
        {"type": "Feature", "geometry": None, "properties": f["attributes"]}
        for f in doc["features"]
    ]
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


def _esri_to_csv(page: Path) -> bytes:
    rows = [f["attributes"] for f in json.loads(page.read_text())["features"]]
    return ("\ufeff" + pd.DataFrame(rows).to_csv(index=False, lineterminator="\r\n")).encode()


def _esri_with_extra_fields(page: Path) -> bytes:
    doc = json.loads(page.read_text())
    for i, f in enumerate(reversed(doc["features"]), start=1):
        f["attributes"] = {"ObjectId": i, **f["attributes"], "GlobalID": None}
    return json.dumps(doc).encode()


@pytest.mark.parametrize("variant", ["esri_json", "geojson", "csv", "extra_fields"])
@pytest.mark.parametrize(
    ("page", "convert", "rel", "key"),
    [
        (
            LOOKUP11_PAGE,
            of.convert_lsoa11_lsoa21_lad22,
            "geography/lookups/lsoa11_lsoa21_lad22_ew.csv.gz",
            ["lsoa11cd", "lsoa21cd"],
        ),
        (
            LOOKUP21_PAGE,
            of.convert_lsoa21_ward24_lad24,
            "geography/lookups/lsoa21_ward24_lad24_ew.csv.gz",
            ["lsoa21cd"],
        ),
    ],
    ids=["lsoa11_lsoa21_lad22", "lsoa21_ward24_lad24"],
)
def test_ons_lookup_excerpts_equal_bundled_rows(tmp_path, variant, page, convert, rel, key):
    source = {
        "esri_json": lambda: page,
        "geojson": lambda: io.BytesIO(_esri_to_geojson(page)),
        "csv": lambda: io.BytesIO(_esri_to_csv(page)),
        "extra_fields": lambda: io.BytesIO(_esri_with_extra_fields(page)),
    }[variant]()
    new = written(convert(source), tmp_path)
    old = bundled_rows(rel, key[0], new[key[0]])
    assert list(new.columns) == list(old.columns)
    assert_equal_on_shared_columns(new, old, key)
    assert new[key[0]].str.startswith("W").any() and JAYWICK in set(new[key[0]])


def _excerpt_text(path: Path = IOD2019_EXCERPT) -> str:
    return path.read_bytes().decode("utf-8-sig")


def _edit_csv(text: str, edit) -> str:
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return edit(df).to_csv(index=False)


def test_header_and_format_variants_give_the_same_result():
    expected = of.convert_iod2019_file7(IOD2019_EXCERPT)

    def variants(df: pd.DataFrame) -> pd.DataFrame:
        ren = {}
        for h in df.columns:
            if h.startswith("Education, Skills"):
                ren[h] = h.replace("Education, Skills", "Education\n Skills")  # line break
            elif "Decile" in h:
                ren[h] = h[:80] if len(h) > 80 else h  # truncated by the publisher
            elif h.startswith("Total population"):
                ren[h] = "  " + h.upper() + " "
        df = df.rename(columns=ren)
        rank = of.IOD2019_FILE7.columns[5].header
        df[rank] = df[rank].map(lambda v: f"{v}.00")  # ranks written as 14785.00
        return df[list(reversed(df.columns))]  # different column order

    text = _edit_csv(_excerpt_text(), variants)
    assert "10% of LSO\n" in text or "10% of LSO," in text
    for source in (
        io.StringIO(text),
        io.BytesIO(text.encode("cp1252")),
        io.BytesIO(gzip.compress(text.replace("\n", "\r\n").encode("utf-8-sig"))),
    ):
        pd.testing.assert_frame_equal(of.convert_iod2019_file7(source), expected)


def test_missing_required_column_is_named():
    text = _edit_csv(_excerpt_text(), lambda d: d.drop(columns=["Income Score (rate)"]))
    with pytest.raises(of.LayoutError, match=r"Income Score \(rate\)") as info:
        of.convert_iod2019_file7(io.StringIO(text), label="excerpt.csv")
    assert info.value.missing == ("Income Score (rate)",)
    assert "excerpt.csv" in str(info.value)
    assert "layout may have changed" in str(info.value)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.assign(**{"LSOA code (2011)": "W01000001"}), r"\^E01"),
        (lambda d: pd.concat([d, d.head(1)]), "duplicated lsoa11cd"),
        (
            lambda d: d.assign(**{"Crime Rank (where 1 is most deprived)": "n/a"}),
            "non-numeric",
        ),
        (
            lambda d: d.assign(**{"Crime Decile (where 1 is most deprived 10% of LSOAs)": "11"}),
            r"outside 1\.\.10",
        ),
        (
            lambda d: d.assign(**{"Income Rank (where 1 is most deprived)": ""}),
            "may be truncated",
        ),
    ],
    ids=["welsh_code", "duplicate", "non_numeric", "decile_range", "empty_rank"],
)
def test_invalid_values_are_rejected(edit, message):
    text = _edit_csv(_excerpt_text(), edit)
    with pytest.raises(of.LayoutError, match=message):
        of.convert_iod2019_file7(io.StringIO(text))


def test_html_instead_of_csv_is_rejected():
    page = b"<!DOCTYPE html><html><body>Page not found - GOV.UK</body></html>"
    with pytest.raises(of.LayoutError, match="HTML"):
        of.convert_iod2025_file7(io.BytesIO(page))


# --------------------------------------------------------------------------------------------
# (2) download path with urlopen monkeypatched
# --------------------------------------------------------------------------------------------


class FakeResponse:
    def __init__(self, body: bytes, content_length: int | None = -1):
        self._body = io.BytesIO(body)
        self.headers = Message()
        if content_length == -1:
            content_length = len(body)
        if content_length is not None:
            self.headers["Content-Length"] = str(content_length)
        self.status = 200

    def read(self, n: int = -1) -> bytes:
        return self._body.read(n)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeWeb:
    """Stands in for urllib.request.urlopen: routes a URL (without query) to a handler."""

    def __init__(self, monkeypatch, routes):
        self.routes = routes
        self.requests: list[tuple[str, float | None, str | None]] = []
        monkeypatch.setattr(urllib.request, "urlopen", self)

    def __call__(self, request, timeout=None):
        url = request.full_url if isinstance(request, urllib.request.Request) else request
        agent = request.get_header("User-agent") if hasattr(request, "get_header") else None
        self.requests.append((url, timeout, agent))
        base = url.split("?", 1)[0]
        handler = self.routes.get(base)
        if handler is None:
            raise urllib.error.HTTPError(url, 404, "Not Found", Message(), None)
        result = handler(url) if callable(handler) else handler
        if isinstance(result, BaseException):
            raise result
        return result if isinstance(result, FakeResponse) else FakeResponse(result)


def small(name: str, rows: tuple[int, int] = (1, 100)) -> fetch.Dataset:
    """A registry entry whose row-count range fits the excerpts."""
    return replace(fetch.DATASETS[name], expected_rows=rows)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def dest_with_existing_iod2019(tmp_path) -> Path:
    """A data/raw folder holding the bundled IoD2019 rows for the excerpt's LSOAs."""
    codes = of.convert_iod2019_file7(IOD2019_EXCERPT)["lsoa11cd"]
    dest = tmp_path / "raw"
    target = dest / fetch.DATASETS["iod2019"].target
    target.parent.mkdir(parents=True)
    old = bundled_rows("deprivation/iod2019_lsoa11_england.csv.gz", "lsoa11cd", codes)
    of.write_csv_gz(old, target)
    return dest


def test_fetch_iod2019_success_converts_merges_and_writes_atomically(
    monkeypatch, dest_with_existing_iod2019
):
    ds = small("iod2019")
    web = FakeWeb(monkeypatch, {ds.url: IOD2019_EXCERPT.read_bytes()})
    messages: list[str] = []
    path = fetch.fetch_dataset(ds, dest_with_existing_iod2019, timeout=7, log=messages.append)

    assert path == dest_with_existing_iod2019 / "deprivation" / "iod2019_lsoa11_england.csv.gz"
    assert web.requests == [(ds.url, 7, fetch.USER_AGENT)]
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp files left
    new = pd.read_csv(path)
    old = bundled_rows("deprivation/iod2019_lsoa11_england.csv.gz", "lsoa11cd", new["lsoa11cd"])
    # A superset of the bundled schema: all bundled columns (identical values, File 9 / derived
    # ones carried over from the existing file) plus the official raw scores.
    assert list(new.columns) == list(of.IOD2019_FILE7.order)
    assert [c for c in new.columns if c in old.columns] == list(old.columns)
    assert_equal_on_shared_columns(new, old, ["lsoa11cd"])
    assert new.set_index("lsoa11cd").loc["E01006074", "health_score"] == 0.352
    assert any("kept from the existing file" in m for m in messages)
    with gzip.open(path) as fh:  # reproducible gzip (mtime 0)
        assert fh.read(10)
    assert path.read_bytes()[4:8] == b"\0\0\0\0"


def test_fetch_without_existing_file_writes_file7_columns(monkeypatch, tmp_path):
    ds = small("iod2019")
    FakeWeb(monkeypatch, {ds.url: IOD2019_EXCERPT.read_bytes()})
    path = fetch.fetch_dataset(ds, tmp_path / "new")
    new = pd.read_csv(path)
    assert not set(of.IOD2019_CARRIED_OVER) & set(new.columns)
    assert set(OFFICIAL_SCORES) <= set(new.columns)
    assert path.stat().st_mode & 0o777 == 0o644


def test_fetch_does_not_carry_over_from_a_file_for_other_areas(monkeypatch, tmp_path):
    ds = small("iod2019")
    target = tmp_path / ds.target
    target.parent.mkdir(parents=True)
    other = pd.read_csv(RAW / ds.target, nrows=5)  # City of London rows only
    of.write_csv_gz(other, target)
    FakeWeb(monkeypatch, {ds.url: IOD2019_EXCERPT.read_bytes()})
    messages: list[str] = []
    fetch.fetch_dataset(ds, tmp_path, log=messages.append)
    new = pd.read_csv(target)
    assert len(new) == 14 and "imd_score_derived" not in new.columns
    assert any("covers other areas" in m for m in messages)


def test_fetch_falls_back_to_the_legacy_url(monkeypatch, tmp_path):
    ds = small("iod2019")
    assert ds.fallback_urls
    web = FakeWeb(monkeypatch, {ds.fallback_urls[0]: IOD2019_EXCERPT.read_bytes()})
    fetch.fetch_dataset(ds, tmp_path)
    assert [u for u, _, _ in web.requests] == [ds.url, ds.fallback_urls[0]]


def test_fetch_http_error_names_dataset_and_url_and_writes_nothing(
    monkeypatch, dest_with_existing_iod2019
):
    ds = small("iod2019")
    before = snapshot(dest_with_existing_iod2019)
    FakeWeb(monkeypatch, {})  # every URL: 404
    with pytest.raises(fetch.FetchError) as info:
        fetch.fetch_dataset(ds, dest_with_existing_iod2019)
    msg = str(info.value)
    assert msg.startswith("iod2019:")
    assert ds.url in msg and ds.fallback_urls[0] in msg and "HTTP 404" in msg
    assert snapshot(dest_with_existing_iod2019) == before


def test_fetch_network_timeout_is_reported(monkeypatch, tmp_path):
    ds = small("iod2025")
    FakeWeb(monkeypatch, {ds.url: TimeoutError("timed out")})
    with pytest.raises(fetch.FetchError, match=r"iod2025: download failed: .* timed out"):
        fetch.fetch_dataset(ds, tmp_path / "raw")
    assert not (tmp_path / "raw").exists()


def test_fetch_changed_layout_names_dataset_url_and_column(monkeypatch, dest_with_existing_iod2019):
    ds = small("iod2019")
    text = _edit_csv(
        _excerpt_text(),
        lambda d: d.rename(columns={"Health Deprivation and Disability Score": "Health Score"}),
    )
    FakeWeb(monkeypatch, {ds.url: text.encode()})
    before = snapshot(dest_with_existing_iod2019)
    with pytest.raises(fetch.FetchError) as info:
        fetch.fetch_dataset(ds, dest_with_existing_iod2019)
    msg = str(info.value)
    assert msg.startswith("iod2019: cannot convert " + ds.url)
    assert "'Health Deprivation and Disability Score'" in msg
    assert snapshot(dest_with_existing_iod2019) == before


def test_fetch_html_page_is_a_clear_error(monkeypatch, tmp_path):
    ds = small("iod2015")
    FakeWeb(monkeypatch, {ds.url: b"<html><head><title>GOV.UK</title></head></html>"})
    with pytest.raises(fetch.FetchError, match=r"iod2015: cannot convert .*HTML"):
        fetch.fetch_dataset(ds, tmp_path)
    assert snapshot(tmp_path) == {}


def test_fetch_short_read_against_content_length(monkeypatch, dest_with_existing_iod2019):
    ds = small("iod2019")
    body = IOD2019_EXCERPT.read_bytes()
    cut = FakeResponse(body[: len(body) // 2], content_length=len(body))
    FakeWeb(monkeypatch, {ds.url: cut, ds.fallback_urls[0]: cut})
    before = snapshot(dest_with_existing_iod2019)
    with pytest.raises(fetch.FetchError, match="truncated download"):
        fetch.fetch_dataset(ds, dest_with_existing_iod2019)
    assert snapshot(dest_with_existing_iod2019) == before


def test_fetch_truncated_body_without_content_length(monkeypatch, dest_with_existing_iod2019):
    ds = small("iod2019")
    body = IOD2019_EXCERPT.read_bytes()
    last_row = body.rindex(b"E01021988")
    cut = FakeResponse(body[: last_row + 40], content_length=None)  # stops inside a row
    FakeWeb(monkeypatch, {ds.url: cut})
    before = snapshot(dest_with_existing_iod2019)
    with pytest.raises(fetch.FetchError, match=r"iod2019: cannot convert .*") as info:
        fetch.fetch_dataset(ds, dest_with_existing_iod2019)
    assert ds.url in str(info.value)
    assert snapshot(dest_with_existing_iod2019) == before


def test_fetch_row_count_outside_expected_range(monkeypatch, dest_with_existing_iod2019):
    ds = fetch.DATASETS["iod2019"]  # the real range: all 32,844 LSOAs
    FakeWeb(monkeypatch, {ds.url: IOD2019_EXCERPT.read_bytes()})
    before = snapshot(dest_with_existing_iod2019)
    with pytest.raises(fetch.FetchError, match=r"iod2019: 14 rows converted from .* 32,844"):
        fetch.fetch_dataset(ds, dest_with_existing_iod2019)
    assert snapshot(dest_with_existing_iod2019) == before


def _arcgis_pages(page: Path, size: int):
    features = json.loads(page.read_text())["features"]

    def handler(url: str) -> bytes:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        offset = int(query["resultOffset"][0])
        batch = features[offset : offset + size]
        more = offset + size < len(features)
        return json.dumps({"features": batch, "exceededTransferLimit": more}).encode()

    return handler, len(features)


@pytest.mark.parametrize(
    ("name", "page", "key"),
    [
        ("lsoa11_lsoa21_lad22", LOOKUP11_PAGE, ["lsoa11cd", "lsoa21cd"]),
        ("lsoa21_ward24_lad24", LOOKUP21_PAGE, ["lsoa21cd"]),
    ],
)
def test_fetch_arcgis_lookup_pages_through_the_service(monkeypatch, tmp_path, name, page, key):
    ds = small(name)
    handler, n = _arcgis_pages(page, size=10)
    web = FakeWeb(monkeypatch, {ds.url: handler})
    path = fetch.fetch_dataset(ds, tmp_path)
    assert path == tmp_path / ds.target
    offsets = []
    for url, timeout, _ in web.requests:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        assert query["f"] == ["json"] and query["outFields"] == ["*"]
        assert query["returnGeometry"] == ["false"] and query["where"] == ["1=1"]
        assert query["orderByFields"] == [ds.order_by]
        assert timeout == 120.0
        offsets.append(int(query["resultOffset"][0]))
    assert offsets == list(range(0, n, 10))
    new = pd.read_csv(path)
    old = bundled_rows(ds.target, key[0], new[key[0]])
    assert_equal_on_shared_columns(new, old, key)
    assert list(new.columns) == list(old.columns)


def test_fetch_arcgis_error_payload(monkeypatch, tmp_path):
    ds = small("lsoa21_ward24_lad24")
    error = {"error": {"code": 400, "message": "Invalid query parameters", "details": []}}
    FakeWeb(monkeypatch, {ds.url: json.dumps(error).encode()})
    with pytest.raises(fetch.FetchError, match="lsoa21_ward24_lad24: the ArcGIS service returned"):
        fetch.fetch_dataset(ds, tmp_path)
    assert snapshot(tmp_path) == {}


def test_registry_covers_the_bundled_files():
    assert {"iod2019", "iod2025", "iod2015", "lsoa11_lsoa21_lad22", "lsoa21_ward24_lad24"} <= set(
        fetch.DATASETS
    )
    for ds in fetch.DATASETS.values():
        assert (RAW / ds.target).is_file(), ds.target  # converts to an existing bundled file
        assert ds.publisher and ds.licence == "Open Government Licence v3.0"
        for url in ds.urls:
            assert url.startswith(
                (
                    "https://assets.publishing.service.gov.uk/",
                    "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/",
                )
            ), url
        if ds.kind == "arcgis":
            assert ds.url.endswith("/FeatureServer/0/query") and ds.order_by
        bundled = pd.read_csv(RAW / ds.target, usecols=[ds.code_column])
        lo, hi = ds.expected_rows
        assert lo <= len(bundled) <= hi, ds.name  # the bundled file passes the same checks
        assert bundled[ds.code_column].str.fullmatch(ds.code_pattern).all()


# --------------------------------------------------------------------------------------------
# (3) CLI
# --------------------------------------------------------------------------------------------


def test_cli_list(capsys):
    assert fetch.main(["--list"]) == 0
    out = capsys.readouterr().out
    for ds in fetch.DATASETS.values():
        assert ds.name in out and ds.url in out and ds.target in out


def test_cli_list_as_module():
    result = subprocess.run(
        [sys.executable, "-m", "transforms.fetch", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "iod2019" in result.stdout and "assets.publishing.service.gov.uk" in result.stdout


def test_cli_fetch_success_and_failures(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(fetch.DATASETS, "iod2025", small("iod2025"))
    ds = fetch.DATASETS["iod2025"]
    FakeWeb(monkeypatch, {ds.url: IOD2025_EXCERPT.read_bytes()})
    assert fetch.main(["iod2025", "--dest", str(tmp_path), "--timeout", "5"]) == 0
    out = capsys.readouterr().out
    assert "iod2025: wrote 28 rows" in out
    assert (tmp_path / ds.target).is_file()

    assert fetch.main(["no_such_dataset"]) == 2
    assert "unknown dataset" in capsys.readouterr().err
    assert fetch.main([]) == 2
    capsys.readouterr()

    FakeWeb(monkeypatch, {})  # now every download fails
    assert fetch.main(["iod2015", "--dest", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "error: iod2015: download failed" in err and "HTTP 404" in err
    assert not (tmp_path / fetch.DATASETS["iod2015"].target).exists()
