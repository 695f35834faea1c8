"""The API's blueprints, its JSON reader, bearer-token sign-in and problem+json errors.

Only bearer tokens authenticate here: the session cookie is ignored (Flask-Login's user
loader names nobody in these blueprints and its request loader reads the token), so a page
on another site cannot make a browser act through the API with its cookie. That is why
both blueprints are exempt from CSRFProtect: there is no ambient credential for a forged
request to borrow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NoReturn

import flask_smorest
from flask import Request, Response, abort, request
from flask_login import current_user
from webargs import core as webargs_core
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from pilot_tracker.catalogue import CATALOGUE, render, render_all
from pilot_tracker.database import MAX_ID
from pilot_tracker.domain.errors import Message
from pilot_tracker.extensions import db
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.models import User
from pilot_tracker.services.pilots import PilotValidationError, StaleVersionError
from pilot_tracker.services.tokens import authenticate_token
from pilot_tracker.web import errors

PREFIX = "/api/v1"
# Path ids are database integers; larger numbers would overflow the driver, so they are
# simply not routed (404) and the OpenAPI document says so with `maximum`.
ID = f"int(max={MAX_ID})"

# Service field names that differ from the API's (money in cents, `public`, cost split).
API_FIELD = {
    "budget_cents": "budget_eur",
    "external_funding_cents": "external_funding_eur",
    "estimated_annual_savings_cents": "estimated_annual_savings_eur",
    "is_public": "public",
    "split_method": "cost_split.method",
    "manual_shares": "cost_split.shares",
    "equal_percent": "cost_split.equal_percent",
}
# webargs nests messages under the request part they came from; clients know their body.
_LOCATIONS = ("json", "query", "view_args", "path", "headers")


class _NotJson(ValueError):
    """A body that is not JSON as this API reads it."""


def _refuse_constant(name: str) -> NoReturn:
    raise _NotJson(f"{name} is not a JSON number")


def _parse_int(text: str) -> int | Decimal:
    # Python refuses int() of very long digit strings; as a Decimal the field refuses it.
    return int(text) if len(text) <= 40 else Decimal(text)


class DecimalJsonParser(FlaskParser):
    """Reads every non-empty body as JSON, numbers as int or Decimal (never float).

    Floats would already have lost the exact value of an amount; NaN and Infinity are not
    JSON and are refused as a malformed body (400), like any other unreadable input.
    `load_json` is webargs' public loader of the "json" location (the parser's own
    `_raw_load_json` would skip a body not sent as application/json).
    """

    def load_json(self, req: Any, schema: Any) -> Any:
        data = req.get_data(cache=True)
        if not data:
            return webargs_core.missing
        try:
            return json.loads(
                data.decode("utf-8"),
                parse_float=Decimal,
                parse_int=_parse_int,
                parse_constant=_refuse_constant,
            )
        except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, _NotJson
            abort(400, description=_("The request body is not valid JSON."))


class ApiBlueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint that reads JSON with `DecimalJsonParser`."""

    ARGUMENTS_PARSER = DecimalJsonParser()


bp = ApiBlueprint(
    "api", __name__, url_prefix=PREFIX, description="Pilots, reporting and the portfolio."
)
public_bp = ApiBlueprint(
    "api_public",
    __name__,
    url_prefix=PREFIX,
    description="Open data and the API description: no token needed.",
)


def api_user() -> User:
    """The user of the request's bearer token (only inside `bp`, after sign-in)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def unauthorized(detail: str, error: str | None = None) -> Response:
    """401 with a `WWW-Authenticate: Bearer` challenge."""
    response = errors.problem(401, str(errors.TITLES.get(401, "Unauthorized")), detail)
    challenge = 'Bearer realm="kokeilusalkku"'
    if error:
        challenge += f', error="{error}"'
    response.headers["WWW-Authenticate"] = challenge
    return response


# The blueprints whose requests sign in by bearer token only (or not at all, `public_bp`):
# the session cookie names nobody there (auth.loader.configure).
TOKEN_ONLY_BLUEPRINTS = frozenset({bp.name, public_bp.name})


def bearer_token(req: Request) -> str | None:
    """The token of `Authorization: Bearer <token>`, or None without one."""
    scheme, _sep, token = req.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def user_from_token(req: Request) -> User | None:
    """Flask-Login's request loader: the user of a request of `bp` by its bearer token.

    The open data and the API description (`public_bp`) sign nobody in, whatever they are
    sent; neither do the pages, which have their session.
    """
    if req.blueprint != bp.name:
        return None
    token = bearer_token(req)
    return authenticate_token(token) if token else None


@bp.before_request
def require_bearer_token() -> Response | None:
    """Every request of `bp` needs `Authorization: Bearer <token>`; cookies count for nothing."""
    if current_user.is_authenticated:  # by `user_from_token`, the only way in here
        return None
    if bearer_token(request) is None:
        return unauthorized(_("Send an API token: Authorization: Bearer <token>."))
    return unauthorized(
        _("The API token is unknown, revoked or its user deactivated."), "invalid_token"
    )


# marshmallow's own messages that carry no values, as it words them, by the catalogue code
# that renders each in the request's language. Looked up by the whole text, never parsed;
# its messages with values come from the validators' templates (api/fields.CatalogueTemplate).
LIBRARY_MESSAGES: dict[str, str] = {
    CATALOGUE[code].template: code
    for code in (
        "input_required",
        "input_null",
        "input_invalid",
        "input_not_string",
        "input_not_utf8",
        "input_not_integer",
        "input_not_number",
        "input_number_too_large",
        "input_special_number",
        "input_not_boolean",
        "input_not_date",
        "input_not_time",
        "input_not_datetime",
        "input_not_list",
        "input_not_mapping",
        "input_not_uuid",
        "input_invalid_type",
        "input_invalid_input_type",
        "input_unknown_field",
    )
}


def _message(item: Any) -> str:
    """One of marshmallow's messages in the request's language."""
    if not isinstance(item, Message) and str(item) in LIBRARY_MESSAGES:
        return render(Message(LIBRARY_MESSAGES[str(item)]))
    return render(item)


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as `{"field.path": [message, ...]}`."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            # `_schema` messages are about the object itself, not one of its fields.
            name = "" if key == "_schema" else str(key)
            path = ".".join(part for part in (prefix, name) if part)
            for field, items in flatten_messages(value, path).items():
                flat.setdefault(field, []).extend(items)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, Mapping | list | tuple):
                for field, items in flatten_messages(item, prefix).items():
                    flat.setdefault(field, []).extend(items)
            else:
                flat.setdefault(prefix or "body", []).append(_message(item))
    else:
        flat.setdefault(prefix or "body", []).append(_message(messages))
    return flat


def validation_errors(messages: Any) -> dict[str, list[str]]:
    """Flatten webargs' messages, without the name of the request part they came from."""
    if isinstance(messages, Mapping) and set(messages) <= set(_LOCATIONS):
        flat: dict[str, list[str]] = {}
        for location, inner in messages.items():
            for field, items in flatten_messages(inner).items():
                key = field if location == "json" or field != "body" else location
                flat.setdefault(key, []).extend(items)
        return flat
    return flatten_messages(messages)


def invalid(errors_by_field: dict[str, list[str]]) -> Response:
    """422 naming each bad field, every message in the request's language."""
    return errors.problem(
        422,
        str(errors.TITLES.get(422, "Unprocessable Content")),
        _("Some fields are invalid; see errors."),
        errors={field: render_all(messages) for field, messages in errors_by_field.items()},
    )


def handle_http_error(error: HTTPException) -> Response:
    """HTTP errors of the API as problem+json; webargs' validation errors by field."""
    db.session.rollback()
    status = error.code or 500
    title = str(errors.TITLES.get(status, error.name))
    data = getattr(error, "data", None)
    if status == 422 and isinstance(data, Mapping) and "messages" in data:
        response = invalid(validation_errors(data["messages"]))
    else:
        response = errors.problem(status, title, str(error.description or title))
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_service_validation(error: PilotValidationError) -> Response:
    """A service refused the input: 422 with the API's names for the fields."""
    db.session.rollback()
    return invalid({API_FIELD.get(key, key): list(msgs) for key, msgs in error.errors.items()})


def handle_stale_version(error: StaleVersionError) -> Response:
    """Someone saved first: 409 with the current version; nothing was changed."""
    db.session.rollback()
    return stale_version(error.current_version, sorted(error.changed))


def stale_version(current: int, changed: list[str] | None = None) -> Response:
    """409 for an edit based on an old version."""
    return errors.problem(
        409,
        str(errors.TITLES.get(409, "Conflict")),
        _(
            "The pilot was changed by someone else (it is now at version %(version)s). "
            "Nothing was saved; load it again and reapply your change.",
            version=current,
        ),
        current_version=current,
        changed=[API_FIELD.get(name, name) for name in (changed or [])],
    )


for _blueprint in (bp, public_bp):
    _blueprint.register_error_handler(HTTPException, handle_http_error)
    _blueprint.register_error_handler(PilotValidationError, handle_service_validation)
    _blueprint.register_error_handler(StaleVersionError, handle_stale_version)
