"""Frames shaped for the screen: labels in the reader's language, numbers formatted, no Streamlit.

The pages stay a description of the screen; everything that turns a query result into rows
a person reads (labels, qualifiers, footnotes, reconciliation sentences) happens here, where
it is tested without a browser.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from kafo_data.config import built_dir
from kafo_data.contract import seizures as contract
from kafo_data.country_names import name_key
from kafo_data.fmt import date, figure, number
from kafo_data.i18n import has, label, t
from kafo_data.store.batches import list_batches
from kafo_data.store.db import batch_dirs


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def unit_label(unit: object, lang: str, category: object = None) -> str:
    """A unit in words; firearms counted in pieces are "armes" in French ("50 armes", not "50 pièces")."""
    if _is_blank(unit):
        return ""
    if category == "firearms" and unit == "pieces":
        return t("links.unit.firearms", lang)
    return label("unit", str(unit), lang)


def country_list(codes: Iterable[str], names: dict[str, str]) -> str:
    """Countries named in the reader's language, in the order of those names (not of ISO codes)."""
    return ", ".join(sorted((names.get(c, c) for c in codes), key=name_key))


def lead_label(lead: object, lang: str) -> str:
    """Who led an operation, in the reader's language: each organisation's name and the list's "and"."""
    if _is_blank(lead):
        return ""
    parts = [p.strip() for chunk in str(lead).split(" and ") for p in chunk.split(",") if p.strip()]
    named = [label("organisation", p, lang) for p in parts]
    if len(named) < 2:
        return named[0] if named else ""
    return t("look.list_and", lang, first=", ".join(named[:-1]), last=named[-1])


def contact_label(person: object, lang: str) -> str:
    """"Name, Title" with the title in the reader's language when the catalogue has it."""
    if _is_blank(person):
        return ""
    name, _, title = str(person).partition(", ")
    return f"{name}, {label('contact_title', title, lang)}" if title else name


def quantity_text(value: object, lang: str) -> str:
    """A quantity as a table shows it: 79, 1,473, 2.5 (never 79.0000)."""
    return number(None if _is_blank(value) else float(value), lang)


def dimension_table(frame: pd.DataFrame, dimension: str, unit_text: str, lang: str) -> pd.DataFrame:
    """A chart's table twin: one row per bar, largest first, numbers written as the language writes them."""
    rows = frame.sort_values(["quantity", "label"], ascending=[False, True], kind="stable")
    return pd.DataFrame({dimension: rows.label.tolist(), unit_text: [quantity_text(v, lang) for v in rows.quantity]})


def monthly_table(frame: pd.DataFrame, month_title: str, unit_text: str, lang: str) -> pd.DataFrame:
    from kafo_data.fmt import month

    rows = frame.sort_values("month")
    return pd.DataFrame({month_title: [month(m, lang) for m in rows.month],
                         unit_text: [quantity_text(v, lang) for v in rows.quantity]})


def places_table(points: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The map's table twin: place, country, events, arrests; most events first."""
    rows = points.sort_values(["events", "locality"], ascending=[False, True], kind="stable")
    return pd.DataFrame({
        t("col.seizures.locality", lang): rows.locality.tolist(),
        t("col.seizures.country_iso3", lang): rows.country.tolist(),
        t("seizures.events", lang): [number(v, lang) for v in rows.events],
        t("seizures.arrests", lang): [number(v, lang) for v in rows.arrests],
    })


def participation_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The participation map's table twin, countries in the order of their names."""
    return pd.DataFrame({
        t("overview.country", lang): frame.name.tolist(),
        t("overview.editions", lang): [number(v, lang) for v in frame.editions],
        t("overview.operations", lang): frame.operations.tolist(),
    })


def compared_label(indicator: object, counts: object, lang: str) -> str:
    """What a reconciliation row compares, as its source counts it: KAFO V's "more than 400 firearms" counts
    firearms, parts and components (`figures.counts`), so its row says so, not "Firearms" alone."""
    terms = [] if _is_blank(counts) else str(counts).split()
    if len(terms) < 2 or any("/" in term for term in terms):  # one category, or named item types: the indicator
        return label("indicator", str(indicator), lang)
    names = [label("category", term, lang) for term in terms]
    return ", ".join([names[0], *(name[:1].lower() + name[1:] for name in names[1:])])


@dataclass(frozen=True)
class FigureCard:
    """One published result as shown: label, value with qualifier, quoted wording, source, footnotes.

    `quote` is the source's own words in `quote_lang`; where the reader's language differs,
    `translation` is ours into it (shown labelled as a translation), else None.
    """

    indicator: str
    label: str
    value_text: str
    quote: str  # in French, a French page's words for the figure where one gives them (`fr_text`)
    source_title: str
    source_url: str | None
    source_published: str
    footnotes: tuple[str, ...]
    quote_lang: str = "en"
    translation: str | None = None
    note: str = ""  # ours, in the reader's language: what the figure includes, why it is not to be added up
    source_id: str = ""  # the page quoted


def quote_lines(card: FigureCard, lang: str, quoted: Callable[[str], str] = str) -> tuple[str, ...]:
    """The quotation as the reader sees it: in its own words, marked with its language when it is not
    the reader's, followed by our translation labelled as one. `quoted` escapes text for Markdown."""
    if card.quote_lang == lang or card.translation is None:
        return (t("overview.quote", lang, text=quoted(card.quote)),)
    return (t("facts2.quote_other", lang, text=quoted(card.quote), language=t(f"facts2.lang.{card.quote_lang}", lang)),
            t("facts2.translation", lang, text=quoted(card.translation)))


def translated_note(row: dict, lang: str) -> str:
    """After a footnote quoting another source in another language: our translation, labelled as ours."""
    if row.get("translation_lang") != lang or _is_blank(row.get("translation")):
        return ""
    return " " + t("facts2.note_translation", lang, text=row["translation"])


# The page whose footnote says what "KAFO" means (the Overview quotes it in its own words).
NAME_MEANING_SOURCE = "unodc-2020-07-kafo2-workshop"


def dated_source(sources: pd.DataFrame, source_id: str, lang: str) -> tuple[str, str | None]:
    """A source as a caption names it, "UNODC, 13 July 2020", and its address (None when it has none)."""
    row = sources[sources.source_id == source_id].iloc[0]
    name = row["short_name_fr"] if lang == "fr" else row["short_name"]
    when = published_text(row["published"], lang)
    if not _is_blank(row["published"]) and len(str(row["published"])) == 10:
        when = date(dt.date.fromisoformat(str(row["published"])), lang)
    return t("facts3.source_dated", lang, source=name, date=when), None if _is_blank(row["url"]) else row["url"]


def published_text(value: object, lang: str) -> str:
    """A source's date as published, or that the copy shows none."""
    return t("facts2.undated", lang) if _is_blank(value) else str(value)


def figure_cards(figures: pd.DataFrame, operation_id: str, lang: str) -> list[FigureCard]:
    """The shown figures of one operation; a disagreeing source becomes a footnote of its twin."""
    # Plain records: pandas masks per card cost 15 ms a rerun for a dozen rows (issue 16's speed).
    rows = [r for r in figures.to_dict("records") if r["operation_id"] == operation_id]
    cards = []
    for row in (r for r in rows if r["shown"]):
        quoted = french_page(row) if lang == "fr" and not _is_blank(row.get("fr_text")) else row
        notes = tuple(
            (t("overview.footnote_same_page", lang, text=o["text"]) if o["source_id"] == quoted["source_id"]
             else t("overview.footnote", lang, text=o["text"], source=o["source_title"])) + translated_note(o, lang)
            for o in rows if not o["shown"] and o["footnote_of"] == row["figure_id"]
        )
        value = None if _is_blank(row["value"]) else row["value"]
        translated = quoted["quote_lang"] != lang and row["translation_lang"] == lang and not _is_blank(
            row["translation"])
        cards.append(FigureCard(
            indicator=row["indicator"], label=label("indicator", row["indicator"], lang),
            value_text=figure(value, row["qualifier"], unit_label(row["unit"], lang, row["category"]), lang),
            quote=quoted["text"], source_title=quoted["source_title"],
            source_url=None if _is_blank(quoted["source_url"]) else quoted["source_url"],
            source_published=published_text(quoted["source_published"], lang), footnotes=notes,
            quote_lang=quoted["quote_lang"], translation=row["translation"] if translated else None,
            note=note_text(row, lang), source_id=quoted["source_id"],
        ))
    return cards


def french_page(row: dict) -> dict:
    """The figure as the French page that gives it words it (UNODC published KAFO V in French too): the French
    view quotes that page, cited as such, rather than translating the English one."""
    return {"text": row["fr_text"], "quote_lang": "fr", "source_id": row["fr_source_id"],
            "source_title": row["fr_source_title"], "source_url": row["fr_source_url"],
            "source_published": row["fr_source_published"], "source_publisher": row["fr_source_publisher"],
            "source_publisher_fr": row["fr_source_publisher_fr"]}


def note_text(row: dict, lang: str) -> str:
    """A figure's note in the reader's language (`note_fr` in French: the build refuses a note without it)."""
    note = row.get("note_fr") if lang == "fr" else row.get("note")
    return "" if _is_blank(note) else str(note)


SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹"


def marker(number: int) -> str:
    """The footnote mark of the n-th footnote of a table or card (1 -> "¹"); numbered, never "¹" twice."""
    return "".join(SUPERSCRIPTS[int(d) - 1] if d != "0" else "⁰" for d in str(number))


def card_footnotes(card: FigureCard) -> tuple[str, tuple[str, ...]]:
    """The marks a card's value carries (" ¹²") and its footnotes, each opening with its own mark."""
    marks = [marker(k) for k in range(1, len(card.footnotes) + 1)]
    return ((" " + "".join(marks)) if marks else "",
            tuple(f"{mark} {note}" for mark, note in zip(marks, card.footnotes, strict=True)))


def source_names(source_ids: Iterable[str], sources: pd.DataFrame, lang: str) -> str:
    """The short names of the sources of the rows a chart or table draws, each once, in first-seen order.

    Captions are written from the rows drawn, never by hand: a caption that names "UNODC, INTERPOL"
    while Trigger VIII's facts come from illicitflows.eu is wrong as soon as a row changes.
    """
    column = "short_name_fr" if lang == "fr" else "short_name"
    names = dict(zip(sources.source_id.tolist(), sources[column].tolist(), strict=True))
    return t("facts2.separator", lang).join(dict.fromkeys(str(names.get(s, s)) for s in source_ids if not _is_blank(s)))


def chart_sources(ops: pd.DataFrame, op_countries: pd.DataFrame, figures: pd.DataFrame, sources: pd.DataFrame,
                  lang: str) -> tuple[str, str, list[str]]:
    """The overview's captions from the rows drawn: the timeline's sources (dates, countries, officers),
    the map's (countries), and where each edition's officers figure comes from."""
    officers = [row["source_id"] for row in shown_officers(figures).values()]
    timeline = source_names([*ops.source_id, *op_countries.source_id, *officers], sources, lang)
    return timeline, source_names(op_countries.source_id, sources, lang), officers_sources(ops, figures, sources, lang)


def shown_officers(figures: pd.DataFrame) -> dict[str, dict]:
    """Per operation, the first shown officers figure (the one the table and timeline show)."""
    officers: dict[str, dict] = {}
    for row in figures.to_dict("records"):
        if row["indicator"] == "officers" and row["shown"]:
            officers.setdefault(row["operation_id"], row)
    return officers


def _officers_footnotes(figures: pd.DataFrame) -> dict[str, dict]:
    """Per shown officers figure id, the first other source's figure that footnotes it."""
    notes: dict[str, dict] = {}
    for row in figures.to_dict("records"):
        if not row["shown"] and row["indicator"] == "officers" and not _is_blank(row["footnote_of"]):
            notes.setdefault(row["footnote_of"], row)
    return notes


def officers_marks(operation_ids: Iterable[str], figures: pd.DataFrame) -> dict[str, str]:
    """Per operation whose officers another source words otherwise, its footnote mark: "¹", "²"… in date order,
    the same in the Operations table, the timeline and the notes under them."""
    officers, notes = shown_officers(figures), _officers_footnotes(figures)
    noted = [op for op in operation_ids if op in officers and officers[op]["figure_id"] in notes]
    return {op: marker(k) for k, op in enumerate(noted, start=1)}


def officers_value(row: dict | None, mark: str, lang: str) -> str:
    """Officers as the table and the timeline show them, with the mark of their footnote when they have one."""
    if row is None:
        return "—"
    text = figure(row["value"], row["qualifier"], "", lang)
    return t("facts2.mark", lang, text=text, mark=mark) if mark else text


def officers_sources(ops: pd.DataFrame, figures: pd.DataFrame, sources: pd.DataFrame, lang: str) -> list[str]:
    """Where each edition's officers figure comes from, and what another source says (the "¹" notes)."""
    officers, notes = shown_officers(figures), _officers_footnotes(figures)
    names = dict(zip(ops.operation_id, ops.name, strict=True))
    marks = officers_marks(ops.operation_id, figures)
    items, lines = [], []
    for op in ops.operation_id:
        row = officers.get(op)
        if row is None:
            continue
        source = source_names([row["source_id"]], sources, lang)
        other = notes.get(row["figure_id"])
        key = "facts2.officers_item_noted" if other else "facts2.officers_item"
        items.append(t(key, lang, operation=names[op], source=source, mark=marks.get(op, "")))
        if other:
            lines.append(t("facts2.officers_note", lang, operation=names[op], text=other["text"], mark=marks[op],
                           other=source_names([other["source_id"]], sources, lang)) + translated_note(other, lang))
    return [t("facts2.officers_sources", lang, items=t("facts2.separator", lang).join(items)), *lines]


def operations_table(ops: pd.DataFrame, figures: pd.DataFrame, names: dict[str, str], sources: pd.DataFrame,
                     lang: str) -> pd.DataFrame:
    """Editions side by side: period, countries, officers (as published), figures published, and UNODC's and
    INTERPOL's role in our words (a summary, not a quotation) with the source it summarises."""
    out = []
    officers, marks = shown_officers(figures), officers_marks(ops.operation_id, figures)
    for op in ops.itertuples():
        off = officers.get(op.operation_id)
        out.append({
            t("operations.col.operation", lang): op.name,
            t("operations.col.period", lang): period(op, lang),
            t("operations.col.countries", lang): country_list(op.countries, names),
            t("operations.col.officers", lang): "" if off is None else officers_value(
                off, marks.get(op.operation_id, ""), lang),
            t("operations.col.published", lang): int(((figures.operation_id == op.operation_id) & figures.shown).sum()),
            t("facts3.col.lead_summary", lang): lead_label(
                op.lead_fr if lang == "fr" and not _is_blank(op.lead_fr) else op.lead, lang),
            t("facts3.col.lead_source", lang): source_names([op.source_id], sources, lang),
        })
    return pd.DataFrame(out)


def agencies_table(agencies: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    """Per operation: who took part, as its source lists them (our labels, and the source's own words, marked
    with their language when it is not the reader's: KAFO III's page is French)."""
    out = []
    for op_id, rows in agencies.groupby("operation_id", sort=False):
        words = "; ".join(dict.fromkeys(rows.text))  # "border and prosecution services" names two services once
        other = [lg for lg in dict.fromkeys(rows.source_lang) if lg != lang and has(f"facts2.lang.{lg}", lang)]
        out.append({
            t("operations.col.operation", lang): names.get(op_id, op_id),
            t("facts3.col.participants", lang): ", ".join(label("participant", a, lang) for a in rows.agency),
            t("operations.col.as_published", lang): words + "".join(
                f" ({t(f'facts2.lang.{lg}', lang)})" for lg in other),
            t("operations.col.source", lang): "; ".join(dict.fromkeys(rows.source_title)),
            t("operations.col.address", lang): "; ".join(dict.fromkeys(u for u in rows.source_url if not _is_blank(u))),
        })
    return pd.DataFrame(out)


def date_notes(ops: pd.DataFrame, lang: str) -> list[str]:
    """What the reader should know about an edition's published dates (KAFO IV's year), in the language."""
    return [t(f"operations.date_note.{op}", lang) for op in ops.operation_id if has(f"operations.date_note.{op}", lang)]


def period(op: object, lang: str) -> str:
    """An operation's dates as published: exact days, or the month when only that is known."""
    if op.date_precision == "day":
        return f"{date(op.start_date, lang)} – {date(op.end_date, lang)}"
    return t("operations.month_precision", lang, month=_month(op.start_date, lang))


def _month(day: dt.date, lang: str) -> str:
    from babel.dates import format_date

    from kafo_data.fmt import LOCALES

    return format_date(day, "LLLL y", locale=LOCALES[lang])


def timeline_frame(ops: pd.DataFrame, figures: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    table = ops[["operation_id", "name", "start_date", "end_date", "countries"]].copy()
    table["period_text"] = [period(SimpleNamespace(**op), lang) for op in ops.to_dict("records")]
    table["countries_text"] = [country_list(cs, names) for cs in ops.countries]
    officers, marks = shown_officers(figures), officers_marks(ops.operation_id, figures)
    table["officers_text"] = [officers_value(officers.get(op), marks.get(op, ""), lang) for op in ops.operation_id]
    return table


def participation_frame(op_countries: pd.DataFrame, ops: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per country: how many editions it took part in, and which."""
    names = dict(zip(ops.operation_id, ops.name, strict=True))
    order = {op: k for k, op in enumerate(ops.operation_id)}
    countries: dict[str, tuple[str, list[str]]] = {}
    for iso3, name, op in zip(op_countries.country_iso3.tolist(), op_countries[f"name_{lang}"].tolist(),
                              op_countries.operation_id.tolist(), strict=True):
        countries.setdefault(iso3, (name, []))[1].append(op)
    rows = sorted(countries.items(), key=lambda item: name_key(item[1][0]))
    return pd.DataFrame({
        "iso3": [iso3 for iso3, _ in rows],
        "name": [name for _, (name, _ops) in rows],
        "editions": [len(found) for _, (_name, found) in rows],
        "operations": [", ".join(names[o] for o in sorted(found, key=lambda o: order.get(o, 99)))
                       for _, (_name, found) in rows],
    })


def measures(totals: pd.DataFrame, lang: str) -> dict[str, str]:
    """The (category, unit) pairs present, as 'category|unit' -> 'Firearms (pieces)'."""
    return {f"{r.category}|{r.unit}": f"{label('category', r.category, lang)} ({unit_label(r.unit, lang)})"
            for r in totals.itertuples()}


def _in_measure(frame: pd.DataFrame, measure: str) -> list[bool]:
    # plain Python over a few hundred rows: pandas' string masks cost a millisecond each, on every rerun
    category, unit = measure.split("|", 1)
    return [c == category and u == unit for c, u in zip(frame.category.tolist(), frame.unit.tolist(), strict=True)]


def measure_rows(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The rows of one (category, unit) measure."""
    return frame[_in_measure(frame, measure)]


def by_dimension(frame: pd.DataFrame, measure: str, column: str, labeller) -> pd.DataFrame:
    """The measure's quantity summed by one column, in the column's order, with a label for each value."""
    sums: dict = {}
    for keep, key, quantity in zip(_in_measure(frame, measure), frame[column].tolist(), frame.quantity.tolist(),
                                   strict=True):
        if keep:
            sums[key] = sums.get(key, 0) + quantity
    keys = sorted(sums)
    return pd.DataFrame({column: keys, "quantity": [float(sums[k]) for k in keys],
                         "label": [labeller(k) for k in keys]})


def totals_table(totals: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("seizures.col.category", lang): [label("category", c, lang) for c in totals.category],
        t("seizures.col.unit", lang): [unit_label(u, lang, c) for u, c in zip(totals.unit, totals.category,
                                                                             strict=True)],
        t("seizures.col.quantity", lang): [number(v, lang) for v in totals.quantity],
        t("seizures.col.lines", lang): [number(v, lang) for v in totals.lines],
    })


def records_for_display(page: pd.DataFrame, names: dict[str, str], ops: dict[str, str], lang: str) -> pd.DataFrame:
    """A page of records with labels in place of ids and column headings in the language."""
    shown = page.copy()
    shown["operation_id"] = [ops.get(v, v) for v in page.operation_id.tolist()]
    shown["country_iso3"] = [names.get(v, v) for v in page.country_iso3.tolist()]
    shown["seizure_date"] = pd.to_datetime(shown.seizure_date).dt.date
    for vocab in ("category", "item_type", "unit", "agency", "criminal_context", "marking_status", "tracing_status",
                  "illicit_origin"):
        shown[vocab] = ["" if _is_blank(v) else label(vocab, v, lang) for v in page[vocab].tolist()]
    headings = {c: column_label(c, lang) for c in shown.columns}
    return shown.rename(columns=headings)


def column_label(name: str, lang: str) -> str:
    table = "seized_items" if any(c.name == name for c in contract.ITEM_COLUMNS) else "seizures"
    return t(f"col.{table}.{name}", lang)


def edition_rows(summaries: dict[str, dict[str, int]], ops: dict[str, str], chosen: tuple[str, ...],
                 lang: str) -> pd.DataFrame:
    """One row per edition of the selection (every edition when no operation is chosen), in edition order."""
    rows = []
    for op, name in ops.items():
        if chosen and op not in chosen:
            continue
        summary = summaries[op]
        rows.append({
            t("operations.col.operation", lang): name,
            t("seizures.events", lang): number(summary["events"], lang),
            t("seizures.arrests", lang): number(summary["arrests"], lang),
            t("seizures.lines", lang): number(summary["lines"], lang),
            t("operations.col.sample_events", lang): number(summary["sample_events"], lang),
        })
    return pd.DataFrame(rows)


def reconciliation_table(rec: pd.DataFrame, ops: dict[str, str], lang: str,
                         chosen: tuple[str, ...] = ()) -> pd.DataFrame:
    """Published figure against record total, with the sentence a donor reads; the chosen editions only."""
    rows = []
    for r in rec.itertuples():
        if chosen and r.operation_id not in chosen:
            continue
        unit = unit_label(r.unit, lang, getattr(r, "category", None))
        published = figure(r.value, r.qualifier, unit, lang)
        total = None if _is_blank(r.records_total) else r.records_total
        if total is None:
            sentence = t("operations.reconcile.none", lang, published=published)
        else:
            sentence = t("operations.reconcile.sentence", lang, records=number(total, lang), published=published)
        rows.append({
            t("operations.col.operation", lang): ops.get(r.operation_id, r.operation_id),
            t("operations.col.indicator", lang): compared_label(r.indicator, getattr(r, "counts", None), lang),
            t("operations.col.published_value", lang): published,
            t("operations.col.records", lang): number(total, lang),
            t("operations.col.reconciliation", lang): sentence,
        })
    return pd.DataFrame(rows)


def dictionary(lang: str) -> pd.DataFrame:
    """The data dictionary from the contract: every column, type, allowed values, meaning."""
    rows = []
    for table, columns in contract.TABLES.items():
        for col in columns:
            allowed = ""
            if col.vocab in contract.VOCABULARIES:
                allowed = ", ".join(contract.VOCABULARIES[col.vocab])
            elif col.vocab == "operation":
                allowed = t("data.allowed.operation", lang)
            elif col.vocab == "country":
                allowed = t("data.allowed.country", lang)
            rows.append({
                t("data.col.table", lang): table, t("data.col.column", lang): col.name,
                t("data.col.label", lang): t(f"col.{table}.{col.name}", lang),
                t("data.col.type", lang): col.dtype,
                t("data.col.required", lang): t("data.yes" if col.required else "data.no", lang),
                t("data.col.allowed", lang): allowed,
                t("data.col.meaning", lang): t(f"doc.{table}.{col.name}", lang),
            })
    return pd.DataFrame(rows)


def data_files(root: Path, lang: str) -> pd.DataFrame:
    """Every data file the app reads, with its size and when it last changed."""
    rows = []
    folders = [built_dir(root), *batch_dirs(root)]
    for folder in folders:
        for path in sorted(folder.glob("*")):
            if path.is_file():
                stat = path.stat()
                changed = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC)
                rows.append({
                    t("data.col.file", lang): str(path.relative_to(root)),
                    t("data.col.size", lang): number(stat.st_size, lang),
                    t("data.col.changed", lang): changed.strftime("%Y-%m-%d %H:%M UTC"),
                })
    return pd.DataFrame(rows)


def batches_table(root: Path, lang: str) -> pd.DataFrame:
    """The batches stored: id, kind, origin file, item lines, rejected rows, when loaded, by whom (managers only)."""
    return pd.DataFrame([{
        t("data.col.batch", lang): b.batch_id,
        t("data.col.kind", lang): label("batch_kind", b.kind, lang),
        t("data.col.origin", lang): b.file or "",
        t("data.col.rows", lang): number(b.rows or 0, lang),
        t("data.col.rejected", lang): "" if b.rejected is None else number(b.rejected, lang),
        t("data.col.when", lang): b.loaded_at,
        t("access.col.loaded_by", lang): b.loaded_by or "",
    } for b in list_batches(root)])


# --- the seizures page's one chart at a time ----------------------------------------------------

BREAKDOWN_CHOICES: tuple[str, ...] = ("country", "operation", "item_type", "month")
_BREAKDOWN = {"country": ("country", "country_iso3", "seizures.by_country", "seizures.country"),
              "operation": ("operation", "operation_id", "seizures.by_operation", "seizures.operation"),
              "item_type": ("item_type", "item_type", "seizures.by_item", "seizures.item_type"),
              "month": ("month", "month", "seizures.over_time", "seizures.month")}


@dataclass(frozen=True)
class Breakdown:
    """One measure by one dimension, ready to draw and to show as a table."""

    kind: str
    frame: pd.DataFrame      # label, quantity (month: month, quantity)
    title: str
    dimension: str
    unit: str
    table: pd.DataFrame


def breakdown(sums: dict[str, pd.DataFrame], kind: str, measure: str, measure_text: str,
              names: dict[str, str], ops: dict[str, str], lang: str) -> Breakdown:
    """The chart and table twin of one breakdown of `queries.breakdowns` (country, operation, item type, month)."""
    key, column, title_key, dimension_key = _BREAKDOWN[kind]
    unit = unit_label(measure.split("|", 1)[1], lang, measure.split("|", 1)[0])
    title, dimension = t(title_key, lang, measure=measure_text), t(dimension_key, lang)
    if kind == "month":
        frame = measure_rows(sums["month"], measure)
        return Breakdown(kind, frame, title, dimension, unit, monthly_table(frame, dimension, unit, lang))
    labeller = {"country": lambda v: names.get(v, v), "operation": lambda v: ops.get(v, v),
                "item_type": lambda v: label("item_type", v, lang)}[kind]
    frame = by_dimension(sums[key], measure, column, labeller)
    return Breakdown(kind, frame, title, dimension, unit, dimension_table(frame, dimension, unit, lang))


def empty_reason(include_sample: bool, real_events: int) -> str:
    """Why a selection is empty: no real record loaded yet (with the sample off), or filters too narrow."""
    return "look.empty_no_real" if not include_sample and real_events == 0 else "filters.empty"
