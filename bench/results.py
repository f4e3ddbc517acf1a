"""Where benchmark results go: one JSON file per run in bench/results/ (git-ignored), with the
machine and code they were measured on, so numbers from different runs can be compared."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def environment() -> dict[str, object]:
    """The code and machine a result was measured on."""
    return {
        "git_commit": _git_commit(),
        "duckdb_version": duckdb.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }


def write_result(name: str, out_dir: Path, result: dict, stamp: datetime) -> Path:
    """Write `result` (plus the environment) as out_dir/<name>_<UTC time>.json; return it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}_{stamp.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps({**result, **environment()}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return path
