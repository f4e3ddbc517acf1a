"""Catalogue entries for health access and transport indicators."""

from __future__ import annotations

from transforms.catalogue import Indicator

INDICATORS: tuple[Indicator, ...] = ()
