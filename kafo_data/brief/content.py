"""The brief as HTML: the page's title and selection, its published results, charts, money, citation and terms.

Every string from the data or a link goes through `e()` (HTML-escaped) and an address becomes a
link only when it is http(s); charts are the pages' own figures as SVG, embedded as `data:`
images the renderer may open. Only reference facts and the budget are read: never a seizure record.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kafo_data.brief.cite import citation, terms
from kafo_data.config import GEO_FILE
from kafo_data.fmt import date as fmt_date
from kafo_data.fmt import money as fmt_money
from kafo_data.i18n import t
from kafo_data.money import charts as money_charts
from kafo_data.money import queries as money_queries
from kafo_data.money import views as money_views
from kafo_data.money.filters import MoneyFilters
from kafo_data.seizures import chart_context, charts, queries, views
from kafo_data.store.as_of import data_as_of
from kafo_data.store.db import Database

PAGES: tuple[str, ...] = ("overview", "operations", "budget")
PAGE_TITLES = {"overview": "overview.title", "operations": "operations.title", "budget": "budget.title"}
Svg = Callable[..., bytes]  # images.svg: a figure (and a width) in, SVG bytes out


@dataclass(frozen=True)
class Request:
    """What the brief shows: the page, its language, the operations (empty: every edition), the view's address.

    `donors` and `outputs` are the Budget page's own filters (empty: all), as its filter bar holds them.
    """

    page: str = "overview"
    lang: str = "en"
    operations: tuple[str, ...] = ()
    include_sample: bool = True
    address: str = ""
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
    donors: tuple[str, ...] = ()
    outputs: tuple[int, ...] = ()

    def money_filters(self) -> MoneyFilters:
        """The Budget page's whole selection: its donors and outputs, the sidebar's operations and sample switch."""
        return MoneyFilters(self.donors, self.outputs, self.operations, self.include_sample)


def e(value: object) -> str:
    """Text from data or a link, as HTML text: every <, >, & and quote escaped; blank for None/NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True)


def link(text: object, url: object) -> str:
    """A link only for an http(s) address without spaces or angle brackets; else the text alone."""
    if isinstance(url, str) and url.startswith(("https://", "http://")) and not any(c in url for c in " <>\"'"):
        return f'<a href="{e(url)}">{e(text)}</a>'
    return e(text)


def _image(svg: bytes, alt: str) -> str:
    data = base64.b64encode(svg).decode("ascii")
    return f'<figure><img alt="{e(alt)}" src="data:image/svg+xml;base64,{data}"></figure>'


def _results(db: Database, req: Request) -> str:
    lang = req.lang
    ops = queries.operations(db)
    figures = queries.figures(db)
    chosen = [op for op in ops.itertuples() if not req.operations or op.operation_id in req.operations]
    parts = [f"<h2>{e(t('overview.results', lang))}</h2>"]
    for op in chosen:
        parts.append(f'<section class="op"><h3>{e(op.name)} · {e(views.period(op, lang))}</h3>')
        for note in views.date_notes(ops[ops.operation_id == op.operation_id], lang):
            parts.append(f'<p class="small">{e(note)}</p>')
        parts.append("<table class='results'><thead><tr>" + "".join(
            f"<th>{e(t(k, lang))}</th>" for k in ("results.col.indicator", "results.col.result", "results.col.text",
                                                   "results.col.source_title")) + "</tr></thead><tbody>")
        rows = [r for r in figures.to_dict("records") if r["operation_id"] == op.operation_id]
        numbers: dict[str, int] = {}  # source_id -> its number in this edition's list of sources
        for row, card in zip([r for r in rows if r["shown"]], views.figure_cards(figures, op.operation_id, lang),
                             strict=True):
            own = numbers.setdefault(card.source_id, len(numbers) + 1)  # the page quoted (French: UNODC's French page)
            others = [o for o in rows if not o["shown"] and o["footnote_of"] == row["figure_id"]]
            notes = "".join(f'<div class="small">{e(n)} [{numbers.setdefault(o["source_id"], len(numbers) + 1)}]</div>'
                            for n, o in zip(card.footnotes, others, strict=True))
            quote, *ours = views.quote_lines(card, lang)  # the source's words, then our translation (smaller)
            # our translation runs on after the quote, smaller and labelled: a line of its own cost a French brief
            # of Trigger VIII its margin on the second page
            words = e(quote) + "".join(f' <span class="small">{e(line)}</span>' for line in ours)
            parts.append(f"<tr><td>{e(card.label)}</td><td class='value'>{e(card.value_text) or '—'}</td>"
                         f"<td>{words}{notes}</td><td>[{own}]</td></tr>")
        parts.append("</tbody></table><ol class='sources'>")
        by_id = {r["source_id"]: r for r in rows}
        by_id.update({r["fr_source_id"]: views.french_page(r) for r in rows if isinstance(r["fr_text"], str)})
        for source_id in numbers:
            r = by_id[source_id]
            url = r["source_url"] if isinstance(r["source_url"], str) else ""
            parts.append(f"<li>[{numbers[source_id]}] {link(r['source_title'], url)}, "
                         f"{e(money_views.publisher(r, lang))}, {e(r['source_published'])}"
                         + (f'<br><span class="url">{e(url)}</span>' if url else "") + "</li>")
        parts.append("</ol>")
        parts.append("</section>")
    return "".join(parts)


def _table(frame: Any) -> str:
    """A small frame as an HTML table, every header and cell escaped."""
    head = "".join(f"<th>{e(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table class='side'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _side_by_side(db: Database, req: Request) -> str:
    """The Operations page's editions side by side (the chosen ones), as the page shows them."""
    lang = req.lang
    ops = queries.operations(db)
    if req.operations:
        ops = ops[ops.operation_id.isin(list(req.operations))]
    names = {r.iso3: getattr(r, f"name_{lang}") for r in queries.countries(db).itertuples()}
    figures, sources = queries.figures(db), queries.sources(db)
    # the officers' sources and the notes their marks (¹, ²) point to, as under the page's table
    notes = "".join(f'<p class="small">{e(line)}</p>' for line in views.officers_sources(ops, figures, sources, lang))
    return (f"<h2>{e(t('operations.side_by_side', lang))}</h2>"
            + _table(views.operations_table(ops, figures, names, sources, lang)) + notes)


def _timeline(db: Database, req: Request, svg: Svg) -> str:
    lang = req.lang
    ops = queries.operations(db)
    names = {r.iso3: getattr(r, f"name_{lang}") for r in queries.countries(db).itertuples()}
    figures = queries.figures(db)
    frame = views.timeline_frame(ops, figures, names, lang)
    sources = views.chart_sources(ops, queries.operation_countries(db), figures, queries.sources(db), lang)[0]
    figure = charts.timeline(frame, t("overview.timeline", lang), t("overview.countries", lang),
                             t("overview.officers", lang), lang=lang,
                             source=t("facts2.source.timeline", lang, sources=sources))
    # Wide and low: a sixth of the page, the same text; one row an edition still has room (the page's own is taller).
    figure = {**figure, "layout": {**figure["layout"], "height": min(int(figure["layout"].get("height", 450)), 340)}}
    return _image(svg(figure, width=1200), t("overview.timeline", lang))


def _map(db: Database, req: Request, svg: Svg) -> str:
    """The Overview's map of the countries that took part, from the bundled outlines (nothing fetched)."""
    lang = req.lang
    ops = queries.operations(db)
    op_countries = queries.operation_countries(db)
    sources = views.chart_sources(ops, op_countries, queries.figures(db), queries.sources(db), lang)[1]
    outlines = json.loads(GEO_FILE.read_text(encoding="utf-8"))
    figure = charts.participation_map(views.participation_frame(op_countries, ops, lang), outlines,
                                      t("overview.map", lang), t("overview.editions", lang), lang=lang,
                                      source=t("facts2.source.participation", lang, sources=sources))
    return _image(svg(figure), t("overview.map", lang))


def _money(db: Database, req: Request, svg: Svg | None) -> str:
    lang = req.lang
    total = money_queries.project_budget(db)
    parts = [f"<h2>{e(t('budget.title', lang))}</h2>"]
    if total:
        parts.append(f"<p><b>{e(t('budget.total', lang))}</b>: {e(fmt_money(total['value'], total['currency'], lang))}"
                     f" — {link(total['source_title'], total['source_url'])}, {e(money_views.publisher(total, lang))}, "
                     f"{e(total['source_published'])}</p>")
    state = money_queries.sample_state(db)
    shown = {k: v for k, v in state.items() if v == "real" or (v == "sample" and req.include_sample)}
    filters = req.money_filters()
    execution = money_queries.execution(db, filters) if shown else None
    if req.outputs:  # the short labels of the selection line, named in full once
        names = money_views.output_names(money_queries.project_items(db), lang)
        parts.append("<ul class='small'>" + "".join(
            f"<li>{e(t('budget.output_n', lang, n=n))}: {e(names.get(n, ''))}</li>" for n in req.outputs) + "</ul>")
    if req.donors:
        without = money_views.donors_without_amounts(_donor_names(db, lang), money_queries.by_donor(db, filters),
                                                     req.donors)
        if without:
            parts.append(f'<p>{e(t("budget.donor.no_amounts", lang, donors=", ".join(without)))}</p>')
    if execution is not None and not execution.empty:
        if req.operations:  # as the page says it: the budget is the whole project's, not the operation's
            names = {r.operation_id: r.name for r in queries.operations(db).itertuples()}
            chosen = ", ".join(names.get(o, o) for o in req.operations)
            parts.append(f'<p class="small">{e(t("links.not_split", lang, operations=chosen))}</p>')
        if "sample" in shown.values():
            parts.append(f'<p class="illustration"><b>{e(t("brief.illustration", lang))}</b> '
                         f'{e(t("budget.sample_notice", lang))}</p>')
        for head in money_views.headlines(execution, lang):
            cells = [(t("budget.metric.budget", lang, currency=head.currency), head.budget, ""),
                     *head.measures, (t("budget.metric.spend", lang), head.spend, head.spend_share)]
            parts.append("<table class='money'><tr>" + "".join(f"<th>{e(c[0])}</th>" for c in cells) + "</tr><tr>"
                         + "".join(f"<td>{e(c[1])}" + (f"<br><span class='small'>{e(c[2])}</span>" if c[2] else "")
                                   + "</td>" for c in cells) + "</tr></table>")
        source = money_views.source_caption(shown, lang)
        if svg is not None:
            names = {r.operation_id: r.name for r in queries.operations(db).itertuples()}
            figure = chart_context.with_context(money_charts.execution_chart(
                execution, t("budget.spending.chart", lang), t("budget.amount", lang), lang, source=source),
                chart_context.Context((*(names.get(o, o) for o in req.operations), *_money_selection(db, req))))
            parts.append(_image(svg(figure), t("budget.spending.chart", lang)))
        parts.append(f'<p class="small">{e(source)}</p>')
    parts.append(f"<h3>{e(t('budget.donors.title', lang))}</h3><ul>")
    for card in money_views.donor_cards(money_queries.donor_operations(db), lang):
        lines = "".join(f"<li>{e(line.target)}: {e(line.what)} — {link(line.source_title, line.source_url)}, "
                        f"{e(line.source_publisher)}, {e(line.source_published)}</li>" for line in card.lines)
        parts.append(f"<li><b>{e(card.name)}</b> · {e(card.kind)}<ul>{lines}</ul></li>")
    parts.append("</ul>")
    return "".join(parts)


def _donor_names(db: Database, lang: str) -> dict[str, str]:
    frame = money_queries.donors(db)
    return dict(zip(frame.donor_id, frame[f"name_{lang}"], strict=True))


def _money_selection(db: Database, req: Request) -> tuple[str, ...]:
    """The Budget page's donors and outputs as its filter bar names them (short: "Output 2")."""
    names = _donor_names(db, req.lang) if req.donors else {}
    return (*(names.get(d, d) for d in req.donors), *(t("budget.output_n", req.lang, n=n) for n in req.outputs))


def selection_text(db: Database, req: Request) -> str:
    """The selection in words: "Operations: KAFO II" or "Operations: all editions"; the budget's donors and outputs."""
    lang = req.lang
    names = {r.operation_id: r.name for r in queries.operations(db).itertuples()}
    chosen = ", ".join(names.get(o, o) for o in req.operations) if req.operations else t("brief.all_editions", lang)
    text = t("brief.selection", lang, operations=chosen)
    if req.page != "budget":
        return text
    donors = _donor_names(db, lang)
    return " · ".join([
        text,
        t("brief.donors", lang, donors=", ".join(donors.get(d, d) for d in req.donors) if req.donors
          else t("brief.all_donors", lang)),
        t("brief.outputs", lang, outputs=", ".join(t("budget.output_n", lang, n=n) for n in req.outputs)
          if req.outputs else t("brief.all_outputs", lang))])


def compose(db: Database, req: Request, svg: Svg | None) -> str:
    """The brief's whole HTML; `svg` turns a figure into SVG (None: no charts, and the brief says why)."""
    if req.page not in PAGES:
        raise ValueError(f"unknown page {req.page!r} (one of {', '.join(PAGES)})")
    lang = req.lang
    as_of = data_as_of(db.root)
    title = t(PAGE_TITLES[req.page], lang)
    body = [f"<header><p class='kicker'>{e(t('brief.kicker', lang))}</p><h1>{e(title)}</h1>",
            f"<p class='meta'>{e(selection_text(db, req))} · {e(t('brief.as_of', lang, date=fmt_date(as_of, lang)))}"
            f" · {e(t('brief.made', lang, date=fmt_date(req.today, lang)))}</p>"]
    if req.address:
        body.append(f"<p class='meta'>{e(t('brief.view', lang))} {link(req.address, req.address)}</p>")
    body.append("</header>")
    if svg is None:
        body.append(f"<p class='small'>{e(t('brief.no_charts', lang))}</p>")
    if req.page == "budget":
        body.append(_money(db, req, svg))
    else:
        if req.page == "operations":
            body.append(_side_by_side(db, req))
        elif svg is not None:
            body.append(_timeline(db, req, svg))
        body.append(_results(db, req))
        if req.page == "overview" and not req.operations and svg is not None:  # every edition: where, too
            body.append(_map(db, req, svg))
    body.append(f"<footer><h2>{e(t('brief.cite_title', lang))}</h2>"
                f"<p>{e(citation(lang, title, selection_text(db, req), req.address, as_of, req.today))}</p>"
                f"<h2>{e(t('brief.terms_title', lang))}</h2><ul>"
                + "".join(f"<li>{e(line)}</li>" for line in terms(lang)) + "</ul></footer>")
    return (f"<!doctype html><html lang='{e(lang)}'><head><meta charset='utf-8'><title>{e(title)}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>")


STYLE = """
@page { size: A4; margin: 11mm 13mm 13mm 13mm;
  @bottom-left { content: "KAFO"; font: 7.5pt 'DejaVu Sans', sans-serif; color: #4a5361; }
  @bottom-right { content: counter(page) " / " counter(pages); font: 7.5pt 'DejaVu Sans', sans-serif;
                  color: #4a5361; } }
body { font: 8.1pt/1.2 'DejaVu Sans', 'Liberation Sans', sans-serif; color: #1c2530; }
h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 11pt; margin: 4mm 0 1.5mm; }
h3 { font-size: 9.5pt; margin: 3mm 0 1mm; break-after: avoid; }
.kicker { margin: 0; color: #4a5361; font-size: 8pt; text-transform: uppercase; letter-spacing: .04em; }
.meta { margin: 0 0 1mm; color: #3d4654; }
.small, .url { font-size: 7pt; line-height: 1.15; color: #3d4654; } .url { word-break: break-all; }
a { color: #0b5cad; text-decoration: none; word-break: break-word; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 2mm; }
th, td { text-align: left; vertical-align: top; padding: .4mm 1.2mm; border-bottom: .3pt solid #c9d0d8; }
th { font-size: 7.6pt; color: #3d4654; border-bottom: .6pt solid #8a94a0; }
td.value { white-space: nowrap; font-weight: bold; }
table.results td:nth-child(1) { width: 19%; } table.results td:nth-child(2) { width: 13%; }
table.results td:nth-child(4), table.results th:nth-child(4) { width: 5%; white-space: nowrap; }
ol.sources { margin: 0 0 2mm; padding-left: 0; list-style: none; font-size: 7.6pt; }
ol.sources li { margin-bottom: .4mm; }
tr, figure, .op h3 { break-inside: avoid; }
figure { margin: 1mm 0 2mm; } figure img { width: 100%; }
table.side { font-size: 7.6pt; }
.illustration { border-left: 2pt solid #E69F00; padding-left: 2mm; }
footer { border-top: .6pt solid #8a94a0; margin-top: 3mm; font-size: 7.4pt; }
footer h2 { font-size: 9pt; margin: 2mm 0 1mm; break-after: avoid; }
footer ul { margin: 0; padding-left: 4mm; } footer li { margin-bottom: 0; }
"""
