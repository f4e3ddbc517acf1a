"""A borough's headline indicators: the outcomes profile its Briefing and packs show.

Shipped defaults pick one to three sound indicators from every domain of the catalogue (each
with neighbourhood values, a clear polarity where one exists, and the longest series the domain
has), then the borough's own uploaded partner data. A council can replace them with its own
outcomes framework: the set is saved per borough in the user store's settings (shared by
everyone using that store), only by an analyst or above, and every change is written to the
audit log in the same transaction. No Streamlit here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import pandas as pd

from outcomes.identity import User, can
from outcomes.uploads import audit
from outcomes.uploads.formats import DOMAIN as PARTNER_DOMAIN
from outcomes.uploads.storage import UserStore

#: The domains in the order a profile shows them; partner data comes last.
DOMAIN_ORDER = (
    "Deprivation",
    "Population",
    "Health",
    "Health access",
    "Housing",
    "Transport",
    "Service use",
    "Cohesion",
    PARTNER_DOMAIN,
)
#: Shipped headline indicators by domain, most important first. Ids the catalogue does not
#: hold are skipped, and a domain without any of these gets its first neighbourhood indicator.
DEFAULT_HEADLINES: dict[str, tuple[str, ...]] = {
    # Income deprivation (all ages, and children: IDACI), concentrated deprivation, and
    # homes without central heating (Census 2011 and 2021 on one geography).
    "Deprivation": (
        "income_deprived_pct",
        "income_deprived_children_pct",
        "imd_pop_most_deprived_10_pct",
        "no_central_heating_pct",
    ),
    # Residents, and their health as they report it (Census 2021).
    "Population": ("population", "bad_health_pct"),
    # Pressure on GP capacity over nine years; distance to a GP for one year.
    "Health access": ("gp_patients_per_fte_gp", "ahah_gp_drive_min"),
    # Bus service over two decades; car access (Census 2021).
    "Transport": ("pt_bus_trips_per_hour", "households_no_car_pct"),
    # Stroke admissions (neighbourhood rates with intervals); online consultations over time.
    "Service use": ("stroke_admissions_per_1000", "gp_online_consultations_per_1000"),
    # Loneliness and the Community Needs Index (social infrastructure).
    "Cohesion": ("loneliness_pct", "cni_score"),
}
MAX_HEADLINES = 24
MAX_PARTNER_DEFAULTS = 4
SETTING_PREFIX = "headlines:"


class HeadlineSetError(ValueError):
    """A headline set that cannot be saved (unknown or no indicators)."""


def setting_key(lad_code: str) -> str:
    """The user-store setting holding a borough's headline set."""
    return f"{SETTING_PREFIX}{lad_code}"


def neighbourhood_catalogue(catalogue: pd.DataFrame) -> pd.DataFrame:
    """The catalogue rows of indicators with neighbourhood values."""
    return _neighbourhood_rows(catalogue)


def _neighbourhood_rows(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Catalogue rows of indicators with neighbourhood values (not LSOA attributes such as
    ranks, not data published only for boroughs)."""
    rows = catalogue[catalogue.aggregation != "lsoa_only"]
    if "area_types" in rows:
        types = rows.area_types.fillna("neighbourhood").astype(str)
        rows = rows[types.str.contains("neighbourhood")]
    return rows


def domain_of(catalogue: pd.DataFrame) -> dict[str, str]:
    """{indicator id: domain}."""
    return dict(zip(catalogue.indicator_id, catalogue.domain, strict=True))


def default_ids(catalogue: pd.DataFrame, partner_ids: Sequence[str] = ()) -> tuple[str, ...]:
    """The shipped headline set: every domain of the catalogue covered (`DEFAULT_HEADLINES`
    where the catalogue holds them, else the domain's first neighbourhood indicator), then up to
    `MAX_PARTNER_DEFAULTS` of the borough's partner indicators (`partner_ids`)."""
    usable = _neighbourhood_rows(catalogue)
    known = set(usable.indicator_id)
    domains = [d for d in usable.domain.drop_duplicates() if d != PARTNER_DOMAIN]
    chosen: list[str] = []
    for domain in sorted(domains, key=_domain_rank):
        picks = [i for i in DEFAULT_HEADLINES.get(domain, ()) if i in known]
        if not picks:
            picks = usable[usable.domain == domain].indicator_id.head(1).tolist()
        chosen += picks
    chosen += [i for i in partner_ids if i in known][:MAX_PARTNER_DEFAULTS]
    return tuple(dict.fromkeys(chosen))


def _domain_rank(domain: str) -> tuple[int, str]:
    order = DOMAIN_ORDER.index(domain) if domain in DOMAIN_ORDER else len(DOMAIN_ORDER) - 1
    return order, domain


def by_domain(ids: Iterable[str], catalogue: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """The ids grouped by domain, domains in profile order, ids in their given order."""
    domains = domain_of(catalogue)
    groups: dict[str, list[str]] = {}
    for indicator_id in ids:
        groups.setdefault(domains.get(indicator_id, PARTNER_DOMAIN), []).append(indicator_id)
    return sorted(groups.items(), key=lambda item: _domain_rank(item[0]))


def stored_ids(store: UserStore, lad_code: str) -> tuple[str, ...] | None:
    """The borough's saved headline set, or None when it uses the shipped defaults."""
    raw = store.get_setting(setting_key(lad_code))
    if not raw:
        return None
    try:
        ids = json.loads(raw).get("indicators") or []
    except (ValueError, AttributeError):
        return None
    return tuple(str(i) for i in ids) or None


def resolve(
    stored: Sequence[str] | None, catalogue: pd.DataFrame, partner_ids: Sequence[str] = ()
) -> tuple[str, ...]:
    """The ids a profile shows: the saved set without ids the catalogue no longer holds
    (a deleted dataset), else the defaults."""
    if stored:
        known = set(_neighbourhood_rows(catalogue).indicator_id)
        kept = tuple(i for i in stored if i in known)
        if kept:
            return kept
    return default_ids(catalogue, partner_ids)


def headline_ids(
    store: UserStore, lad_code: str, catalogue: pd.DataFrame, partner_ids: Sequence[str] = ()
) -> tuple[str, ...]:
    """The borough's headline set as the Briefing and packs show it."""
    return resolve(stored_ids(store, lad_code), catalogue, partner_ids)


def _require_analyst(user: User) -> None:
    if not can(user, "upload"):
        raise PermissionError(
            f"{user.label or 'This user'} may not change the headline indicators: that needs "
            "the analyst role or above"
        )


def _checked(ids: Sequence[str], catalogue: pd.DataFrame) -> list[str]:
    ids = list(dict.fromkeys(str(i) for i in ids))
    if not ids:
        raise HeadlineSetError("choose at least one indicator")
    if len(ids) > MAX_HEADLINES:
        raise HeadlineSetError(f"choose at most {MAX_HEADLINES} indicators")
    unknown = sorted(set(ids) - set(_neighbourhood_rows(catalogue).indicator_id))
    if unknown:
        raise HeadlineSetError(f"not indicators with neighbourhood values: {', '.join(unknown)}")
    return ids


def save(
    store: UserStore,
    user: User,
    lad_code: str,
    lad_name: str,
    ids: Sequence[str] | None,
    catalogue: pd.DataFrame,
) -> bool:
    """Save the borough's headline set (`ids`; None goes back to the shipped defaults) with
    its audit entry; return whether it changed. PermissionError below the analyst role,
    HeadlineSetError for an empty, too long or unknown set."""
    _require_analyst(user)
    key = setting_key(lad_code)
    if ids is None:
        value, detail = "", "back to the shipped defaults"
    else:
        checked = _checked(ids, catalogue)
        value = json.dumps({"indicators": checked})
        detail = "indicators: " + ", ".join(checked)
    if (store.get_setting(key) or "") == value:
        return False
    entry = audit.entry(
        user,
        audit.SETTING_CHANGE,
        audit.SETTING,
        key,
        f"Headline indicators of {lad_name}",
        lad_code=lad_code,
        detail=detail,
    )
    return store.change_setting(key, value, entry)


def choosable(catalogue: pd.DataFrame) -> list[str]:
    """Every indicator a headline set may hold, domain by domain in catalogue order."""
    rows = _neighbourhood_rows(catalogue)
    ranks = rows.domain.map(lambda d: _domain_rank(str(d)))
    return rows.assign(_r=ranks).sort_values("_r", kind="stable").indicator_id.tolist()
