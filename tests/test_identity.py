"""Roles from identity claims and the [roles] configuration, and what each role may do.
Claims and emails here are synthetic."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outcomes import identity

# synthetic: a council's [roles] table
ROLES_TABLE = {
    "admins": ["IT.Lead@trafford.gov.uk"],
    "stewards": ["ig.officer@trafford.gov.uk", "group:IG-Team"],
    "analysts": ["@trafford.gov.uk", "group:bi-analysts", "partner.analyst@nhs.net"],
}


def _role(**claims: object) -> str:
    return identity.role_for(claims, ROLES_TABLE)


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("it.lead@trafford.gov.uk", "admin"),
        ("IT.LEAD@Trafford.gov.uk", "admin"),  # emails compare without case
        ("ig.officer@trafford.gov.uk", "steward"),
        ("jo.bloggs@trafford.gov.uk", "analyst"),  # by domain
        ("partner.analyst@nhs.net", "analyst"),  # by exact email
        ("someone.else@nhs.net", "viewer"),
        ("jo@nottrafford.gov.uk", "viewer"),  # a longer domain is another domain
        ("jo@sub.trafford.gov.uk", "viewer"),  # a subdomain is another domain
        ("jo@trafford.gov.uk.example.com", "viewer"),
        ("trafford.gov.uk", "viewer"),
        ("", "viewer"),
    ],
)
def test_roles_by_email_and_domain(email: str, role: str) -> None:
    assert _role(email=email) == role


def test_roles_by_group_and_app_role_claims() -> None:
    assert _role(email="x@example.org", groups=["bi-analysts"]) == "analyst"
    assert _role(email="x@example.org", groups=["ig-team"]) == "steward"  # no case
    assert _role(email="x@example.org", groups="IG-Team") == "steward"  # a single string
    assert _role(groups=["bi-analysts"]) == "analyst"  # no email at all
    # Entra ID sends app roles in `roles`: read with the groups, not instead of them
    assert _role(email="x@example.org", groups=["other"], roles=["IG-Team"]) == "steward"
    assert _role(email="x@example.org", groups=["analysts"]) == "viewer"
    assert _role(email="x@example.org", groups=[]) == "viewer"


def test_the_highest_matching_role_wins() -> None:
    # in analysts by domain and in stewards by group: steward
    assert _role(email="jo@trafford.gov.uk", groups=["IG-Team"]) == "steward"
    # in admins by email and in analysts by domain: admin
    assert _role(email="it.lead@trafford.gov.uk", groups=["bi-analysts"]) == "admin"
    # the order of the table's keys does not matter
    reordered = dict(reversed(list(ROLES_TABLE.items())))
    assert identity.role_for({"email": "it.lead@trafford.gov.uk"}, reordered) == "admin"


def test_an_unverified_email_grants_nothing_and_owns_nothing() -> None:
    claims = {"sub": "abc123", "email": "it.lead@trafford.gov.uk", "email_verified": False}
    assert identity.role_for(claims, ROLES_TABLE) == "viewer"
    user = identity.user_from_claims(claims, ROLES_TABLE)
    assert user.email == "sub:abc123" and user.organisation == ""
    assert not identity.may_change(user, "it.lead@trafford.gov.uk")
    assert _role(email="it.lead@trafford.gov.uk", email_verified="false") == "viewer"
    # a group claim still counts: the provider states it, not the user
    unverified_in_group = {**claims, "groups": ["bi-analysts"]}
    assert identity.role_for(unverified_in_group, ROLES_TABLE) == "analyst"
    # verified, or not stated (Entra ID does not send email_verified): the email counts
    assert _role(email="it.lead@trafford.gov.uk", email_verified=True) == "admin"


def test_configuration_shapes() -> None:
    assert identity.role_for({"email": "a@b.org"}, {}) == "viewer"  # no [roles]: viewers
    assert identity.role_for({"email": "a@b.org"}, {"admins": "a@b.org"}) == "admin"  # a string
    assert identity.role_for({"email": "a@b.org"}, {"admins": [" A@B.org "]}) == "admin"
    # an empty entry matches nobody, not everybody
    assert identity.role_for({"email": "a@b.org"}, {"admins": ["", "@", "group:"]}) == "viewer"
    assert identity.role_for({}, {"admins": ["", "group:"]}) == "viewer"


def test_user_from_claims() -> None:
    claims = {"sub": "1", "email": "Jo.Bloggs@Trafford.gov.uk", "name": "Jo Bloggs"}
    user = identity.user_from_claims(claims, ROLES_TABLE)
    assert user == identity.User(
        email="jo.bloggs@trafford.gov.uk",
        name="Jo Bloggs",
        organisation="trafford.gov.uk",
        role="analyst",
    )
    assert user.signed_in and not user.local_mode
    assert user.label == "Jo Bloggs (analyst, trafford.gov.uk)"
    with_org = identity.user_from_claims({**claims, "organisation": "NHS GM"}, ROLES_TABLE)
    assert with_org.organisation == "NHS GM"


def test_anonymous_and_local_users(monkeypatch: pytest.MonkeyPatch) -> None:
    anonymous = identity.anonymous_user()
    assert anonymous.role == "viewer" and not anonymous.signed_in
    monkeypatch.delenv("OUTCOMES_LOCAL_ROLE", raising=False)
    local = identity.local_user()
    assert local.role == "analyst" and local.local_mode and not local.signed_in
    monkeypatch.setenv("OUTCOMES_LOCAL_ROLE", "steward")
    assert identity.local_user().role == "steward"
    monkeypatch.setenv("OUTCOMES_LOCAL_ROLE", "superuser")  # not a role: the default
    assert identity.local_user().role == "analyst"


EXPECTED = {  # role -> the permissions it has
    "viewer": {"view"},
    "analyst": {"view", "upload"},
    "steward": {"view", "upload", "manage_others", "set_policy", "view_audit"},
    "admin": set(identity.PERMISSIONS),
}


@pytest.mark.parametrize("role", identity.ROLES)
def test_what_each_role_may_do(role: str) -> None:
    user = identity.User(email="me@example.org", name="", organisation="", role=role)
    assert {p for p in identity.PERMISSIONS if identity.can(user, p)} == EXPECTED[role]
    own, other = identity.may_change(user, "ME@example.org"), identity.may_change(user, "x@y.z")
    assert (own, other) == {
        "viewer": (False, False),
        "analyst": (True, False),
        "steward": (True, True),
        "admin": (True, True),
    }[role]


_entries = st.lists(st.sampled_from(["a@x.org", "@x.org", "@y.org", "group:g", "group:h"]))


@given(
    table=st.fixed_dictionaries(dict.fromkeys(identity.ROLE_LISTS.values(), _entries)),
    extra=st.sampled_from(["a@x.org", "@x.org", "group:g"]),
    key=st.sampled_from(list(identity.ROLE_LISTS.values())),
    email=st.sampled_from(["a@x.org", "b@x.org", "a@y.org", ""]),
    groups=st.lists(st.sampled_from(["g", "h", "k"])),
)
def test_adding_an_entry_never_lowers_a_role(table, extra, key, email, groups) -> None:
    claims = {"email": email, "groups": groups}
    before = identity.role_for(claims, table)
    after = identity.role_for(claims, {**table, key: [*table[key], extra]})
    assert identity.ROLES.index(after) >= identity.ROLES.index(before)
