"""Overview: what KAFO is, when and where each edition ran, and what each one published."""

from __future__ import annotations

import html

import streamlit as st

from kafo_data.config import GEO_URL
from kafo_data.fmt import literal
from kafo_data.i18n import t
from kafo_data.seizures import charts, queries, views
from kafo_data.ui import brief as ui_brief
from kafo_data.ui import look
from kafo_data.ui import page as ui

lang, filters, notices = ui.start()
ui.link_notice(notices, lang)
look.image_format(lang)

st.title(t("overview.title", lang))

ops = ui.q(queries.operations)
figures = ui.q(queries.figures)
op_countries = ui.q(queries.operation_countries)
sources = ui.q(queries.sources)
names = ui.country_names(lang)

# Each caption names the sources of the rows its chart draws (dates, countries, officers), once per data version.
timeline_sources, map_sources, officers_lines = ui.per_version(
    ("overview.sources", lang), lambda: views.chart_sources(ops, op_countries, figures, sources, lang))

def plain(text: str) -> str:
    """Text from data as Plotly shows it: its HTML-like marks made inert."""
    return html.escape(text, quote=False)


if filters.countries or filters.categories or filters.date_from or filters.date_to:
    st.info(t("overview.filters_not_applied", lang), icon="ℹ️")
shown_ops = [op for op in ops.operation_id if not filters.operations or op in filters.operations]
op_names = dict(zip(ops.operation_id, ops.name, strict=True))
# One edition at a time (the most recent first): the page was 6,000 px of every edition's cards.
# Results first, then the timeline and the map: on a phone the first published figure is on the first screen.
ui.link_notice(ui.choice("ov_operation", shown_ops, shown_ops[-1] if shown_ops else None), lang)
# The picker's label is the section's heading: a heading above it put the first figure below a phone's screen.
chosen = st.segmented_control(f"**{t('overview.results', lang)}**", shown_ops, key="ov_operation", required=True,
                              format_func=lambda o: op_names.get(o, o), help=t("look.jump_help", lang))
with st.container(horizontal=True):  # the brief of the edition shown, or of every edition the filter keeps
    ui_brief.button("overview", lang, (chosen,) if chosen else (), key="brief_one",
                    label=t("brief.button_one", lang, operation=op_names.get(chosen, chosen)))
    ui_brief.button("overview", lang, tuple(filters.operations), key="brief_all", label=t("brief.button_all", lang))
for op in ops[ops.operation_id == chosen].itertuples():
    with st.container(border=True):
        st.subheader(f"{literal(op.name)} · {views.period(op, lang)}")
        for note in views.date_notes(ops[ops.operation_id == op.operation_id], lang):
            st.caption(literal(note))
        cards = ui.per_version(("overview.cards", chosen, lang), lambda: views.figure_cards(figures, chosen, lang))
        for first in range(0, len(cards), 3):  # cards in rows of three, so a row's cards line up
            for column, card in zip(st.columns(3), cards[first:first + 3], strict=False):
                marks, footnotes = views.card_footnotes(card)  # the value carries the mark of each footnote
                column.markdown(ui.block(
                    f"**{literal(card.label)}**" + ("" if card.value_text else marks),
                    f"### {literal(card.value_text)}{marks}" if card.value_text else "",
                    *views.quote_lines(card, lang, literal),
                    small=[*([t("facts3.card_note", lang, text=literal(card.note))] if card.note else []),
                           t("overview.source", lang, source=ui.link(card.source_title, card.source_url),
                             date=literal(card.source_published)),
                           *(literal(note) for note in footnotes)]))

# What the figures are, once they are seen; then what KAFO is (issue 28: on a phone these were 1,300 px above
# the first published figure).
st.caption(t("overview.results_caption", lang)
           + ("" if filters.countries or filters.categories or filters.date_from or filters.date_to
              else " " + t("overview.filters_not_applied", lang)))
st.markdown(t("overview.intro", lang))
meaning_source = ui.link(*views.dated_source(sources, views.NAME_MEANING_SOURCE, lang))
st.caption(t("facts3.name_meaning", lang, source=meaning_source))  # the source's words; in French, ours labelled

# Stacked, each chart the page's full width: the map then shows every country whole at any width.
look.kept_chart(("overview.timeline", lang), lambda: charts.timeline(
    views.timeline_frame(ops, figures, names, lang), t("overview.timeline", lang), t("overview.countries", lang),
    t("overview.officers", lang), source=t("facts2.source.timeline", lang, sources=plain(timeline_sources)),
    lang=lang))
st.caption(" ".join([t("overview.timeline_caption", lang),
                     literal(t("facts2.sources_line", lang, sources=timeline_sources)),
                     *(literal(line) for line in officers_lines)]))
participation = ui.per_version(("overview.participation", lang),
                               lambda: views.participation_frame(op_countries, ops, lang))
look.kept_chart(("overview.participation", lang), lambda: charts.participation_map(
    participation, GEO_URL, t("overview.map", lang), t("overview.editions", lang),
    source=t("facts2.source.participation", lang, sources=plain(map_sources)), lang=lang))
st.caption(t("overview.map_caption", lang) + " " + literal(t("facts2.sources_line", lang, sources=map_sources)))
ui.twin(t("overview.map_table", lang), "twin_participation", lambda: views.participation_table(participation, lang))
