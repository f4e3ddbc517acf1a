"""What a user sees when a page fails: a plain message and a short error id, never a traceback
or a server path. The traceback goes to the server log under the same id, so an administrator
can find it from what the user reports.

Streamlit's own control flow (`st.stop`, `st.rerun`, `st.switch_page`) raises exceptions too;
they pass through untouched. Uncaught errors elsewhere are hidden by `client.showErrorDetails
= "none"` in .streamlit/config.toml.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import RerunException, StopException

from outcomes.uploads.problems import StoreBusy

LOG = logging.getLogger("outcomes.errors")
PLAIN = (
    "Something went wrong on this page and it could not be shown. Reload the page or try "
    "again later; if it keeps happening, tell the dashboard's administrator the error id "
    "{error_id}."
)


NO_DATA = (
    "The dashboard cannot open its data just now. Try again in a few minutes; if it keeps "
    "happening, tell the dashboard's administrator the error id {error_id}."
)


def data_unavailable() -> None:
    """Inside `except db.DatabaseMissing`: a plain message with an error id; the reason,
    which names server paths, goes to the server log under that id."""
    error_id = new_error_id()
    LOG.exception("error id %s: the dashboard cannot open its data", error_id)
    st.error(NO_DATA.format(error_id=error_id))


def new_error_id() -> str:
    """A short random id (8 hexadecimal characters) tying a message to its log entry."""
    return secrets.token_hex(4)


def run_page(run: Callable[[], object], page: str = "") -> None:
    """Run a page; an unexpected exception becomes a plain message with an error id, and its
    traceback is logged (ERROR, logger `outcomes.errors`) with that id and the page."""
    try:
        run()
    except (StopException, RerunException):
        raise
    except StoreBusy as exc:  # a write that kept conflicting with another session's
        st.warning(exc.MESSAGE[0].upper() + exc.MESSAGE[1:] + ".")
    except Exception:
        error_id = new_error_id()
        LOG.exception("error id %s on page %r", error_id, page)
        st.error(PLAIN.format(error_id=error_id))
