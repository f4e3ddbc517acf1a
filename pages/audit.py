"""Audit log: who uploaded, replaced, deleted or downloaded partner data, and policy changes.

For data stewards and admins. The log lives in the user database, so restarts and rebuilds of
the public data keep it; nothing in the dashboard changes or removes an entry.
"""

from datetime import UTC, datetime

import streamlit as st

from outcomes import export, signin, ui
from outcomes.uploads import audit, refresh, storage

ui.current_selection()  # the router runs first (a direct link to this page included)
st.title("Audit log")
signin.require("view_audit")
con = ui.cursor()
refresh.apply_policy(con)  # a configuration change of the policy shows here at once

st.markdown(
    "Every upload, replacement and deletion of a neighbourhood model or partner dataset, every "
    "change of the disclosure policy, and every download of a table made from partner data: "
    "who (email, role, organisation), when (UTC), what, the uploaded file's SHA-256 and its "
    "rows. Each entry is written in the same transaction as the change it records. Entries "
    "are only ever added: nothing in the dashboard changes or removes them."
)
log = storage.store_for(con).audit_log()
if log.empty:
    st.info("Nothing recorded yet.")
    st.stop()

pick = st.columns([2, 2, 2])
actions = pick[0].multiselect(
    "Actions", audit.ACTIONS, placeholder="All actions", key="audit_actions"
)
actor = pick[1].text_input("User (email or name contains)", key="audit_actor")
first, last = log["at_utc"].min().date(), log["at_utc"].max().date()
days = pick[2].date_input(
    "Dates (UTC)", value=(first, last), format="YYYY-MM-DD", key="audit_dates"
)
days = tuple(days) if isinstance(days, tuple) else (days,)  # one day while a range is picked
shown = audit.for_display(
    audit.filtered(
        log,
        actions=actions,
        actor=actor,
        start=days[0] if days else None,
        end=days[-1] if days else None,
    )
)
st.caption(f"{len(shown):,} of {len(log):,} entries, newest first.")
st.dataframe(shown, hide_index=True, width="stretch")
st.download_button(
    "Download these entries (CSV)",
    export.to_csv_bytes(shown),  # formula-safe: names and file names are user text
    file_name=f"audit_log_{datetime.now(UTC):%Y%m%d_%H%M}Z.csv",
    mime="text/csv",
    key="audit_download",
    icon=":material/download:",
    on_click="ignore",
)
