"""The conventions of the OpenAPI document, applied to every operation in one place, so that
an endpoint added anywhere in `pilot_tracker/api/` gets them without a line of its own.

**operationId**, derived from the method and the path below `/api/v1` (both fixed by the
contract, so the names are as stable as the paths; view function names are not used):

- The *resource* is the last run of fixed segments of the path (`pilots`, `status-updates`,
  `public/pilots`, `portfolio/summary`); its *owner* is the fixed segment before the
  parameter that precedes the resource (`/pilots/{pilot_id}/projection`: `pilots`).
- A path that ends with a parameter is one item of its resource: `get`, `update` (PATCH),
  `replace` (PUT) or `delete` and the resource in the singular: `getPilot`, `updatePilot`,
  `deletePilot`, `updateCost`.
- A resource whose last word is a plural (ends in "s") is a collection: GET is `list` and
  the plural, POST `create` and the singular: `listPilots`, `createPilot`,
  `createStatusUpdate`, `createMeasurement`, `listPublicPilots`. The owner is not named.
- Any other resource is one document about its owner: the verb, the owner in the singular
  and the resource: `getPilotProjection`, `getMunicipalitySummary`, `getPortfolioSummary`.
- `OPERATION_IDS` overrides the rule where it reads badly (keep the overrides here, not in
  `@bp.doc(operationId=...)`, which would also be kept); tests/test_openapi.py checks that
  every operation has an operationId and that no two are the same. Two collections of one
  name under different owners (`/pilots/{id}/decisions`, `/municipalities/{code}/decisions`)
  would collide: that test names them, and an override settles it.

**Tags** group the operations by resource: the collection an operation works on
(`pilots`, `status-updates`, `kpis`, `measurements`, `decisions`, `vendors`,
`municipalities`, `public`), or for a document about an owner, the owner's collection
(`pilots` for the projection, `municipalities` for a municipality's summary).

**Headers**: every POST of the token API honours `Idempotency-Key` (`idempotent_operation`
names them, for `pilot_tracker.api.register` too), so each documents that header and, on its
success responses, `Idempotent-Replayed`. Every operation documents 503 (the database is
unreachable) with its `Retry-After`, which `retry_after_when_unavailable` sends.

**Nullable nested objects** (`latest_status`) are typed as "that object or null" (see
`NullableRefConverter`), not as an untyped object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask import Response
from marshmallow import fields

from pilot_tracker.api.core import PREFIX, bp, public_bp

# Where the rule reads badly: (method, path) -> operationId / tag.
OPERATION_IDS: dict[tuple[str, str], str] = {
    ("GET", f"{PREFIX}/openapi.json"): "getOpenApiDocument",
    ("GET", f"{PREFIX}/pilots/{{pilot_id}}/similar"): "listSimilarPilots",
    ("GET", f"{PREFIX}/due"): "listDueItems",  # API.md's `GET /api/v1/due`
}
TAGS: dict[tuple[str, str], str] = {
    ("GET", f"{PREFIX}/openapi.json"): "openapi",
}
TAG_DESCRIPTIONS: dict[str, str] = {
    "pilots": "Pilots: the register, optimistic locking, similar pilots and projections.",
    "status-updates": "Status reports of a pilot.",
    "kpis": "A pilot's key performance indicators.",
    "measurements": "Measured values of a KPI.",
    "decisions": "Go / no-go decisions at a pilot's gates.",
    "vendors": "The vendors running pilots.",
    "municipalities": "The municipality register and what each municipality pays.",
    "portfolio": "Totals over the pilots.",
    "feedback": "Residents' feedback on public pilots: the approved texts.",
    "public": "Open data (CC BY 4.0): no token needed.",
    "openapi": "This document: no token needed.",
}

ITEM_VERBS = {"get": "get", "patch": "update", "put": "replace", "delete": "delete"}
COLLECTION_VERBS = {"get": "list", "post": "create"}
DOCUMENT_VERBS = {**ITEM_VERBS, "post": "create"}

# Seconds a client should wait before retrying while the database is unreachable.
UNAVAILABLE_RETRY_SECONDS = 5

IDEMPOTENCY_KEY: dict[str, Any] = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "Any 1-200 printable characters, new for each new request. A retry with "
    "the same key gets the first response back (with `Idempotent-Replayed: true`) and "
    "writes nothing twice; the same key with a different request is refused with 422.",
}
IF_MATCH: dict[str, Any] = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string", "pattern": '^"[0-9]{1,10}"$', "example": '"1"'},
    "description": 'The version the change is based on, as "<version>" (or send `version` '
    "in the body); a stale one is a 409.",
}
IDEMPOTENT_REPLAYED: dict[str, Any] = {
    "description": "`true` when this is the stored response to an earlier request with the "
    "same Idempotency-Key (its errors below 500 are replayed as well); absent otherwise.",
    "schema": {"type": "string", "enum": ["true"]},
}
ETAG: dict[str, Any] = {
    "description": 'The pilot\'s version as an entity tag, `"<version>"`: send it back as '
    "`If-Match` to change the pilot.",
    "required": True,
    "schema": {"type": "string", "pattern": '^"[0-9]+"$', "example": '"1"'},
}
LOCATION: dict[str, Any] = {
    "description": "The URL of the new record.",
    "required": True,
    "schema": {"type": "string", "example": f"{PREFIX}/pilots/1"},
}
RETRY_AFTER: dict[str, Any] = {
    "description": "Seconds to wait before trying again.",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
WWW_AUTHENTICATE: dict[str, Any] = {
    "description": 'The bearer challenge, `Bearer realm="kokeilusalkku"` (with '
    '`error="invalid_token"` for an unknown or revoked token).',
    "schema": {"type": "string"},
}
# Headers of the shared error responses (components/responses), by status.
ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": WWW_AUTHENTICATE},
    429: {"Retry-After": RETRY_AFTER},
    503: {"Retry-After": RETRY_AFTER},
}


# ---------------------------------------------------------------- naming


def _words(segment: str) -> list[str]:
    return [w for w in re.split(r"[^A-Za-z0-9]+", segment) if w]


def _camel(words: list[str]) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words)


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _is_plural(word: str) -> bool:
    return _singular(word) != word


@dataclass(frozen=True)
class _Path:
    """A path below /api/v1 as the naming rule sees it."""

    run: list[str]  # the resource: the last fixed segments ("public", "pilots")
    owner: str | None  # the fixed segment before the parameter preceding the run
    item: bool  # the path ends with a parameter

    @property
    def words(self) -> list[str]:
        return [w for segment in self.run for w in _words(segment)]

    @property
    def collection(self) -> bool:
        return _is_plural(self.words[-1])


def _parse(path: str) -> _Path:
    segments = [s for s in path.removeprefix(PREFIX).split("/") if s]
    item = bool(segments) and segments[-1].startswith("{")
    if item:
        segments = segments[:-1]
    run: list[str] = []
    while segments and not segments[-1].startswith("{"):
        run.insert(0, segments.pop())
    fixed = [s for s in segments if not s.startswith("{")]
    parsed = _Path(run, fixed[-1] if fixed else None, item)
    if not parsed.words:
        raise ValueError(f"no resource in {path}")
    return parsed


def operation_id(method: str, path: str) -> str:
    """The operationId of `method path` by the rule in this module's docstring."""
    override = OPERATION_IDS.get((method.upper(), path))
    if override:
        return override
    method = method.lower()
    parsed = _parse(path)
    words = parsed.words
    singular = [*words[:-1], _singular(words[-1])]
    if parsed.item:
        return ITEM_VERBS.get(method, method) + _camel(singular)
    if parsed.collection and method in COLLECTION_VERBS:
        return COLLECTION_VERBS[method] + _camel(words if method == "get" else singular)
    owner = _words(parsed.owner or "")
    if owner:
        owner[-1] = _singular(owner[-1])
    return DOCUMENT_VERBS.get(method, method) + _camel([*owner, *words])


def resource_tag(method: str, path: str) -> str:
    """The tag of `method path`: the collection it works on (see the docstring)."""
    override = TAGS.get((method.upper(), path))
    if override:
        return override
    parsed = _parse(path)
    if parsed.owner is not None and not parsed.item and not parsed.collection:
        return parsed.owner
    return parsed.run[0]


def idempotent_operation(endpoint: str, method: str) -> bool:
    """Whether the view `endpoint` honours Idempotency-Key for `method`: every POST of the
    token API (not of the open data blueprint, which takes no writes)."""
    return endpoint.startswith(f"{bp.name}.") and method.upper() == "POST"


# ---------------------------------------------------------------- the document


NULL_ONLY: dict[str, Any] = {"type": "object", "nullable": True, "enum": [None]}
_APISPEC_NULLABLE_OBJECT = {"type": "object", "nullable": True}


class NullableRefConverter(OpenAPIConverter):
    """A nullable nested schema as `anyOf: [{$ref}, null]`.

    apispec writes `anyOf: [{"type": "object", "nullable": true}, {$ref}]` for OpenAPI 3.0,
    which also admits any object, so generators type the field as "some object". Here the
    second branch admits only null (`nullable` with `enum: [null]`, as OpenAPI 3.0.3 says).
    """

    def field2nullable(self, field: fields.Field, ret: Any) -> dict[str, Any]:
        attributes: dict[str, Any] = super().field2nullable(field, ret)
        any_of = attributes.get("anyOf")
        if any_of and _APISPEC_NULLABLE_OBJECT in any_of:
            attributes["anyOf"] = [
                *(s for s in any_of if s != _APISPEC_NULLABLE_OBJECT),
                dict(NULL_ONLY),
            ]
        return attributes


class ApiMarshmallowPlugin(MarshmallowPlugin):
    """apispec's marshmallow plugin with `NullableRefConverter`."""

    Converter = NullableRefConverter


class ConventionsPlugin(BasePlugin):
    """Names, tags and headers every operation by the rules of this module."""

    def init_spec(self, spec: Any) -> None:
        super().init_spec(spec)
        self.spec = spec
        self.tags: set[str] = set()

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if path is None or not operations:
            return
        rule = kwargs.get("rule")
        endpoint = getattr(rule, "endpoint", "")
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            operation.setdefault("operationId", operation_id(method, path))
            tag = resource_tag(method, path)
            operation["tags"] = [tag]
            if tag not in self.tags:
                self.tags.add(tag)
                self.spec.tag({"name": tag, **_description(tag)})
            responses = operation.setdefault("responses", {})
            responses.setdefault(503, "SERVICE_UNAVAILABLE")
            if idempotent_operation(endpoint, method):
                operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_KEY))
                for code, response in responses.items():
                    if str(code).startswith("2") and isinstance(response, dict):
                        headers = response.setdefault("headers", {})
                        headers["Idempotent-Replayed"] = dict(IDEMPOTENT_REPLAYED)


def _description(tag: str) -> dict[str, str]:
    description = TAG_DESCRIPTIONS.get(tag)
    return {"description": description} if description else {}


def retry_after_when_unavailable(response: Response) -> Response:
    """A 503 of the API (the database is unreachable) says when to try again."""
    if response.status_code == 503 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
    return response


for _blueprint in (bp, public_bp):
    _blueprint.after_request(retry_after_when_unavailable)
