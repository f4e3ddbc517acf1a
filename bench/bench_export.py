"""Benchmark exports: chart images, one neighbourhood's briefing pack and a whole model's packs.

    python -m bench.bench_export [--runs 5] [--db data/outcomes.duckdb] [--out bench/results]
                                 [--lad E08000010 --model E08000010_wards24] [--skip-model]

Measures, with kaleido in the local Chromium (one browser for the whole run):
  (a) starting the browser and drawing the first image;
  (b) per image, the median over N runs of PNG (print resolution, 3x), SVG and PDF of the
      trend chart, the ranked chart and the LSOA map (Trafford localities, IMD score);
  (c) one neighbourhood's pack (Trafford localities, North): reading the model, drawing its four
      charts and writing PPTX and PDF, median over N runs; and the same without charts;
  (d) every neighbourhood of a whole model (default Wigan's 25 wards) as PPTX and PDF into a
      temporary folder, once: total, per neighbourhood, and bytes written.
Uses the built public database read-only and a throw-away user database. Prints a table and
writes JSON to bench/results/ (gitignored). Timings are for people to read; no test asserts them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.results import write_result
from outcomes import (
    analysis,
    briefing_pack,
    charts,
    comparison,
    db,
    export,
    geo,
    maps,
    queries,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
TRAFFORD, LOCALITIES, NORTH = "E08000009", "E08000009_localities2023", "trafford-north"
INDICATOR = "imd_score"


def _times(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _summary(times: list[float]) -> dict:
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "runs": len(times),
    }


def sample_figures(con) -> dict:
    """The Trends, Compare and Map pages' figures for Trafford localities and the IMD score."""
    cat = queries.catalogue(con)
    row = cat[cat.indicator_id == INDICATOR].iloc[0]
    meta = analysis.IndicatorMeta.from_row(row)
    values = queries.area_values(con, TRAFFORD, LOCALITIES, (INDICATOR,))
    source = f"Source: {row.source} ({row.publisher}). {row.licence}."
    trend = charts.trend_chart(
        values,
        title="IMD average score, Trafford",
        subtitle="Trafford localities (2023); 2010–2025; baseline 2019",
        source=source,
        y_title="IMD average score",
        baseline="2019",
    )
    ranked_rows = comparison.ranked_values(values, None, meta, "2025", "lad", "95")
    ranked = charts.ranked_chart(
        ranked_rows,
        title="IMD average score: Trafford neighbourhoods, 2025",
        subtitle="Trafford localities (2023); compared with Trafford",
        source=source,
        x_title="IMD average score",
        unit=meta.unit,
        reference=comparison.reference_value(values, "lad", "2025"),
        comparator_name="Trafford",
    )
    shapes = geo.lsoa_geojson(TRAFFORD)
    frame = maps.value_frame(
        maps.lsoa_areas(queries.lsoa_values(con, TRAFFORD, INDICATOR, LOCALITIES)), "2025"
    )
    centre, zoom = charts.zoom_for(geo.bounds(shapes), *charts.MAP_AREA_PX)
    lsoa_map = charts.choropleth(
        frame,
        shapes,
        level="lsoa",
        view="value",
        polarity=meta.polarity,
        colour_title="IMD average score",
        title="IMD average score, Trafford LSOAs, 2025",
        subtitle="Darker = worse (higher is worse)",
        source=f"{source} {geo.ATTRIBUTION}",
        centre=centre,
        zoom=zoom,
    )
    return {"trend": trend, "ranked": ranked, "map": lsoa_map}


def bench_images(con, runs: int) -> dict:
    figures = sample_figures(con)
    context = export.ExportContext(lad_name="Trafford", model_name="Trafford localities (2023)")
    out: dict[str, dict] = {}
    for name, fig in figures.items():
        for fmt in export.IMAGE_FORMATS:
            sizes = []

            def draw(fig=fig, fmt=fmt, sizes=sizes) -> None:
                sizes.append(len(export.chart_bytes(fig, fmt, context)))

            draw()  # one unmeasured run: the page and its plotly.js are warm afterwards
            out[f"{name}_{fmt}"] = {**_summary(_times(draw, runs)), "bytes": sizes[-1]}
    return out


def bench_one_pack(con, runs: int, charts_on: bool) -> dict:
    sizes: dict[str, int] = {}

    def make() -> None:
        data = briefing_pack.load_model(con, TRAFFORD, LOCALITIES)
        options = briefing_pack.PackOptions(baseline="2019", charts=charts_on)
        pack = briefing_pack.build_pack(data, NORTH, options)
        files = briefing_pack.pack_files(pack)
        sizes.update({name.rsplit(".", 1)[-1]: len(content) for name, content in files.items()})

    return {**_summary(_times(make, runs)), "bytes": sizes}


def bench_model(con, lad: str, model: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_export_") as tmp:
        start = time.perf_counter()
        data = briefing_pack.load_model(con, lad, model)
        loaded = time.perf_counter() - start
        options = briefing_pack.PackOptions(baseline="2019")
        per: list[float] = []
        total_bytes = 0
        for code in data.neighbourhoods.neighbourhood_code:
            began = time.perf_counter()
            pack = briefing_pack.build_pack(data, code, options)
            for name, content in briefing_pack.pack_files(pack).items():
                (Path(tmp) / name).write_bytes(content)
                total_bytes += len(content)
            per.append(time.perf_counter() - began)
        total = time.perf_counter() - start
    return {
        "lad_code": lad,
        "model_id": model,
        "model_name": data.model_name,
        "neighbourhoods": len(per),
        "files": 2 * len(per),
        "load_s": round(loaded, 3),
        "total_s": round(total, 3),
        "per_neighbourhood_median_s": round(statistics.median(per), 3),
        "per_neighbourhood_max_s": round(max(per), 3),
        "bytes_written": total_bytes,
    }


def _measure(args: argparse.Namespace) -> dict:
    """Run every measurement on a throw-away user database; return the results."""
    with tempfile.TemporaryDirectory(prefix="bench_export_user_") as tmp:
        base = db.open_database(args.db, Path(tmp) / "user.duckdb")
        try:
            con = db.cursor(base)
            start = time.perf_counter()
            export.warm_up()
            first = round(time.perf_counter() - start, 3)
            pack_runs = max(1, min(args.runs, 3))
            return {
                "first_image_s": first,
                "pack_runs": pack_runs,
                "images": bench_images(con, args.runs),
                "one_pack_with_charts": bench_one_pack(con, pack_runs, True),
                "one_pack_words_only": bench_one_pack(con, pack_runs, False),
                "whole_model": None if args.skip_model else bench_model(con, args.lad, args.model),
            }
        finally:
            base.close()


def _print(runs: int, found: dict) -> None:
    print(f"\nmedians over {runs} runs (seconds); packs over {found['pack_runs']}")
    print(f"{'what':<64} {'median':>8} {'min':>8} {'max':>8}")
    print(f"{'(a) start the browser and draw a first image':<64} {found['first_image_s']:8.3f}")
    for name, row in found["images"].items():
        label = f"(b) {name.replace('_', ' ')} ({row['bytes']:,} bytes)"
        print(f"{label:<64} {row['median_s']:8.3f} {row['min_s']:8.3f} {row['max_s']:8.3f}")
    for label, row in (
        ("(c) one neighbourhood's pack, 4 charts, PPTX + PDF", found["one_pack_with_charts"]),
        ("(c) one neighbourhood's pack, numbers and words only", found["one_pack_words_only"]),
    ):
        print(f"{label:<64} {row['median_s']:8.3f} {row['min_s']:8.3f} {row['max_s']:8.3f}")
    whole = found["whole_model"]
    if whole:
        label = f"(d) {whole['model_name']} ({whole['lad_code']}): {whole['neighbourhoods']} packs"
        print(f"{label:<64} {whole['total_s']:8.3f}")
        print(
            f"{'    per neighbourhood (median / max)':<64} "
            f"{whole['per_neighbourhood_median_s']:8.3f} {'':>8} "
            f"{whole['per_neighbourhood_max_s']:8.3f}"
        )
        print(f"    {whole['files']} files, {whole['bytes_written'] / 1e6:.1f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--db", type=Path, default=db.PUBLIC_DB, help="the built public DB")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for the JSON")
    parser.add_argument("--lad", default="E08000010", help="borough of the whole-model run")
    parser.add_argument("--model", default="E08000010_wards24", help="model of that run")
    parser.add_argument("--skip-model", action="store_true", help="skip the whole-model run")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not args.db.is_file():
        print(f"{args.db} does not exist: build it with `python -m transforms.run`")
        return 1
    if not export.browser_available():
        print(f"no browser for kaleido: {export.INSTALL_HINT}")
        return 1
    found = _measure(args)
    _print(args.runs, found)
    stamp = datetime.now(UTC)
    result = {
        "benchmark": "bench_export",
        "timestamp": stamp.isoformat(timespec="seconds"),
        "runs": args.runs,
        **{k: v for k, v in found.items() if k != "pack_runs"},
        "public_db": str(args.db),
        "png_scale": export.PNG_SCALE,
        "pack_scale": briefing_pack.PACK_SCALE,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
    write_result("bench_export", args.out, result, stamp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
