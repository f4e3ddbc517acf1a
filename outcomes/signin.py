"""Who is using this session, the sidebar's sign-in block, and permission gates for pages.

Sign-in is Streamlit's own OIDC support (`st.login`, `st.user`, `st.logout`), configured in
`.streamlit/secrets.toml` (`[auth]`, see `.streamlit/secrets.example.toml`); roles come from
its `[roles]` section through `outcomes.identity`. Three modes:

- no secrets file, or one without `[auth]`: local mode, one machine, one local user;
- `[auth]` complete: visitors are anonymous viewers until they sign in;
- `[auth]` incomplete or the file unreadable: sign-in is unavailable and everyone is an
  anonymous viewer. A broken configuration never falls back to local mode, which would make
  every visitor of a server an analyst.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from outcomes import identity
from outcomes.text import clean_text

_LOG = logging.getLogger(__name__)
# What Streamlit's default provider needs in [auth] (named providers are not used here).
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
# How each permission is named in a refusal: "Sign in to <what>".
ACTIONS = {
    "view": "see this page",
    "upload": "upload and manage your own models and datasets",
    "manage_others": "replace or delete other people's models and datasets",
    "set_policy": "change the disclosure policy",
    "view_audit": "see the audit log",
    "administer": "administer the dashboard",
}


@dataclass(frozen=True)
class Config:
    """The sign-in mode ('local', 'oidc' or 'unavailable'), the [roles] table and, when
    unavailable, why (for the server log only)."""

    mode: str
    roles: Mapping[str, object] = field(default_factory=dict)
    problem: str = ""


def config_from_secrets(secrets: Mapping[str, object]) -> Config:
    """The mode a secrets table puts the app in. Plain logic."""
    if "auth" not in secrets:
        return Config("local")
    auth = secrets["auth"]
    if not isinstance(auth, Mapping):
        return Config("unavailable", problem="[auth] is not a table")
    missing = [key for key in AUTH_KEYS if not str(auth.get(key) or "").strip()]
    if missing:
        return Config("unavailable", problem=f"[auth] lacks {', '.join(missing)}")
    roles = secrets.get("roles") or {}
    if not isinstance(roles, Mapping):
        return Config("unavailable", problem="[roles] is not a table")
    return Config("oidc", roles)


@cache
def _log_problem(problem: str) -> None:
    _LOG.error("Sign-in unavailable: %s", problem)  # once per problem and process


def current_config() -> Config:
    """The sign-in mode of this server, from its secrets (no file at all: local mode)."""
    try:
        secrets = st.secrets.to_dict()
    except StreamlitSecretNotFoundError as exc:
        if getattr(exc, "error_id", None) == "no-secrets-found":
            return Config("local")
        config = Config("unavailable", problem=f"the secrets file cannot be read: {exc}")
    else:
        config = config_from_secrets(secrets)
    if config.problem:
        _log_problem(config.problem)
    return config


def _user_for(config: Config) -> identity.User:
    if config.mode == "local":
        return identity.local_user()
    claims = st.user.to_dict()
    if config.mode != "oidc" or claims.get("is_logged_in") is not True:
        return identity.anonymous_user()
    return identity.user_from_claims(claims, config.roles)


def current_user() -> identity.User:
    """The person using this session: the local user, an anonymous viewer, or who the
    identity provider says signed in, with the role [roles] gives them."""
    return _user_for(current_config())


def sidebar() -> identity.User:
    """The sign-in block in the sidebar: who this is and a sign-in or sign-out button.
    Names and emails come from the identity provider: shown as plain text, never Markdown."""
    config = current_config()
    user = _user_for(config)
    box = st.sidebar.container(border=True)
    if config.mode == "local":
        box.text(f"Local mode: one machine, no sign-in; you are the local {user.role}.")
    elif config.mode == "unavailable":
        box.warning(
            "Sign-in is not available (its configuration is incomplete; the server log says "
            "why). You see public data and published partner aggregates only."
        )
    elif user.signed_in:
        box.text(f"Signed in as {clean_text(user.name or user.email)}")
        where = f", {clean_text(user.organisation)}" if user.organisation else ""
        box.text(f"Role: {user.role}{where}")
        box.button("Sign out", key="signin_logout", on_click=st.logout)
    else:
        box.text("Not signed in: you see public data and published partner aggregates.")
        box.button("Sign in", key="signin_login", type="primary", on_click=st.login)
    return user


def refusal(user: identity.User, permission: str) -> str:
    """Why `user` may not do what `permission` covers, in plain words (no user text)."""
    needed = identity.PERMISSIONS[permission]
    action = ACTIONS.get(permission, "do this")
    if user.local_mode:
        return (
            f"Local mode runs as {user.role} (OUTCOMES_LOCAL_ROLE): to {action} you need the "
            f"{needed} role."
        )
    if not user.signed_in:
        return f"Sign in to {action} (it needs the {needed} role or above)."
    return (
        f"Your role ({user.role}) cannot {action}: that needs the {needed} role or above. "
        "Ask the dashboard's administrator if you need it."
    )


def allows(permission: str, *, quiet: bool = False) -> bool:
    """Whether this session's user has `permission`; if not, says so (unless `quiet`) and the
    page goes on, so a viewer still sees what they may see."""
    user = current_user()
    if identity.can(user, permission):
        return True
    if not quiet:
        st.info(refusal(user, permission))
    return False


def require(permission: str) -> identity.User:
    """This session's user if they have `permission`; otherwise the page stops with a plain
    message."""
    user = current_user()
    if not identity.can(user, permission):
        st.info(refusal(user, permission))
        st.stop()
    return user
