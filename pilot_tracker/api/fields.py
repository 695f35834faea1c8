"""marshmallow fields for the API's own value types: money, percentages, KPI values, codes."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate

from pilot_tracker.database import MAX_ID
from pilot_tracker.domain.errors import Message
from pilot_tracker.domain.money import (
    MoneyError,
    cents_to_decimal,
    format_cents,
    parse_eur,
    parse_hundredths,
)
from pilot_tracker.domain.text import decimal_text
from pilot_tracker.services.pilots import PilotValidationError
from pilot_tracker.services.reporting import parse_value

MONEY_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
CODE_PATTERN = r"^[0-9]{3}$"


class CatalogueTemplate(str):
    """A marshmallow error message that formats into a catalogue message.

    marshmallow words a refusal by calling `.format(**values)` on the message text (a
    validator's `error`, a field's error message); this one answers with the catalogue's
    `Message` for its code, which the API renders in the language the request asked for.
    As a text it is the English template, so the OpenAPI document and logs read as before.
    """

    code: str
    names: frozenset[str]  # the template's parameters: marshmallow passes more values

    def __new__(cls, code: str) -> CatalogueTemplate:
        from pilot_tracker.catalogue import CATALOGUE

        self = super().__new__(cls, CATALOGUE[code].template)
        self.code = code
        self.names = frozenset(re.findall(r"%\((\w+)\)s", self))
        return self

    def format(self, *args: Any, **values: Any) -> Message:  # type: ignore[override]
        return Message(self.code, **{k: v for k, v in values.items() if k in self.names})


def Range(min: int, max: int) -> validate.Range:
    """marshmallow's Range, both ends included, refusing in the request's language."""
    return validate.Range(min, max, error=CatalogueTemplate("input_number_between"))


def Length(min: int | None = None, max: int | None = None) -> validate.Length:
    """marshmallow's Length, refusing in the request's language."""
    code = (
        "input_length_between"
        if min is not None and max is not None
        else "input_length_max"
        if max is not None
        else "input_length_min"
    )
    return validate.Length(min, max, error=CatalogueTemplate(code))


def OneOf(choices: list[str]) -> validate.OneOf:
    """marshmallow's OneOf, refusing in the request's language."""
    return validate.OneOf(choices, error=CatalogueTemplate("input_one_of"))


def Regexp(pattern: str, code: str) -> validate.Regexp:
    """marshmallow's Regexp, refusing with the catalogue's message `code`."""
    return validate.Regexp(pattern, error=CatalogueTemplate(code))


def _number_or_string(example: str, description: str) -> dict[str, Any]:
    return {
        "oneOf": [{"type": "string", "example": example}, {"type": "number"}],
        "example": example,
        "description": description,
    }


class Text(fields.String):
    """A string that every database can store: no NUL characters, no lone surrogates."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("The text must not contain NUL characters.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("The text is not valid Unicode.") from None
        return text


class MoneyIn(fields.Field):
    """Euros as `"12500.00"` or a JSON number, at most two decimals; loads as integer cents."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "metadata",
            _number_or_string("12500.00", "Euros: a string with two decimals, or a number."),
        )
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, float):  # never from our parser; a float is not exact
            raise ValidationError('Send the amount as a string such as "12500.50".')
        try:
            return parse_eur(value)
        except MoneyError as exc:
            raise ValidationError(exc.message) from None


class SignedMoneyIn(fields.Field):
    """Like MoneyIn, but a negative amount is allowed (a credit note); loads as cents."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "metadata",
            _number_or_string("-1250.00", "Euros: a string with two decimals, or a number."),
        )
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, float):
            raise ValidationError('Send the amount as a string such as "12500.50".')
        negative = False
        if isinstance(value, str):
            stripped = value.strip()
            negative = stripped.startswith(("-", "\u2212"))
            value = stripped[1:] if negative else stripped
        elif isinstance(value, int | Decimal) and not isinstance(value, bool) and value < 0:
            negative, value = True, -value
        try:
            cents = parse_eur(value)
        except MoneyError as exc:
            raise ValidationError(exc.message) from None
        return -cents if negative else cents


class PercentIn(fields.Field):
    """A percentage 0–100 with at most two decimals, as a string or a number; loads as Decimal."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", _number_or_string("33.33", "Percent, 0 to 100."))
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, float):
            raise ValidationError('Send the percentage as a string such as "33.33".')
        try:
            return cents_to_decimal(parse_hundredths(value, 100 * 100))
        except MoneyError:
            raise ValidationError(
                "A percentage from 0 to 100 with at most two decimals, e.g. 33.33."
            ) from None


class DecimalIn(fields.Field):
    """A KPI value: a finite number with at most four decimals, as a string or a number."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", _number_or_string("12.5", "A number, at most 4 decimals."))
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, float):
            raise ValidationError('Send the value as a string such as "12.5".')
        if not isinstance(value, str | int | Decimal):
            raise ValidationError("A number is required.")
        try:
            return parse_value(value, "value")
        except PilotValidationError as exc:
            raise ValidationError(exc.errors["value"]) from None


def code_field(**kwargs: Any) -> fields.String:
    """A municipality code: three digits as a string, "091"."""
    kwargs.setdefault("metadata", {"example": "418"})
    return fields.String(validate=Regexp(CODE_PATTERN, "input_three_digits"), **kwargs)


def money_out(**kwargs: Any) -> fields.String:
    """Euros as a string with exactly two decimals."""
    metadata = {"pattern": MONEY_PATTERN, "example": "12500.00"}
    return fields.String(required=True, metadata=metadata, **kwargs)


def id_field(**kwargs: Any) -> fields.Integer:
    """A database id (positive, 32-bit)."""
    return fields.Integer(strict=True, validate=Range(1, MAX_ID), **kwargs)


class Cents(fields.String):
    """Integer cents of the model as euros with two decimals: 1250000 → "12500.00"."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format_cents(value)


class DecimalText(fields.String):
    """An exact Decimal of the model without exponent and, when `normalise` (a stored
    value), without trailing zeros: 12.5000 → "12.5"; a computed 50.0 stays "50.0"."""

    def __init__(self, *, normalise: bool = True, **kwargs: Any) -> None:
        self.normalise = normalise
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        if not self.normalise:
            return format(value, "f")
        return decimal_text(value)


class Hundredths(fields.String):
    """A Decimal of the model (a percentage) with exactly two decimals: 33.3 → "33.30"."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{value:.2f}"


def cents_out(**kwargs: Any) -> Cents:
    """Euros as a string with exactly two decimals, from the model's integer cents."""
    metadata = {"pattern": MONEY_PATTERN, "example": "12500.00"}
    return Cents(required=True, metadata=metadata, **kwargs)


def decimal_text_out(**kwargs: Any) -> DecimalText:
    """An exact decimal number as a string, from the model's Decimal."""
    metadata = {"pattern": DECIMAL_PATTERN, "example": "12.5"}
    return DecimalText(required=True, metadata=metadata, **kwargs)
