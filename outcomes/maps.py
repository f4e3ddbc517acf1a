"""What the maps show: any indicator on LSOAs or neighbourhoods, one period or change since a
baseline, the words of their legends and the table of exactly what is mapped. DataFrames and
GeoJSON in, DataFrames and GeoJSON out; no Streamlit here. The figures are drawn by
`outcomes.charts.maps`.
"""

from __future__ import annotations

import pandas as pd

from outcomes import analysis, change, labels

LEVELS = {"lsoa": "LSOAs", "neighbourhood": "Neighbourhoods"}
LEVEL_NOUNS = {"lsoa": "LSOAs", "neighbourhood": "neighbourhoods"}  # mid-sentence
VIEWS = {"value": "Value in one period", "change": "Change since baseline"}


def nothing_to_map(level: str, indicator: str, borough: str) -> str:
    """'No LSOA values of … to map in Trafford.' (names already made safe by the caller)."""
    adjective = {"lsoa": "LSOA", "neighbourhood": "neighbourhood"}[level]
    return f"No {adjective} values of {indicator} to map in {borough}."


def levels_for(aggregation: str) -> list[str]:
    """Levels an indicator can be mapped at: LSOA-only indicators have no neighbourhood value."""
    return ["lsoa"] if aggregation == "lsoa_only" else ["lsoa", "neighbourhood"]


def change_indicator_id(indicator_id: str, aggregation: str, known_ids) -> str:
    """The indicator whose change is mapped. Ranks are not comparable between waves (the
    number of LSOAs changes), so an LSOA-only rank changes through its decile."""
    if aggregation == "lsoa_only" and indicator_id.endswith("_rank"):
        decile = indicator_id.removesuffix("_rank") + "_decile"
        if decile in set(known_ids):
            return decile
    return indicator_id


def lsoa_areas(lsoa_values: pd.DataFrame) -> pd.DataFrame:
    """LSOA rows (from queries.lsoa_values) in the area shape the comparisons use."""
    return lsoa_values.rename(
        columns={"lsoa21_code": "area_code", "lsoa21_name": "area_name"}
    ).assign(area_type="lsoa")


def neighbourhood_areas(area_values: pd.DataFrame) -> pd.DataFrame:
    """Neighbourhood rows of queries.area_values, each named as its own neighbourhood."""
    hoods = area_values[area_values.area_type == "neighbourhood"].copy()
    hoods["neighbourhood_name"] = hoods["area_name"]
    return hoods


def periods_of(areas: pd.DataFrame) -> list[str]:
    """Periods with at least one value, oldest first."""
    return sorted(areas.loc[areas["value"].notna(), "period"].astype(str).unique())


def value_frame(areas: pd.DataFrame, period: str) -> pd.DataFrame:
    """The areas' values in one period (areas without a value are left out)."""
    rows = areas[(areas["period"].astype(str) == period) & areas["value"].notna()]
    return rows.sort_values("area_code").reset_index(drop=True)


def change_periods(
    areas: pd.DataFrame, meta: analysis.IndicatorMeta, year: int, starts: pd.DataFrame
) -> change.Baseline:
    """The periods a change map runs between for the sidebar's baseline year, and whether a
    change may be mapped at all: never between non-comparable periods (a changed definition,
    a Census count against a mid-year estimate) nor with one period. `starts` (period,
    period_start) dates the LSOA rows, which carry no start of their own."""
    if "period_start" not in areas:
        areas = areas.merge(starts[["period", "period_start"]], on="period", how="left")
    return change.choose_baseline(areas, meta, year)


def no_change_words(chosen: change.Baseline, indicator: str) -> str:
    """Why no change is mapped, in plain words (plain text: escape before Markdown)."""
    return (
        f"No change is mapped for {indicator}: {chosen.note}. The map shows the latest "
        f"values ({chosen.latest}) instead."
    )


def change_frame(
    areas: pd.DataFrame,
    baseline: str,
    latest: str,
    meta: analysis.IndicatorMeta,
    ci_level: str,
) -> pd.DataFrame:
    """Latest value minus the baseline value per area, with its significance ('no test
    needed' for complete counts) and judgement; areas missing either value are left out."""
    change = analysis.change_since_baseline(areas, baseline, latest, meta, ci_level)
    names = areas[["area_code", "neighbourhood_name"]].drop_duplicates("area_code")
    change = change.merge(names, on="area_code", how="left")
    change = change[change["change"].notna()]
    return change.sort_values("area_code").reset_index(drop=True)


def value_legend(polarity: str) -> str:
    """What darker means on a value map."""
    return {
        "higher_is_worse": "darker = worse (higher is worse)",
        "higher_is_better": "darker = worse (higher is better)",
    }.get(polarity, "darker = higher (higher is neither better nor worse)")


def change_legend(polarity: str, comparable: bool = True) -> str:
    """What blue and orange mean on a change map: the polarity in words. A measure that is not
    comparable over time (e.g. IMD scores, relative within a wave) is shown but not judged."""
    if not comparable:
        direction = "fell" if polarity == "higher_is_worse" else "rose"
        other = "rose" if direction == "fell" else "fell"
        return (
            f"blue = {direction}, orange = {other} (not judged: this measure is not "
            "comparable over time)"
        )
    return {
        "higher_is_worse": "blue = improved (fell), orange = worsened (rose)",
        "higher_is_better": "blue = improved (rose), orange = worsened (fell)",
    }.get(polarity, "blue = rose, orange = fell (neither is better or worse)")


def table_for(
    frame: pd.DataFrame,
    *,
    view: str,
    level: str,
    meta: analysis.IndicatorMeta,
) -> pd.DataFrame:
    """Exactly the mapped values as a self-describing table (shown and downloaded)."""
    area = "lsoa21" if level == "lsoa" else "neighbourhood"
    out = pd.DataFrame(
        {
            "indicator_id": meta.indicator_id,
            "indicator_name": meta.name,
            "unit": meta.unit,
            f"{area}_code": frame["area_code"].map(labels.public_code),
            f"{area}_name": frame["area_name"],
        }
    )
    if level == "lsoa":
        out["neighbourhood_name"] = frame["neighbourhood_name"].to_numpy()
    if view == "change":
        out["baseline_period"] = frame["baseline"].to_numpy()
        out["latest_period"] = frame["current"].to_numpy()
        out["value_baseline"] = frame["value_baseline"].to_numpy()
        out["value_latest"] = frame["value_current"].to_numpy()
        out["change"] = frame["change"].to_numpy()
        if meta.has_ci:
            out["change_lower"] = frame["change_lower"].to_numpy()
            out["change_upper"] = frame["change_upper"].to_numpy()
        out["significance"] = frame["significance"].to_numpy()
        out["judgement"] = frame["direction"].to_numpy()
    else:
        out["period"] = frame["period"].astype(str).to_numpy()
        out["value"] = frame["value"].to_numpy()
        if meta.has_ci:
            for level_ in ("95", "998"):
                for side in ("lower", "upper"):
                    column = f"{side}_ci{level_}"
                    if column in frame:
                        out[column] = frame[column].to_numpy()
    return out.reset_index(drop=True)


def subset(geojson: dict, ids) -> dict:
    """The features of a FeatureCollection whose id is in `ids`."""
    wanted = set(ids)
    return {
        "type": "FeatureCollection",
        "features": [f for f in geojson.get("features", []) if f.get("id") in wanted],
    }
