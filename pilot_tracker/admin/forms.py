"""Forms of the administration pages; choices that come from the database are set by views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from pilot_tracker.domain.enums import Role
from pilot_tracker.language.labels import label


def role_choices() -> list[SelectChoice]:
    """An empty first option (no role is chosen unseen), then every role, translated."""
    return [SelectChoice("", _l("Choose…"))] + [
        SelectChoice(role.value, label(role)) for role in Role
    ]


class UserEditForm(FlaskForm):
    """Name, role and the role's tie (a council user's municipality, a vendor user's vendor)."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    municipality_code = SelectField(_l("Municipality (council users only)"), default="")
    vendor_id = SelectField(_l("Vendor (vendor users only)"), default="")


class UserCreateForm(UserEditForm):
    """A new user: the edit fields plus e-mail; the person chooses their own password
    through the invitation sent to that address."""

    email = EmailField(
        _l("E-mail"),
        # The address itself is checked by the service (domain.email), as for the API.
        validators=[DataRequired(), Length(max=254)],
    )


class PasswordResetForm(FlaskForm):
    """Send the user a link to choose a new password (the admin never sees it)."""


class VendorForm(FlaskForm):
    """A vendor: name, business ID (Y-tunnus) and a contact e-mail."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    business_id = StringField(
        _l("Business ID (Y-tunnus)"), validators=[DataRequired(), Length(max=30)]
    )
    contact_email = EmailField(
        _l("Contact e-mail"),
        validators=[Optional(), Length(max=254)],
    )
