"""Sign-in and profile forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

LANGUAGE_CHOICES = [
    SelectChoice("", _l("The browser's choice")),
    SelectChoice("fi", "Suomi"),
    SelectChoice("sv", "Svenska"),
    SelectChoice("en", "English"),
]


class LoginForm(FlaskForm):
    """E-mail and password; the field names are a fixed entry point (PRODUCT.md)."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ProfileForm(FlaskForm):
    """One's own name and language."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="")
    # Only for a council member not tied to a municipality; choices set by the view.
    home_municipality_code = SelectField(
        _l("Home municipality"), choices=[], default="", validate_choice=False
    )


class PasswordChangeForm(FlaskForm):
    """One's own password: the current one, then the new one twice."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1024)]
    )
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class TokenForm(FlaskForm):
    """A new API token, named so it can be recognised (and revoked) later."""

    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])
