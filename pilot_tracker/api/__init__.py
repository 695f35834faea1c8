"""The JSON API v1 (the contract in API.md): bearer tokens, problem+json errors, OpenAPI 3.

flask-smorest validates requests with the marshmallow schemas in `schemas.py` and builds the
OpenAPI document at /api/v1/openapi.json from the same schemas.
"""

from __future__ import annotations

import http
from typing import Any

import flask_smorest
from flask import Flask
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from pilot_tracker.api.core import bp, public_bp
from pilot_tracker.api.docs import PROBLEM_JSON
from pilot_tracker.api.openapi import (
    ERROR_HEADERS,
    ApiMarshmallowPlugin,
    ConventionsPlugin,
    idempotent_operation,
)
from pilot_tracker.api.schemas import ProblemSchema
from pilot_tracker.extensions import csrf
from pilot_tracker.web import errors

API_DESCRIPTION = """\
The JSON API of Kokeilusalkku, the tracker for joint digital pilots of Finnish
municipalities. Authenticate with `Authorization: Bearer <token>` (create a token with
`flask --app wsgi create-token EMAIL` or on your profile page). Money is a string with two
decimals; requests may send a number instead. Errors are `application/problem+json`
(RFC 9457); validation errors (422) name each bad field in `errors`. Error messages are in
English unless `Accept-Language` asks for Finnish (`fi`) or Swedish (`sv`): then the `title`,
the `detail` and every message in `errors` are in that language (the request schemas' own
checks of types, lengths and shapes excepted, which are English); machine values never
change. Every POST accepts an `Idempotency-Key` header (1-200 characters): a retry with the
same key returns the first response (marked `Idempotent-Replayed: true`) and writes nothing
twice; the same key with a different request is refused with 422.
"""


class Api(flask_smorest.Api):
    """flask-smorest's Api, documenting errors as problem+json and answering them as the
    app does (HTML pages) and the API blueprints do (problem+json)."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        """flask-smorest registers this for every HTTP error of the app; its own answer
        would be JSON everywhere. The app's handler answers instead: an HTML page, or
        problem+json under /api/ (the API blueprints' own handlers come first there)."""
        return errors.handle_http(error)

    def register_blueprint(self, blp: Any, **options: Any) -> None:
        super().register_blueprint(blp, **options)
        # The operations carry resource tags (openapi.py), not the blueprint's name.
        name = options.get("name", blp.name)
        self.spec._tags[:] = [tag for tag in self.spec._tags if tag["name"] != name]

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response: dict[str, Any] = {"description": status.phrase, "schema": ProblemSchema}
            if status in ERROR_HEADERS:
                response["headers"] = ERROR_HEADERS[status]
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default: dict[str, Any] = {"description": "An error", "schema": ProblemSchema}
        prepare_response(default, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)


def _make_posts_idempotent(app: Flask) -> None:
    """Every POST of the token API honours an Idempotency-Key header (pilot_tracker.idempotency).

    Wrapped here once, after registration, so no endpoint can forget it; the wrapper keeps
    the view's attributes, which the OpenAPI document is built from.
    """
    from flask_login import current_user

    from pilot_tracker.idempotency import idempotent

    def token_user() -> Any:
        return current_user if current_user.is_authenticated else None

    for rule in app.url_map.iter_rules():
        if idempotent_operation(rule.endpoint, "POST") and "POST" in (rule.methods or ()):
            view = app.view_functions[rule.endpoint]
            app.view_functions[rule.endpoint] = idempotent(token_user)(view)


def register(app: Flask) -> None:
    """Mount the API under /api/v1; its OpenAPI document is built once per app."""
    # The route modules attach their views to the blueprints when imported.
    from pilot_tracker.api import (  # noqa: F401
        costs,
        decision_support,
        decisions,
        feedback,
        joint,
        meetings,
        pilots,
        portfolio,
        public,
        registers,
        reporting,
        summaries,
    )

    api = Api(
        app,
        spec_kwargs={
            "title": "Kokeilusalkku API",
            "version": "1",
            "openapi_version": "3.0.3",
            "info": {"description": API_DESCRIPTION},
            "servers": [{"url": "/"}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                }
            },
            "security": [{"bearerAuth": []}],
            # operationIds, tags, headers and nullable objects: see openapi.py.
            "marshmallow_plugin": ApiMarshmallowPlugin(),
            "extra_plugins": [ConventionsPlugin()],
        },
    )
    api.register_blueprint(bp)
    api.register_blueprint(public_bp)
    _make_posts_idempotent(app)
    # Bearer tokens only (see core.py): no cookie, so no cross-site request to forge.
    csrf.exempt(bp)
    csrf.exempt(public_bp)
    app.extensions["kokeilusalkku_api"] = api
