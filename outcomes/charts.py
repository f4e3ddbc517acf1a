"""DataFrame -> plotly Figure, in one report-friendly, colour-blind-safe style. No Streamlit here.

Palette: Okabe-Ito (distinguishable with the common colour-vision deficiencies). Comparisons use
the same colours with a text label everywhere, so colour never carries meaning alone.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
COMPARISON_COLOURS = {
    "better": "#009E73",
    "similar": "#F0E442",
    "worse": "#D55E00",
    "higher": "#0072B2",
    "lower": "#E69F00",
    "not compared": "#BBBBBB",
}
BOROUGH_COLOUR = "#333333"
ENGLAND_COLOUR = "#777777"
FONT = "Arial, Helvetica, sans-serif"


def wrap(text: str, width: int = 140) -> str:
    """Break a long caption into lines for a chart footer."""
    import textwrap

    return "<br>".join(textwrap.wrap(text, width)) if text else ""


def base_layout(title: str, subtitle: str, source: str, height: int = 480) -> dict:
    """Layout shared by every chart: title and subtitle, legend under them, source at the foot."""
    return {
        "title": {
            "text": f"<b>{title}</b><br><span style='font-size:13px;color:#555'>{subtitle}</span>",
            "x": 0,
            "xanchor": "left",
            "y": 0.97,
            "yanchor": "top",
            "font": {"size": 17},
        },
        "font": {"family": FONT, "size": 13, "color": "#222"},
        "template": "simple_white",
        "colorway": OKABE_ITO,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 120, "b": 105},
        "legend": {
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": 12},
        },
        "annotations": [
            {
                "text": wrap(source),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -58,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": 10, "color": "#666"},
                "align": "left",
            }
        ],
    }


def axis_title(name: str, unit: str) -> str:
    """'IMD average score (score)' style axis label, without repeating a unit."""
    return name if unit in ("", "score", "people", "rank", "decile") else f"{name} ({unit})"


def trend_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    source: str,
    y_title: str,
    baseline: str | None = None,
    ci_level: str = "95",
) -> go.Figure:
    """Lines over periods: one per neighbourhood, plus the borough (dashed) and England
    (dotted). `frame` has area_type, area_name, period, value and CI columns."""
    fig = go.Figure()
    lower, upper = f"lower_ci{ci_level}", f"upper_ci{ci_level}"
    order = {"neighbourhood": 0, "rest": 1, "lad": 2, "england": 3}
    areas = (
        frame[["area_type", "area_name"]]
        .drop_duplicates()
        .assign(_o=lambda d: d["area_type"].map(order))
        .sort_values(["_o", "area_name"])
    )
    colour_index = 0
    for area_type, area_name in areas[["area_type", "area_name"]].itertuples(index=False):
        rows = frame[(frame.area_type == area_type) & (frame.area_name == area_name)]
        rows = rows.sort_values("period")
        if area_type == "neighbourhood":
            colour = OKABE_ITO[colour_index % len(OKABE_ITO)]
            colour_index += 1
            dash, width, label = "solid", 2.5, area_name
        elif area_type == "rest":
            colour, dash, width, label = "#000000", "dashdot", 2, area_name
        elif area_type == "lad":
            colour, dash, width, label = BOROUGH_COLOUR, "dash", 2, f"{area_name} (borough)"
        else:
            colour, dash, width, label = ENGLAND_COLOUR, "dot", 2, "England"
        has_ci = rows[lower].notna().any()
        error_y = None
        if has_ci:
            error_y = {
                "type": "data",
                "symmetric": False,
                "array": (rows[upper] - rows["value"]).tolist(),
                "arrayminus": (rows["value"] - rows[lower]).tolist(),
                "thickness": 1.2,
                "width": 4,
            }
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(rows["period_start"]),
                customdata=rows["period"].astype(str),
                y=rows["value"],
                mode="lines+markers",
                name=label,
                line={"color": colour, "dash": dash, "width": width},
                marker={"size": 7},
                error_y=error_y,
                hovertemplate=f"{label}<br>%{{customdata}}: %{{y:,.3~f}}<extra></extra>",
            )
        )
    layout = base_layout(title, subtitle, source)
    if len(areas) > 8:  # many neighbourhoods: a scrolling legend at the side, not over the title
        layout["legend"] = {"orientation": "v", "x": 1.02, "y": 1, "font": {"size": 11}}
        layout["margin"] = {**layout["margin"], "t": 90, "r": 10}
        layout["height"] = max(layout["height"], 520)
    fig.update_layout(**layout)
    ticks = frame[["period", "period_start"]].drop_duplicates().sort_values("period_start")
    fig.update_xaxes(
        title_text="Period",
        type="date",
        tickvals=pd.to_datetime(ticks["period_start"]),
        ticktext=ticks["period"].astype(str),
    )
    fig.update_yaxes(title_text=y_title, rangemode="tozero", gridcolor="#e5e5e5", showgrid=True)
    at_baseline = ticks[ticks["period"].astype(str) == str(baseline)]
    if baseline is not None and not at_baseline.empty:
        x = pd.to_datetime(at_baseline["period_start"].iloc[0]).strftime("%Y-%m-%d")
        fig.add_shape(
            type="line",
            x0=x,
            x1=x,
            y0=0,
            y1=1,
            yref="paper",
            line={"color": "#999", "width": 1.5, "dash": "dot"},
        )
        fig.add_annotation(
            x=x,
            y=1.0,
            yref="paper",
            text=f"Baseline {baseline}",
            showarrow=False,
            yanchor="bottom",
            font={"size": 11, "color": "#555"},
        )
    return fig


def lsoa_map(
    frame: pd.DataFrame,
    lsoa_geojson: dict,
    outlines: dict | None,
    centre: tuple[float, float],
    zoom: float,
    *,
    title: str,
    subtitle: str,
    source: str,
    colour_title: str,
    reverse_scale: bool = False,
    discrete_deciles: bool = False,
) -> go.Figure:
    """LSOA choropleth (MapLibre, no tiles needed, so it works offline) with neighbourhood
    outlines drawn on top. `frame` has lsoa21_code, lsoa21_name, neighbourhood_name, value."""
    hover = (
        "%{customdata[0]}<br>%{customdata[1]}<br>" + colour_title + ": %{z:,.3~f}<extra></extra>"
    )
    colourscale = "Cividis_r" if not reverse_scale else "Cividis"
    trace = go.Choroplethmap(
        geojson=lsoa_geojson,
        locations=frame["lsoa21_code"],
        z=frame["value"],
        customdata=frame[["lsoa21_name", "neighbourhood_name"]].to_numpy(),
        colorscale=colourscale,
        marker={"line": {"width": 0.4, "color": "#ffffff"}, "opacity": 0.9},
        colorbar={"title": {"text": colour_title, "side": "right"}, "thickness": 14},
        hovertemplate=hover,
    )
    if discrete_deciles:
        trace.update(zmin=1, zmax=10, colorbar={"tickvals": list(range(1, 11))})
    fig = go.Figure(trace)
    if outlines and outlines["features"]:
        lons, lats = [], []
        for feature in outlines["features"]:
            geometry = feature["geometry"]
            polygons = (
                geometry["coordinates"]
                if geometry["type"] == "MultiPolygon"
                else [geometry["coordinates"]]
            )
            for polygon in polygons:
                for ring in polygon[:1]:
                    lons += [p[0] for p in ring] + [None]
                    lats += [p[1] for p in ring] + [None]
        fig.add_trace(
            go.Scattermap(
                lon=lons,
                lat=lats,
                mode="lines",
                line={"color": "#111", "width": 2.2},
                name="Neighbourhood boundary",
                hoverinfo="skip",
            )
        )
    layout = base_layout(title, subtitle, source, height=560)
    layout["margin"] = {"l": 10, "r": 10, "t": 90, "b": 60}
    layout["annotations"][0]["yshift"] = -6
    layout["legend"] = {"orientation": "h", "y": 0.0, "x": 0, "bgcolor": "rgba(255,255,255,0.8)"}
    fig.update_layout(
        **layout,
        map={"style": "white-bg", "center": {"lon": centre[0], "lat": centre[1]}, "zoom": zoom},
    )
    return fig


def zoom_for(
    bounds: tuple[float, float, float, float], width_px: int = 700, height_px: int = 420
) -> tuple[tuple[float, float], float]:
    """Centre and the MapLibre zoom at which the bounds fit a map of the given size."""
    import math

    min_lon, min_lat, max_lon, max_lat = bounds
    centre = ((min_lon + max_lon) / 2, (min_lat + max_lat) / 2)
    stretch = 1 / math.cos(math.radians(centre[1]))  # Web Mercator stretches latitude
    fit_x = math.log2(width_px * 360 / (512 * max(max_lon - min_lon, 1e-4)))
    fit_y = math.log2(height_px * 360 / (512 * max(max_lat - min_lat, 1e-4) * stretch))
    return centre, max(4.0, min(13.0, min(fit_x, fit_y) - 0.15))
