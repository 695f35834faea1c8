"""E-mail addresses: one check (email-validator's syntax rules, no DNS look-up) for the
admin forms, the API, the import and the services."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254  # what a mail server accepts in a path (RFC 5321)


def normalise_email(text: str) -> str | None:
    """The address as stored (trimmed, lower case), or None when it is not one a mail
    server could deliver to: a missing @ or domain, spaces, a special-use domain such as
    localhost, more than 254 characters."""
    address = text.strip().lower()
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return None
    return address
