"""Load reports: a manager drops a national report, reads the validation report, then confirms.

Everything that comes from the file (its name, headers, cells, the reasons that quote them) is
shown as plain text: in `st.dataframe` cells, or through `fmt.literal` where Streamlit reads
Markdown. The file is planned once per upload (and per choice of defaults and data version),
not at every rerun, and refused by its size before it is read.
"""

from __future__ import annotations

import streamlit as st

from kafo_data.config import upload_enabled
from kafo_data.fmt import literal, number
from kafo_data.i18n import t
from kafo_data.ui import page as ui
from kafo_data.ui import reports
from kafo_data.ui.reports import Refused

lang, filters, notices = ui.start(managers_only=True, filters="none")
actor = ui.access().actor()  # recorded with each batch loaded or taken out
ui.link_notice(notices, lang)
st.title(t("upload.title", lang))
if not upload_enabled():
    st.info(t("upload.disabled", lang))
    st.stop()
st.markdown(t("upload.intro", lang))

ops = ui.operation_names()
names = ui.countries_of_seizure(lang)
done = st.session_state.get("upload_outcome")
if done:  # what the last store or removal did, and nothing checked again (issue 28)
    st.success(t("upload.done", lang, file=literal(done[0]), outcome=done[1]), icon="✅")
    if len(done) > 2:
        st.markdown(t("links.upload.stored", lang, batch=literal(done[2]), rows=number(done[3], lang)))
reports.template_buttons(lang)
# A new uploader after each store: the stored file is not checked again as if it were new.
file = st.file_uploader(t("access2.upload_label", lang, limit=reports.file_cap() // 2**20),
                        type=["csv", "xlsx", "txt"], key=f"upload_file_{st.session_state.get('upload_round', 0)}",
                        help=t("upload.file_help", lang))
reports.translated_dropzone(lang)
with st.expander(t("upload.defaults", lang)):
    default_op = st.selectbox(t("upload.default_operation", lang), [None, *ops], key="upload_op",
                              format_func=lambda v: t("upload.none", lang) if v is None else ops[v])
    default_country = st.selectbox(t("upload.default_country", lang), [None, *names],
                                   key="upload_country",
                                   format_func=lambda v: t("upload.none", lang) if v is None else names[v])

if file is None:
    reports.forget_plan()
if file is not None and file.size > reports.file_cap():
    st.error(t("upload.file_too_large", lang, size=number(round(file.size / 2**20, 1), lang),
               limit=number(reports.file_cap() // 2**20, lang)), icon="🚫")
    st.stop()
if file is not None:
    try:
        plan = reports.plan_upload(file, lang, default_op, default_country)
    except Refused as exc:
        st.error(str(exc), icon="🚫")
        st.stop()

    st.subheader(t("upload.report", lang))
    counts = st.columns(4)  # read = accepted + already loaded + rejected, in that order
    counts[0].metric(t("upload.read", lang), number(plan.read, lang))
    counts[1].metric(t("upload.accepted", lang), number(len(plan.accepted), lang))
    counts[2].metric(t("links.upload.already_loaded", lang), number(len(plan.already_loaded), lang))
    counts[3].metric(t("upload.rejected", lang), number(len(plan.rejected), lang))
    st.caption(plan.summary(lang))
    st.dataframe({t("upload.col.finding", lang): plan.report_lines(lang)}, hide_index=True)
    if plan.rejected:
        st.dataframe(plan.rejected_rows(lang), hide_index=True)
        st.download_button(t("upload.rejected_download", lang, count=number(len(plan.rejected), lang)),
                           data=plan.rejected_csv(), file_name=f"rejected_{file.name.rsplit('.', 1)[0]}.csv",
                           mime="text/csv", on_click="ignore", key="upload_rejected")

    if plan.duplicate_of:
        st.info(t("upload.already_loaded", lang, batch=plan.duplicate_of), icon="ℹ️")
    elif plan.accepted:
        strict = st.checkbox(t("upload.strict", lang), key="upload_strict", help=t("upload.strict_help", lang))
        label = t("upload.confirm", lang, count=number(len(plan.accepted), lang))
        if st.button(label, type="primary", key="upload_confirm"):
            try:
                said, batch_id, rows = reports.store(plan, strict, actor, lang)
            except Refused as exc:
                st.error(str(exc), icon="🚫")
                st.stop()
            st.session_state["upload_outcome"] = (file.name, said, batch_id, rows) if batch_id else (file.name, said)
            st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
            if batch_id:
                st.session_state["remove_id"] = batch_id  # ready to be taken back out, below
            st.rerun()
    else:
        st.warning(t("upload.nothing_to_store", lang), icon="⚠️")

st.subheader(t("upload.batches", lang))
stored = reports.stored()
damaged = reports.damaged(lang)
if damaged:
    st.warning(t("upload.damaged", lang, batches="; ".join(literal(d) for d in damaged)), icon="⚠️")
st.dataframe([{t("data.col.batch", lang): b.batch_id, t("data.col.origin", lang): b.file or b.kind,
               t("data.col.rows", lang): number(b.rows or 0, lang), t("data.col.when", lang): b.loaded_at,
               t("access.col.loaded_by", lang): b.loaded_by or ""}
              for b in stored], hide_index=True)
removable = [b.batch_id for b in stored if not b.is_sample]
if removable:
    with st.form("remove_batch"):
        chosen = st.selectbox(t("upload.remove_which", lang), removable, key="remove_id")
        sure = st.checkbox(t("upload.remove_sure", lang), key="remove_sure")
        if st.form_submit_button(t("upload.remove", lang)):
            if not sure:
                st.warning(t("upload.remove_confirm_first", lang))
            else:
                try:
                    removed = reports.remove(chosen, actor)
                    st.session_state.pop("remove_id", None)
                    st.session_state["upload_outcome"] = (removed.file or removed.batch_id,
                                                          t("upload.removed", lang, batch=removed.batch_id))
                    st.rerun()
                except Refused as exc:
                    st.error(str(exc))

st.subheader(t("access.removed.title", lang))
gone = reports.removed()
if gone:
    st.dataframe([{t("data.col.batch", lang): g.get("batch_id"), t("data.col.origin", lang): g.get("file") or "",
                   t("data.col.rows", lang): number(g.get("rows") or 0, lang),
                   t("access.col.loaded_by", lang): g.get("loaded_by") or "",
                   t("access.col.removed_by", lang): g.get("removed_by") or "",
                   t("access.col.removed_at", lang): g.get("removed_at") or ""} for g in gone], hide_index=True)
else:
    st.caption(t("access.removed.none", lang))
