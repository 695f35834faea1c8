"""The errors the domain and the services raise: a stable code, its parameters, the field.

A refusal is a `Message`: `code` names an entry of the one catalogue of messages
(`pilot_tracker/catalogue.py`) and `params` fill that entry's template. Pages, the API, the
importer's report and the command line render it from the catalogue by its code, in their
language; nothing parses its text. A `Message` is also a `str`, the English text with the raw
values (stages as `piloting`, money as `12.50 €`), so that logs, `str(error)` and code that
only passes messages on keep working unchanged.

`DomainError` is the base of every refusal with one message; the existing error classes
(TransitionError, CostSplitError, MoneyError, …) are its subclasses, so every `except` clause
keeps catching what it caught.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Cents(int):
    """A sum of money in cents, as a parameter: shown as euros in the reader's language."""


class Message(str):
    """One message: its catalogue code and parameters; its `str` value is the English text."""

    code: str
    params: Mapping[str, Any]

    def __new__(cls, code: str, /, **params: Any) -> Message:
        # The catalogue imports nothing of the application when it is loaded (it reaches
        # Flask-Babel only when it renders), so the domain stays free of Flask.
        from pilot_tracker.catalogue import english

        self = super().__new__(cls, english(code, params))
        self.code = code
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.code, dict(self.params)))


def _rebuild(code: str, params: dict[str, Any]) -> Message:
    return Message(code, **params)


def joined(messages: list[str]) -> str:
    """Several messages about one thing as one: the message itself when there is one."""
    if len(messages) == 1:
        return messages[0]
    return Message("joined", items=tuple(messages))


class DomainError(ValueError):
    """A refusal of the rules: `code` and `params` of its catalogue entry, and the `field` it
    concerns when one does. `str(error)` is English, for logs; callers render `message`."""

    def __init__(self, code: str | Message, /, *, field: str | None = None, **params: Any) -> None:
        message = code if isinstance(code, Message) else Message(code, **params)
        super().__init__(str(message))
        self.message: Message = message
        self.field = field

    @property
    def code(self) -> str:
        return self.message.code

    @property
    def params(self) -> Mapping[str, Any]:
        return self.message.params
