"""API tokens: printed once by the CLI, stored hashed, revocable."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from pilot_tracker.extensions import db
from pilot_tracker.models import ApiToken
from pilot_tracker.services.tokens import authenticate_token, hash_token, revoke_token
from tests.conftest import Actors


def test_create_token_prints_only_the_token_and_stores_its_hash(
    app: Flask, runner, actors: Actors
) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["create-token", "coordinator@example.com"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert result.output == token + "\n" and token.startswith("ks_")
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken)).one()
        assert stored.token_hash == hash_token(token) and token not in stored.token_hash
        assert authenticate_token(token).email == "coordinator@example.com"


def test_revoked_token_no_longer_authenticates(app: Flask, runner, actors: Actors) -> None:  # type: ignore[no-untyped-def]
    token = runner.invoke(args=["create-token", "admin@example.com"]).output.strip()
    with app.app_context():
        revoke_token(db.session.scalars(sa.select(ApiToken)).one())
        assert authenticate_token(token) is None


def test_unknown_user_gets_a_clear_error(runner, actors: Actors) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["create-token", "nobody@example.com"])
    assert result.exit_code != 0
    assert "No user has the e-mail nobody@example.com" in result.output
