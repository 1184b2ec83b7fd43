"""The Load reports page's way to the ingest and the store: plan a file, store it, list and remove batches.

The page keeps the layout and the wording; what it reads or writes goes through here, as every
other page reaches its data through `ui/`. A plan is made once per uploaded file, defaults,
language and data version (kept in the session), so a rerun (a checkbox) reuses it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from kafo_data.config import data_dir
from kafo_data.fmt import literal, number
from kafo_data.i18n import t
from kafo_data.ingest import read, template
from kafo_data.ingest import seizures as ingest
from kafo_data.ingest.commit import commit, outcome
from kafo_data.ingest.messages import ReportError
from kafo_data.ingest.seizures import IngestPlan
from kafo_data.ingest.vocabulary import MappingError
from kafo_data.store import batches
from kafo_data.store.db import data_version

_PLAN = "upload_plan"


class Refused(Exception):
    """What the page shows instead of a result: a message already safe for Markdown."""


def file_cap() -> int:
    """The largest file accepted, in bytes: the page refuses a bigger one before reading it."""
    return read.MAX_FILE_BYTES


def plan_upload(file: Any, lang: str, operation: str | None, country: str | None) -> IngestPlan:
    """The plan of an uploaded file (`st.file_uploader`'s value); Refused when it cannot be read."""
    root = data_dir()
    key = (file.file_id, file.size, operation, country, lang, data_version(root))
    cached = st.session_state.get(_PLAN)
    if cached is not None and cached[0] == key:
        return cached[1]
    st.session_state.pop(_PLAN, None)
    try:
        plan = ingest.plan(root, file.name, file.getvalue(), lang_hint=lang, operation=operation, country=country)
    except ReportError as exc:
        raise Refused(t("upload.unreadable", lang, reason=exc.markdown(lang))) from exc
    except MappingError as exc:
        raise Refused(mapping_problem(exc, lang)) from exc
    st.session_state[_PLAN] = (key, plan)
    return plan


def forget_plan() -> None:
    """Let the session's plan go when the uploader is emptied: a 50,000 x 80 plan is about 85 MB (issue 25)."""
    st.session_state.pop(_PLAN, None)


def mapping_problem(exc: MappingError, lang: str) -> str:
    """A broken vocabulary file as a manager reads it: which list, which row, what to do; never a server path
    (the command line names the file, for the administrator who edits it)."""
    listed = t(f"links.mapping.{exc.file.removesuffix('.csv')}", lang)
    where = t("links.mapping.row", lang, line=exc.line) if exc.line else t("links.mapping.whole", lang)
    return t("links.mapping.broken", lang, list=listed, where=where, problem=literal(exc.problem))


def store(plan: IngestPlan, strict: bool, actor: str, lang: str) -> tuple[str, str | None, int]:
    """Store the plan's accepted rows: the sentence saying what was written, the new batch (None when nothing
    was) and the rows stored (Refused when nothing could be read)."""
    try:
        result = commit(data_dir(), plan, strict=strict, loaded_by=actor)
    except ReportError as exc:
        raise Refused(t("upload.unreadable", lang, reason=exc.markdown(lang))) from exc
    st.session_state.pop(_PLAN, None)
    return outcome(result, lang), result.batch_id, result.stored


def template_buttons(lang: str) -> None:
    """The blank report, XLSX and CSV, in the page's language: built on click (`ingest.template`)."""
    root = data_dir()
    with st.expander(t("links.template.title", lang), icon=":material/description:"):
        st.caption(t("links.template.caption", lang))
        with st.container(horizontal=True):
            for fmt, make, mime in (("xlsx", template.xlsx, _XLSX), ("csv", template.csv_bytes, "text/csv")):
                st.download_button(t(f"links.template.{fmt}", lang), data=lambda make=make: make(root, lang),
                                   file_name=f"{t('links.template.file', lang)}.{fmt}", mime=mime,
                                   on_click="ignore", key=f"template_{fmt}", icon=":material/download:")


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def translated_dropzone(lang: str) -> None:
    """The drop zone's own line ("10MB per file • CSV, XLSX, TXT", Streamlit's English) in the page's language."""
    words = t("links.upload.limit", lang, size=number(file_cap() // 2**20, lang)).replace("\\", "").replace('"', "")
    st.html('<style>[data-testid="stFileUploaderDropzoneInstructions"] * {font-size: 0 !important;}'
            '[data-testid="stFileUploaderDropzoneInstructions"]::after {content: "' + words + '";'
            ' font-size: 0.875rem; color: #4a5361;}</style>')


def stored() -> list[batches.BatchInfo]:
    return batches.list_batches(data_dir())


def damaged(lang: str) -> list[str]:
    return batches.damaged_notices(data_dir(), lang)


def removed() -> list[dict]:
    return batches.removed_batches(data_dir())


def remove(batch_id: str, actor: str) -> batches.BatchInfo:
    """Take a report batch back out (Refused, with the store's reason, when it cannot be)."""
    try:
        info = batches.remove_batch(data_dir(), batch_id, removed_by=actor)
    except batches.BatchError as exc:
        raise Refused(literal(exc)) from exc
    st.session_state.pop(_PLAN, None)
    return info
