"""One e-mail check (domain.email, by email-validator) for forms, API, import, services."""

from __future__ import annotations

import pytest

from pilot_tracker.domain.email import normalise_email


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("a@b.fi", "a@b.fi"),
        ("  Maija.Meikalainen@Kunta.FI ", "maija.meikalainen@kunta.fi"),
        ("admin@demo.kokeilusalkku.fi", "admin@demo.kokeilusalkku.fi"),
        ("myynti+tarjous@kuntadigi.example", "myynti+tarjous@kuntadigi.example"),
        ("jöns@åbo.fi", "jöns@åbo.fi"),
    ],
)
def test_addresses_are_trimmed_and_lower_cased(text: str, stored: str) -> None:
    assert normalise_email(text) == stored


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not-an-address",
        "@kunta.fi",
        "maija@",
        "maija@kunta",  # no top-level domain: the old user check refused it too
        "maija meikalainen@kunta.fi",  # the old user check let spaces through
        "maija@@kunta.fi",
        "maija..m@kunta.fi",
        "maija@localhost",
        "maija\n@kunta.fi",
        "m@" + "k" * 250 + ".fi",  # past 254 characters
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    assert normalise_email(text) is None
