"""The API's hooks into flask-smorest are its documented ones: `handle_http_exception`."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound

from tests.api_helpers import assert_problem


def test_smorest_http_error_handler_answers_as_the_app_does(app: Flask) -> None:
    """flask-smorest registers `Api.handle_http_exception` for every HTTP error of the app:
    it gives the app's HTML page on a page and problem+json under /api/, never
    flask-smorest's own `{"code", "status"}` JSON."""
    api = app.extensions["kokeilusalkku_api"]

    with app.test_request_context("/no-such-page", headers={"Accept": "text/html"}):
        body, status = api.handle_http_exception(NotFound())
        assert status == 404
        assert "<html" in body
    with app.test_request_context("/api/v1/no-such-thing"):
        response = api.handle_http_exception(NotFound())
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
        assert set(response.get_json()) == {"type", "title", "status", "detail"}


def test_http_errors_of_pages_and_api_keep_their_forms(app: Flask) -> None:
    client = app.test_client()

    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert_problem(client.get("/api/v1/no-such-thing"), 404)
    assert_problem(client.delete("/api/v1/openapi.json"), 405)
