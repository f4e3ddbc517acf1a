"""The documentation keeps up with the code (in the spirit of datasette's documentation tests):
every indicator is fully described with a lineage, every raw file is credited in
data/README.md, every published table and column is in the README's contract section."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from transforms import catalogue, graph, lineage
from transforms.sources import RAW_FILES

PROJECT_DIR = Path(__file__).resolve().parents[1]
README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
DATA_README = (PROJECT_DIR / "data" / "README.md").read_text(encoding="utf-8")
PUBLISHED = sorted(n for n, m in graph.models().items() if m.layer == "marts")
DEFINITIONS = catalogue.definitions()


@pytest.mark.parametrize("found", DEFINITIONS, ids=lambda d: d.row.indicator_id)
def test_every_indicator_is_described_with_a_lineage(found: catalogue.IndicatorDefinition):
    row = found.row
    for field in ("name", "definition", "unit", "caveats", "licence", "source", "publisher"):
        assert getattr(row, field).strip(), field
    assert row.polarity in catalogue.POLARITIES
    assert found.models and found.raw_files
    assert lineage.render(lineage.lineage(row.indicator_id))


def test_every_indicator_id_is_listed_in_the_readme():
    listed = set(re.findall(r"`([a-z0-9_{},]+)`", README))
    expanded = set()
    for item in listed:  # `ahah_{gp,pharmacy}_drive_min` names several ids
        match = re.fullmatch(r"([a-z0-9_]*)\{([a-z0-9_,]+)\}([a-z0-9_]*)", item)
        if match:
            expanded |= {match[1] + x + match[3] for x in match[2].split(",")}
        expanded.add(item)
    missing = [
        d.row.indicator_id
        for d in DEFINITIONS
        if d.row.indicator_id not in expanded
        and not d.row.indicator_id.endswith("_pop_most_deprived_10_pct")
    ]
    assert not missing


@pytest.mark.parametrize("raw", RAW_FILES, ids=lambda r: r.table)
def test_every_raw_file_is_credited_in_data_readme(raw):
    assert f"`{raw.path}`" in DATA_README


def test_every_file_under_data_raw_is_credited_in_data_readme():
    on_disk = [
        str(p.relative_to(PROJECT_DIR / "data"))
        for p in (PROJECT_DIR / "data" / "raw").rglob("*")
        if p.is_file()
    ]
    assert [path for path in on_disk if f"`{path}`" not in DATA_README] == []


def test_every_caveat_and_source_is_used():
    caveats = catalogue._read("caveats.toml")
    sources = catalogue._read("sources.toml")
    assert set(caveats) == {k for d in DEFINITIONS for k in d.caveat_keys}
    assert set(sources) == {d.source_key for d in DEFINITIONS}


@pytest.mark.parametrize("table", PUBLISHED)
def test_every_published_table_and_column_is_documented(table, fixture_db):
    section = README[README.index("## Published tables") :]
    assert f"**`{table}`**" in section, f"{table} is not in the README's contract section"
    with duckdb.connect(str(fixture_db), read_only=True) as con:
        columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
    entry = section[section.index(f"**`{table}`**") :]
    entry = entry[: entry.find("\n**`", 5) if "\n**`" in entry[5:] else len(entry)]
    missing = [c for c in columns if not re.search(rf"\b{c}\b", entry)]
    assert not missing, f"{table}: columns {missing} are not described"
