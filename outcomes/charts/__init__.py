"""DataFrame -> plotly Figure, in one report-friendly, colour-blind-safe style. No Streamlit here.

One module per family of figures, all in the style of `style` (palette, shared layout, labels):
`trends` (an indicator over time), `comparison` (ranked values, funnel plot, spine chart),
`maps` (choropleths and a model's map), `models` (models side by side) and `inequality` (by
deprivation decile). The names below are the ones pages, packs and exports use.
"""

from outcomes.charts.comparison import comparison_text, funnel_chart, ranked_chart, spine_chart
from outcomes.charts.inequality import decile_chart
from outcomes.charts.maps import (
    GEO_BASE_LAYERS,
    GEO_STYLE,
    MAP_AREA_PX,
    OFFLINE_STYLE,
    ORANGE_TO_BLUE,
    TILE_STYLE,
    change_colourscale,
    choropleth,
    label_points,
    label_trace,
    model_map,
    neighbour_colours,
    outline_trace,
    symmetric_range,
    zoom_for,
)
from outcomes.charts.models import spread_chart
from outcomes.charts.style import (
    BOROUGH_COLOUR,
    COMPARISON_COLOURS,
    ENGLAND_COLOUR,
    OKABE_ITO,
    axis_title,
    base_layout,
    format_value,
    wrap,
)
from outcomes.charts.trends import trend_chart

__all__ = [
    "BOROUGH_COLOUR",
    "COMPARISON_COLOURS",
    "ENGLAND_COLOUR",
    "GEO_BASE_LAYERS",
    "GEO_STYLE",
    "MAP_AREA_PX",
    "OFFLINE_STYLE",
    "OKABE_ITO",
    "ORANGE_TO_BLUE",
    "TILE_STYLE",
    "axis_title",
    "base_layout",
    "change_colourscale",
    "choropleth",
    "comparison_text",
    "decile_chart",
    "format_value",
    "funnel_chart",
    "label_points",
    "label_trace",
    "model_map",
    "neighbour_colours",
    "outline_trace",
    "ranked_chart",
    "spine_chart",
    "spread_chart",
    "symmetric_range",
    "trend_chart",
    "wrap",
    "zoom_for",
]
