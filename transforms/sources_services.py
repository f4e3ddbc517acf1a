"""Raw files for service use and cohesion indicators."""

from __future__ import annotations

from transforms.sources import RawFile

RAW_FILES: tuple[RawFile, ...] = ()
