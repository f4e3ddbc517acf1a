"""Raw files for health access and transport indicators."""

from __future__ import annotations

from transforms.sources import RawFile

RAW_FILES: tuple[RawFile, ...] = ()
