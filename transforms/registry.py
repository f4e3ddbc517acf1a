"""Everything the build knows about, assembled from the per-domain modules.

Each domain declares its raw files (`RAW_FILES`) and indicators (`INDICATORS`) in its own
module, so domains can be added without touching the others.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from transforms import (
    catalogue,
    catalogue_access,
    catalogue_services,
    sources,
    sources_access,
    sources_services,
)
from transforms.catalogue import Indicator
from transforms.sources import RawFile

RAW_FILES: tuple[RawFile, ...] = (
    sources.RAW_FILES + sources_access.RAW_FILES + sources_services.RAW_FILES
)
CATALOGUE: tuple[Indicator, ...] = tuple(
    replace(row, sort_order=order)
    for order, row in enumerate(
        catalogue.DEPRIVATION_INDICATORS
        + catalogue_access.INDICATORS
        + catalogue_services.INDICATORS,
        1,
    )
)


def catalogue_rows() -> list[dict[str, object]]:
    """The catalogue as plain dicts, in display order, for loading into the database."""
    return [asdict(row) for row in CATALOGUE]
