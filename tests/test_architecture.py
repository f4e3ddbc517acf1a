"""The project's shape: the published contract is the app's only door, no import circles,
the build does not import the app, and small functions. These read the code, not the data."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from transforms import catalogue, graph, lineage
from transforms.run import SEED_TABLES
from transforms.sources import RAW_FILES

PROJECT_DIR = Path(__file__).resolve().parents[1]
PACKAGES = ("outcomes", "pages", "transforms", "bench", "tests", "data")
APP_DIRS = ("outcomes", "pages")
MAX_FUNCTION_LINES = 80


def _python_files(*folders: str) -> list[Path]:
    files = [PROJECT_DIR / "dashboard.py"] if "pages" in folders else []
    for folder in folders:
        files += sorted((PROJECT_DIR / folder).rglob("*.py"))
    return files


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """Project modules `path` imports anywhere in it (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        found |= {n for n in names if n in known}
    return found


def _import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in _python_files(*PACKAGES) if "fixtures" not in p.parts}
    known = set(files)
    return {name: _imports(path, known) - {name} for name, path in files.items()}


def test_no_import_circle_anywhere() -> None:
    edges = _import_graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for other in sorted(edges.get(node, ())):
            # importing a package's module also runs the package: count both
            if state.get(other) == 1:
                pytest.fail("import circle: " + " -> ".join([*stack[stack.index(other) :], other]))
            if other not in state:
                visit(other)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_the_build_never_imports_the_app() -> None:
    edges = _import_graph()
    offenders = {
        m: sorted(i for i in imported if i.startswith(("outcomes", "pages")))
        for m, imported in edges.items()
        if m.startswith("transforms")
    }
    assert not {m: i for m, i in offenders.items() if i}


def test_the_app_reads_only_published_tables_and_no_raw_files() -> None:
    """Pages and outcomes/ may name only the published marts: never a raw_, stg_ or int_ table,
    nor a file under data/raw (the build declares, checks and stages what the app needs)."""
    internal = re.compile(r"\b(raw|stg|int|seed)_[a-z0-9_]+\b")
    offenders = []
    for path in _python_files(*APP_DIRS):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            names = [n.group(0) for n in internal.finditer(line)]
            tables = [n for n in names if n in _internal_tables()]
            if tables or "data/raw" in line or '"raw"' in line:
                offenders.append(f"{path.relative_to(PROJECT_DIR)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def _internal_tables() -> set[str]:
    return (
        {r.table for r in RAW_FILES}
        | set(SEED_TABLES)
        | {name for name, model in graph.models().items() if model.layer != "marts"}
    )


def test_models_read_only_earlier_layers() -> None:
    layer_of = {name: model.layer for name, model in graph.models().items()}
    tables = {r.table for r in RAW_FILES} | set(SEED_TABLES)
    rank = {"staging": 0, "intermediate": 1, "marts": 2}
    for name, model in graph.models().items():
        for dep in graph.dependencies(name, tables):
            if dep in layer_of:
                assert rank[layer_of[dep]] <= rank[model.layer], f"{name} reads {dep}"
            elif model.layer != "staging":
                assert not dep.startswith("raw_"), f"{name} reads the raw table {dep}"


def test_no_function_is_longer_than_80_lines() -> None:
    long = []
    for path in _python_files(*PACKAGES):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(
                        f"{path.relative_to(PROJECT_DIR)}:{node.lineno} {node.name} {lines}"
                    )
    assert not long, "\n".join(long)


def test_the_exact_poisson_seed_matches_stats() -> None:
    import csv

    from outcomes.stats import exact_poisson_limits_table

    with open(PROJECT_DIR / "transforms/seeds/exact_poisson_limits.csv", encoding="utf-8") as f:
        seed = [tuple(float(v) for v in row.values()) for row in csv.DictReader(f)]
    expected = [tuple(float(v) for v in row) for row in exact_poisson_limits_table()]
    assert len(seed) == len(expected) == 20
    for got, want in zip(seed, expected, strict=True):
        assert got == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize("indicator_id", [d.row.indicator_id for d in catalogue.definitions()])
def test_every_indicator_has_a_lineage_from_its_raw_files_to_the_published_tables(
    indicator_id: str,
) -> None:
    found = lineage.lineage(indicator_id)
    definition = found.definition
    assert set(definition.models) <= set(graph.models()), "a declared model does not exist"
    for name in definition.models:
        assert f"'{indicator_id}'" in graph.models()[name].sql or indicator_id in {
            "imd_rank",
            "imd_decile",
        }, f"{name} does not name {indicator_id}"
    names = [m.name for m in found.models]
    assert "indicator_values" in names and "indicator_catalogue" in names
    assert {"staging", "intermediate", "marts"} <= {m.layer for m in found.models}
    # every declared raw file is read by the declared models, as the SQL says
    tables = {r.table for r in RAW_FILES} | set(SEED_TABLES)
    ancestors = lineage._ancestors(set(definition.models), tables)
    assert {r.table for r in found.raw_files} <= ancestors
    text = lineage.render(found)
    assert indicator_id in text and "pages/trends.py" in text


def test_the_lineage_command_prints_the_path() -> None:
    text = lineage.render(lineage.lineage("households_no_car_pct"))
    order = [
        "census2021_ts045_car_availability_lsoa21_england.csv.gz",
        "stg_transport_car_availability_lsoa21",
        "int_transport_lsoa_inputs",
        "int_area_sums",
        "indicator_values",
        "outcomes/queries.py",
    ]
    positions = [text.index(step) for step in order]
    assert positions == sorted(positions)
    assert lineage.main(["no_such_indicator"]) == 1
