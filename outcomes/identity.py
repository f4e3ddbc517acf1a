"""Who is using the app and what they may do: roles from the identity provider's claims.

Sign-in uses Streamlit's own OIDC support (`st.login` / `st.user`), configured in
`.streamlit/secrets.toml` (`[auth]`). Roles come from configuration (`[roles]` in the same
file), matched on the signed-in user's email, email domain or group claims:

    [roles]
    admins = ["it.lead@trafford.gov.uk"]
    stewards = ["ig.officer@trafford.gov.uk"]
    analysts = ["@trafford.gov.uk", "group:bi-analysts"]   # "@domain", "group:<claim value>"
    # everyone else who signs in is a viewer

Without an `[auth]` section the app runs in local mode: one machine, no identity provider,
one local user (role from `OUTCOMES_LOCAL_ROLE`, default analyst), clearly labelled as such.
This module is plain logic apart from `current_user`, so the rules are tested directly.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ROLES = ("viewer", "analyst", "steward", "admin")
# What each permission needs: the lowest role that has it (roles are ordered).
PERMISSIONS = {
    "view": "viewer",  # public data and published partner aggregates
    "upload": "analyst",  # upload, replace and delete one's own models and datasets
    "manage_others": "steward",  # replace or delete anyone's models and datasets
    "set_policy": "steward",  # the disclosure policy
    "view_audit": "steward",  # see, filter and download the audit log
    "administer": "admin",
}
LOCAL_EMAIL = "local"
ROLE_LISTS = {"admin": "admins", "steward": "stewards", "analyst": "analysts"}


@dataclass(frozen=True)
class User:
    """The person using this session, as the identity provider (or local mode) states."""

    email: str
    name: str
    organisation: str
    role: str
    local_mode: bool = False

    @property
    def signed_in(self) -> bool:
        """True for a user the identity provider vouched for (not local mode, not anonymous)."""
        return bool(self.email) and not self.local_mode

    @property
    def label(self) -> str:
        """How the user is shown: 'Jo Bloggs (analyst, trafford.gov.uk)'."""
        who = self.name or self.email
        return f"{who} ({self.role}, {self.organisation})" if self.organisation else f"{who}"


def can(user: User, permission: str) -> bool:
    """Whether the user's role grants `permission` (a key of PERMISSIONS)."""
    return ROLES.index(user.role) >= ROLES.index(PERMISSIONS[permission])


def may_change(user: User, owner_email: str) -> bool:
    """Whether the user may replace or delete something owned by `owner_email`."""
    if can(user, "manage_others"):
        return True
    return can(user, "upload") and owner_email.casefold() == user.email.casefold()


def _groups(claims: Mapping[str, object]) -> set[str]:
    """Group and app-role claim values together (Entra ID sends group object ids in `groups`
    and app roles in `roles`), casefolded."""
    found: set[str] = set()
    for key in ("groups", "roles"):
        raw = claims.get(key) or []
        if isinstance(raw, str):
            raw = [raw]
        if isinstance(raw, Iterable):
            found |= {str(g).strip().casefold() for g in raw}
    return found - {""}


def verified_email(claims: Mapping[str, object]) -> str:
    """The claims' email, casefolded; empty when absent or when the provider says it is not
    verified (`email_verified` false), so it can neither grant a role nor own anything."""
    if claims.get("email_verified") is False or claims.get("email_verified") == "false":
        return ""
    return str(claims.get("email") or "").strip().casefold()


def _matches(entry: str, email: str, groups: set[str]) -> bool:
    entry = entry.strip().casefold()
    if entry.startswith("group:"):
        return entry.removeprefix("group:") in groups
    if entry.startswith("@"):
        return email.endswith(entry)
    return entry == email


def role_for(claims: Mapping[str, object], roles: Mapping[str, object]) -> str:
    """The highest role whose list in `roles` (the `[roles]` configuration) matches the
    claims' email, its domain ('@domain') or a group ('group:<name>'); else viewer. An email
    the provider has not verified (`email_verified` false) matches nothing."""
    email = verified_email(claims)
    groups = _groups(claims)
    for role in reversed(ROLES[1:]):
        entries = roles.get(ROLE_LISTS[role], [])
        if isinstance(entries, str):
            entries = [entries]
        if (email or groups) and any(_matches(str(e), email, groups) for e in entries):
            return role
    return "viewer"


def organisation_for(claims: Mapping[str, object]) -> str:
    """The user's organisation: an `organisation` claim, else their email domain."""
    org = str(claims.get("organisation") or claims.get("org") or "").strip()
    email = verified_email(claims)
    return org or (email.rsplit("@", 1)[1] if "@" in email else "")


def user_from_claims(claims: Mapping[str, object], roles: Mapping[str, object]) -> User:
    """A signed-in user from the identity token's claims and the role configuration. Without
    a verified email the user is known by the provider's subject id (`sub:<id>`), which no
    email-keyed owner or role entry can match."""
    return User(
        email=verified_email(claims) or f"sub:{claims.get('sub') or ''}",
        name=str(claims.get("name") or ""),
        organisation=organisation_for(claims),
        role=role_for(claims, roles),
    )


def anonymous_user() -> User:
    """A visitor who has not signed in where sign-in is configured: a viewer."""
    return User(email="", name="", organisation="", role="viewer")


def local_user() -> User:
    """The one user of local mode (no identity provider configured)."""
    role = os.environ.get("OUTCOMES_LOCAL_ROLE", "analyst")
    if role not in ROLES:
        role = "analyst"
    return User(
        email=LOCAL_EMAIL,
        name="Local user",
        organisation="this machine",
        role=role,
        local_mode=True,
    )
