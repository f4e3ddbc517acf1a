"""Sign-in and roles: the configuration modes, the gates on the pages (AppTest), and the real
flow: a local OpenID Connect provider (oidc-provider-mock), the real Streamlit server with
`[auth]` and `[roles]` pointing at it, and headless Chromium signing in as each role.

People, emails and groups here are synthetic."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from outcomes import identity, signin

PROJECT_DIR = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# synthetic: the [roles] table of the test server, one way of matching per role
ROLES = {
    "admins": ["admin@council.example"],
    "stewards": ["group:IG-Team"],
    "analysts": ["@council.example"],
}
# synthetic: the people the mock provider knows, by subject
PEOPLE = {
    "viewer": {"email": "resident@partner.example", "name": "Vi Ewer"},
    "analyst": {
        "email": "analyst@council.example",
        "name": "Ana <b>Lyst</b> [link](http://127.0.0.1:9/x)",  # a hostile name: data
    },
    "steward": {"email": "ig@partner.example", "name": "Stew Ard", "groups": ["IG-Team"]},
    "admin": {"email": "admin@council.example", "name": "Ad Min"},
    "unverified": {"email": "admin@council.example", "email_verified": False, "name": "Un"},
}
AUTH = {  # synthetic: a complete [auth] table
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "synthetic-cookie-secret-for-tests-only",
    "client_id": "dashboard",
    "client_secret": "synthetic-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


# --- the configuration modes (plain logic) ---


def test_no_auth_table_is_local_mode() -> None:
    assert signin.config_from_secrets({}).mode == "local"
    assert signin.config_from_secrets({"disclosure": {"suppress_below": 10}}).mode == "local"


def test_a_complete_auth_table_is_sign_in_mode_with_its_roles() -> None:
    config = signin.config_from_secrets({"auth": AUTH, "roles": ROLES})
    assert (config.mode, dict(config.roles), config.problem) == ("oidc", ROLES, "")
    assert dict(signin.config_from_secrets({"auth": AUTH}).roles) == {}  # all viewers


@pytest.mark.parametrize(
    ("secrets", "problem"),
    [
        ({"auth": {}}, "[auth] lacks redirect_uri, cookie_secret, client_id"),
        ({"auth": {**AUTH, "client_secret": " "}}, "[auth] lacks client_secret"),
        ({"auth": "yes"}, "[auth] is not a table"),
        ({"auth": AUTH, "roles": ["admin@council.example"]}, "[roles] is not a table"),
    ],
)
def test_an_incomplete_auth_table_never_falls_back_to_local_mode(secrets, problem) -> None:
    config = signin.config_from_secrets(secrets)
    assert config.mode == "unavailable" and config.problem.startswith(problem)


def test_refusals_say_what_is_needed_in_plain_words() -> None:
    anonymous = identity.anonymous_user()
    assert signin.refusal(anonymous, "upload") == (
        "Sign in to upload and manage your own models and datasets (it needs the analyst "
        "role or above)."
    )
    viewer = identity.User("v@x.org", "V", "x.org", "viewer")
    assert "Your role (viewer) cannot upload" in signin.refusal(viewer, "upload")
    local = identity.User("local", "Local user", "this machine", "viewer", local_mode=True)
    assert signin.refusal(local, "view_audit").startswith("Local mode runs as viewer")


# --- the gates in the app, through AppTest (no browser, no provider) ---

ROUTER = (PROJECT_DIR / "dashboard.py").read_text(encoding="utf-8")
ROUTER = ROUTER.replace('st.Page("pages/', f'st.Page("{PROJECT_DIR}/pages/')


def _app(page: str, secrets: dict | None = None, claims: dict | None = None) -> AppTest:
    at = AppTest.from_string(ROUTER, default_timeout=120)
    if secrets:
        at.secrets = secrets
    if claims is not None:
        at.user = {"is_logged_in": True, "sub": "s1", **claims} if claims else {}
    at.query_params.update({"lad": "E08000009", "model": "E08000009_localities2023"})
    at.run()
    at.switch_page(str(PROJECT_DIR / "pages" / page)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sidebar_text(at: AppTest) -> str:
    return " | ".join(t.value for t in at.sidebar.text)


def _upload_forms(at: AppTest) -> set[str]:
    keys = {b.key for b in at.button if b.key}
    return {k.split(":")[1].split("-")[0] for k in keys if k.startswith("FormSubmitter:")}


OIDC = {"auth": AUTH, "roles": ROLES}


def test_local_mode_is_labelled_and_the_local_analyst_uploads(app_db, monkeypatch) -> None:
    monkeypatch.delenv("OUTCOMES_LOCAL_ROLE", raising=False)
    at = _app("partner_data.py")
    assert "Local mode: one machine, no sign-in; you are the local analyst." in _sidebar_text(at)
    assert not at.sidebar.button  # nothing to sign in to
    assert "upload_data" in _upload_forms(at)
    at = _app("neighbourhoods.py")
    assert "upload_model" in _upload_forms(at)


def test_local_mode_can_run_as_a_viewer(app_db, monkeypatch) -> None:
    monkeypatch.setenv("OUTCOMES_LOCAL_ROLE", "viewer")
    at = _app("partner_data.py")
    assert "you are the local viewer" in _sidebar_text(at)
    assert "upload_data" not in _upload_forms(at)
    assert any("Local mode runs as viewer" in i.value for i in at.info)


def test_a_visitor_who_has_not_signed_in_is_a_viewer(app_db) -> None:
    at = _app("partner_data.py", OIDC, claims={})
    assert "Not signed in" in _sidebar_text(at)
    assert [b.label for b in at.sidebar.button] == ["Sign in"]
    assert "upload_data" not in _upload_forms(at) and not at.get("file_uploader")
    assert any(i.value.startswith("Sign in to upload") for i in at.info)
    at = _app("neighbourhoods.py", OIDC, claims={})
    assert "upload_model" not in _upload_forms(at)
    assert not [b for b in at.button if b.label == "Delete this model"]


@pytest.mark.parametrize(
    ("person", "uploads"),
    [("viewer", False), ("analyst", True), ("steward", True), ("admin", True)],
)
def test_signed_in_users_get_their_role(app_db, person: str, uploads: bool) -> None:
    at = _app("partner_data.py", OIDC, claims=PEOPLE[person])
    assert f"Signed in as {PEOPLE[person]['name']}" in _sidebar_text(at)
    assert f"Role: {person}" in _sidebar_text(at)
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert ("upload_data" in _upload_forms(at)) is uploads
    at = _app("neighbourhoods.py", OIDC, claims=PEOPLE[person])
    assert ("upload_model" in _upload_forms(at)) is uploads


def test_an_incomplete_configuration_makes_everyone_a_viewer(app_db) -> None:
    broken = {"auth": {"redirect_uri": AUTH["redirect_uri"]}, "roles": ROLES}
    at = _app("partner_data.py", broken, claims=PEOPLE["admin"])
    assert any("Sign-in is not available" in w.value for w in at.sidebar.warning)
    assert "upload_data" not in _upload_forms(at)


GATE = """
import streamlit as st
from outcomes import signin
user = signin.require("{permission}")
st.text("past the gate as " + user.role)
"""


@pytest.mark.parametrize("person", ["viewer", "analyst", "steward", "admin"])
@pytest.mark.parametrize("permission", list(identity.PERMISSIONS))
def test_require_stops_the_page_without_the_permission(person: str, permission: str) -> None:
    at = AppTest.from_string(GATE.format(permission=permission))
    at.secrets = OIDC
    at.user = {"is_logged_in": True, **PEOPLE[person]}
    at.run()
    assert not at.exception
    allowed = identity.can(identity.User("", "", "", person), permission)
    assert bool(at.text) is allowed
    assert bool(at.info) is not allowed


# --- the real flow: a local OIDC provider, the Streamlit server and Chromium ---


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {seconds:.0f} s")


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """oidc-provider-mock on 127.0.0.1, in a thread, knowing PEOPLE by subject."""
    import oidc_provider_mock
    import werkzeug.serving

    users = [oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in PEOPLE.items()]
    app = oidc_provider_mock.app(user_claims=users)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        _wait_for(f"{url}/.well-known/openid-configuration", 20)
        yield url
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def _secrets_toml(port: int, provider_url: str) -> str:
    def toml_list(items: list[str]) -> str:
        return "[" + ", ".join(f'"{i}"' for i in items) + "]"

    auth = {
        **AUTH,
        "redirect_uri": f"http://127.0.0.1:{port}/oauth2callback",
        "server_metadata_url": f"{provider_url}/.well-known/openid-configuration",
    }
    lines = ["[auth]", *(f'{k} = "{v}"' for k, v in auth.items()), "", "[roles]"]
    lines += [f"{k} = {toml_list(v)}" for k, v in ROLES.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def signin_app(real_db: Path, provider: str, tmp_path_factory) -> Iterator[str]:
    """The dashboard on a free port with [auth] pointing at the local provider."""
    port = _free_port()
    folder = tmp_path_factory.mktemp("signin_server")
    secrets = folder / "secrets.toml"
    secrets.write_text(_secrets_toml(port, provider), encoding="utf-8")
    env = {
        **os.environ,
        "OUTCOMES_DB": str(real_db),
        "OUTCOMES_USER_DB": str(folder / "user.duckdb"),
    }
    command = [sys.executable, "-m", "streamlit", "run", "serve.py"]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    command += ["--secrets.files", str(secrets)]
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=log)
    try:
        _wait_for(f"http://127.0.0.1:{port}/_stcore/health")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield instance
        instance.close()


def _settle(page) -> None:
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_function(
        "document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=60_000
    )


def _visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stText"]', timeout=60_000)
    _settle(page)


def _sign_in(page, app: str, provider: str, subject: str) -> None:
    """Sign in as a person would: the sidebar's button, then the provider's form."""
    _visit(page, f"{app}/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{provider}/oauth2/authorize**", timeout=30_000)
    page.locator('input[name="sub"]').fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app}/**", timeout=30_000)
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stText"]', timeout=60_000)
    _settle(page)


def _sidebar(page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()


def _shown(page, allowed, refused) -> bool:
    """Whether the page shows `allowed` (True) or `refused` (False): one of them must show, so
    an absent form counts only when the refusal is there instead."""
    allowed.or_(refused).first.wait_for(timeout=30_000)
    assert (allowed.count() > 0) != (refused.count() > 0)
    return allowed.count() > 0


def _sees(page, app: str) -> dict[str, bool]:
    """What this session can see and do on Your data, Neighbourhoods and Audit log."""
    cannot_upload = page.get_by_text("upload and manage your own models and datasets")
    _visit(page, f"{app}/your-data")
    uploader = page.locator('[data-testid="stFileUploader"]')
    seen = {"upload data": _shown(page, uploader, cannot_upload)}
    _visit(page, f"{app}/neighbourhoods")
    save_model = page.get_by_role("button", name="Check and save the model")
    seen["upload model"] = _shown(page, save_model, cannot_upload)
    _visit(page, f"{app}/audit")
    # every page has its title; the log's description shows only past the role check
    audit = page.get_by_text("Every upload, replacement and deletion")
    seen["audit log"] = _shown(page, audit, page.get_by_text("cannot see the audit log"))
    return seen


ROLE_MATRIX = {
    "viewer": {"upload data": False, "upload model": False, "audit log": False},
    "analyst": {"upload data": True, "upload model": True, "audit log": False},
    "steward": {"upload data": True, "upload model": True, "audit log": True},
    "admin": {"upload data": True, "upload model": True, "audit log": True},
}


LOOPBACK = ("http://127.0.0.1:", "ws://127.0.0.1:")


@pytest.fixture
def session(browser, signin_app: str) -> Iterator[tuple[object, list[str]]]:
    """A fresh browser profile (no cookies) and the outside requests the app's pages made.
    Nothing leaves the machine: requests beyond 127.0.0.1 are refused (the mock provider's own
    page asks for a stylesheet on a CDN; that one is not the app's)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    context.route(lambda url: not url.startswith(LOOPBACK), lambda route: route.abort())
    page = context.new_page()
    outside: list[str] = []

    def record(request) -> None:
        if not request.url.startswith(LOOPBACK) and request.frame.url.startswith(signin_app):
            outside.append(request.url)

    page.on("request", record)
    try:
        yield page, outside
    finally:
        context.close()


@pytest.mark.parametrize("role", list(ROLE_MATRIX))
@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_signing_in_as_each_role(session, signin_app: str, provider: str, role: str) -> None:
    page, outside = session
    _sign_in(page, signin_app, provider, role)
    sidebar = _sidebar(page)
    assert f"Signed in as {PEOPLE[role]['name']}" in sidebar, sidebar  # the name as written
    assert f"Role: {role}" in sidebar
    assert page.locator('[data-testid="stSidebar"] a[href*="127.0.0.1:9"]').count() == 0
    assert page.locator('[data-testid="stSidebar"] b').count() == 0
    assert _sees(page, signin_app) == ROLE_MATRIX[role]
    assert outside == []


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_a_visitor_signs_in_and_out(session, signin_app: str, provider: str) -> None:
    page, outside = session
    _visit(page, f"{signin_app}/your-data")
    assert "Not signed in" in _sidebar(page)
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert page.get_by_text("Sign in to upload").count() == 1
    _sign_in(page, signin_app, provider, "unverified")  # a listed admin's email, unverified
    assert "Role: viewer" in _sidebar(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider}/oauth2/end_session**", timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{signin_app}/**", timeout=30_000)
    _visit(page, f"{signin_app}/your-data")
    assert "Not signed in" in _sidebar(page)
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert outside == []
