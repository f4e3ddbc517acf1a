"""Catalogue entries for service use and cohesion indicators."""

from __future__ import annotations

from transforms.catalogue import Indicator

INDICATORS: tuple[Indicator, ...] = ()
