"""Batch briefing packs: every neighbourhood of a model (or the ones named) as PPTX and PDF.

    python -m outcomes.pack --lad E08000009 --model E08000009_localities2023 --baseline 2019 \\
        --out packs/

writes `<borough>_<model>_<neighbourhood>_briefing_since_<baseline>.pptx` and `.pdf` for each
neighbourhood into the folder (created if missing). `--list-models --lad CODE` lists a borough's
models. Charts need a Chromium or Chrome browser (`apt-get install chromium` on Debian);
`--no-charts` makes packs of numbers and words only. Exit status: 0 done, 2 bad arguments,
3 no browser for the charts, 4 the database cannot be opened.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from outcomes import briefing_pack, change, db, export, queries


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m outcomes.pack",
        description="Write neighbourhood briefing packs (PowerPoint and PDF) into a folder.",
    )
    parser.add_argument("--lad", required=True, help="borough: LA 2024 code, e.g. E08000009")
    parser.add_argument("--model", help="neighbourhood model id, e.g. E08000009_localities2023")
    parser.add_argument(
        "--baseline",
        default="2019",
        help="baseline year (default 2019): each indicator changes from its own period nearest it",
    )
    parser.add_argument(
        "--neighbourhood",
        action="append",
        metavar="CODE",
        help="only this neighbourhood (repeat for several; default: every one of the model)",
    )
    parser.add_argument(
        "--indicator",
        default=briefing_pack.DEFAULT_INDICATOR,
        help="indicator of the ranking and map (default "
        f"{briefing_pack.DEFAULT_INDICATOR}; another is used, saying why, where it is the same "
        "in every neighbourhood)",
    )
    parser.add_argument(
        "--comparator",
        choices=("lad", "england", "rest"),
        default="lad",
        help="compare with the borough (default), England or the rest of the borough",
    )
    parser.add_argument("--ci", choices=("95", "998"), default="95", help="confidence level")
    parser.add_argument(
        "--format",
        action="append",
        choices=("pptx", "pdf"),
        help="pptx and/or pdf (repeat; default both)",
    )
    parser.add_argument("--out", type=Path, default=Path("packs"), help="folder (default packs/)")
    parser.add_argument("--no-charts", action="store_true", help="numbers and words only")
    parser.add_argument("--list-models", action="store_true", help="list the borough's models")
    parser.add_argument("--user-db", type=Path, help="user database (default: the app's)")
    parser.add_argument("--quiet", action="store_true", help="print only the files written")
    return parser


def _list_models(con, lad: str) -> int:
    models = queries.models(con, lad)
    if models.empty:
        print(f"error: no neighbourhood models for {lad}", file=sys.stderr)
        return 2
    for row in models.itertuples():
        print(f"{row.model_id}\t{row.model_name}\t{row.neighbourhoods} neighbourhoods")
    return 0


def _codes(args: argparse.Namespace, data: briefing_pack.ModelData) -> list[str] | None:
    """The neighbourhoods asked for (every one of the model by default); None, having said
    why, when some are not the model's."""
    codes = data.neighbourhoods.neighbourhood_code.tolist()
    if not args.neighbourhood:
        return codes
    unknown = [c for c in args.neighbourhood if c not in codes]
    if unknown:
        print(
            f"error: not neighbourhoods of {args.model}: {', '.join(unknown)}; "
            f"known: {', '.join(codes)}",
            file=sys.stderr,
        )
        return None
    return args.neighbourhood


def _check_arguments(args: argparse.Namespace) -> str | None:
    """Why the arguments cannot make packs (no model, a baseline that is not a year), else
    None."""
    if not args.model:
        return "error: name a model with --model (see --list-models)"
    if change.period_year(args.baseline) is None:
        return f"error: --baseline {args.baseline!r} is not a year such as 2019"
    return None


def _write(files: dict[str, bytes], out: Path) -> int:
    """Each file into `out`, never leaving half a file under its real name; their number."""
    for name, content in files.items():
        path = out / name
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(content)
        tmp.replace(path)
        print(path)
    return len(files)


def _options(args: argparse.Namespace) -> briefing_pack.PackOptions:
    return briefing_pack.PackOptions(
        baseline=args.baseline,
        comparator=args.comparator,
        ci_level=args.ci,
        indicator_id=args.indicator,
        charts=not args.no_charts,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    try:
        con = db.cursor(db.open_database(user_db=args.user_db))
    except db.DatabaseMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    if args.list_models:
        return _list_models(con, args.lad)
    problem = _check_arguments(args)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if not args.no_charts and not export.browser_available():
        print(f"error: no browser to draw the charts. {export.INSTALL_HINT}", file=sys.stderr)
        print("Or add --no-charts for packs of numbers and words only.", file=sys.stderr)
        return 3
    start = time.perf_counter()
    try:
        data = briefing_pack.load_model(con, args.lad, args.model, args.indicator)
    except briefing_pack.PackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    codes = _codes(args, data)
    if codes is None:
        return 2
    options = _options(args)
    formats = tuple(dict.fromkeys(args.format or ("pptx", "pdf")))
    args.out.mkdir(parents=True, exist_ok=True)
    say(f"{data.lad_name} · {data.model_name}: {len(codes)} neighbourhood pack(s) -> {args.out}/")
    if data.chart_note:
        say(f"note: {data.chart_note}")
    written = 0
    for i, code in enumerate(codes, start=1):
        began = time.perf_counter()
        try:
            pack = briefing_pack.build_pack(data, code, options)
        except export.ExportError as exc:
            print(f"error: {data.name_of(code)}: {exc}", file=sys.stderr)
            return 3
        written += _write(briefing_pack.pack_files(pack, formats), args.out)
        say(f"  [{i}/{len(codes)}] {pack.name}: {time.perf_counter() - began:.1f} s")
    say(f"{written} file(s) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
