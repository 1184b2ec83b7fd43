"""Reasons, warnings and errors of a report load, as catalogue keys with values: shown in either language.

A value from the file stays plain text wherever it is shown (`Message.markdown` escapes it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kafo_data import fmt
from kafo_data.i18n import label, t


@dataclass(frozen=True)
class Labels:
    """Vocabulary ids shown with their labels in the reader's language."""

    vocab: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Number:
    """A number in a message written as the reader's language writes it (50,000; 50 000)."""

    value: float


@dataclass(frozen=True)
class Message:
    """A reason or warning as a catalogue key and values, so it can be shown in either language."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str) -> str:
        return t(self.key, lang, **{k: _render(v, lang) for k, v in self.values})

    def markdown(self, lang: str) -> str:
        """The text for a place Streamlit reads as Markdown: every value from the file as plain text."""
        return t(self.key, lang, **{k: _render(v, lang, markdown=True) for k, v in self.values})


def _render(value: object, lang: str, markdown: bool = False) -> str:
    if isinstance(value, Labels):
        return ", ".join(label(value.vocab, v, lang) for v in value.ids)
    if isinstance(value, Number):
        return fmt.number(value.value, lang)
    if isinstance(value, dt.date):
        return fmt.date(value, lang)
    if isinstance(value, Message):
        return value.markdown(lang) if markdown else value.text(lang)
    if isinstance(value, tuple):
        return ", ".join(_render(v, lang, markdown) for v in value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return fmt.literal(value) if markdown else str(value)


def msg(key: str, **values: object) -> Message:
    return Message(key, tuple(values.items()))


class ReportError(Exception):
    """The file cannot be loaded at all (exit code 2); the message says why in either language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message

    def text(self, lang: str) -> str:
        return self.message.text(lang)

    def markdown(self, lang: str) -> str:
        return self.message.markdown(lang)


class CellError(Exception):
    """A cell that cannot be read; becomes a reason on its row, naming the column and value."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message
