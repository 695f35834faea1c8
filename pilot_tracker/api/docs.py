"""Documenting the API's problem+json error responses in the OpenAPI document."""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any, TypeVar

from pilot_tracker.api.core import bp

F = TypeVar("F", bound=Callable[..., Any])

PROBLEM_JSON = "application/problem+json"
# Reading with a token: no token (401), bad query parameters (422).
ERRORS_READ = (401, 422)
# Writing: also a malformed JSON body (400).
ERRORS_WRITE = (400, 401, 422)


def errors_doc(*codes: int) -> Callable[[F], F]:
    """Document that the operation may answer these statuses with a problem+json body."""

    def decorator(func: F) -> F:
        for code in sorted(set(codes), reverse=True):
            # alt_response only records documentation on the function; any blueprint will do.
            func = bp.alt_response(code, response=http.HTTPStatus(code).name)(func)
        return func

    return decorator
