"""Forms for cost entries and the billing period."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from pilot_tracker.domain.enums import CostKind
from pilot_tracker.domain.money import MoneyError, parse_eur

KIND_LABELS = {
    CostKind.VENDOR_INVOICE: _l("Vendor invoice"),
    CostKind.OWN_WORK: _l("Own work"),
    CostKind.OTHER: _l("Other"),
}


def signed_cents(text: str) -> int:
    """Euros as typed (Finnish or API style), a leading minus for a credit note; cents."""
    stripped = (text or "").strip()
    negative = stripped.startswith(("-", "\u2212"))
    cents = parse_eur(stripped[1:] if negative else stripped)
    return -cents if negative else cents


class CostForm(FlaskForm):
    """A cost entry; a negative amount is a credit note."""

    entry_date = DateField(_l("Date (invoice or booking)"), validators=[InputRequired()])
    amount = StringField(_l("Amount excluding VAT (€)"), validators=[InputRequired()])
    kind = RadioField(_l("Kind"), validators=[InputRequired()])
    reference = StringField(_l("Reference (e.g. invoice number)"), validators=[Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Length(max=10_000)])

    def setup(self) -> None:
        self.kind.choices = [(k.value, label) for k, label in KIND_LABELS.items()]
        if self.kind.data is None:
            self.kind.data = CostKind.VENDOR_INVOICE.value

    def validate_amount(self, field: StringField) -> None:
        try:
            signed_cents(field.data or "")
        except MoneyError:
            raise ValidationError(
                _l("Write the amount like 12 500,00; a credit note as −1 250,00.")
            ) from None


class BillingForm(FlaskForm):
    """The billing period (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A button with CSRF protection (delete)."""
