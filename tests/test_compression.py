"""Compressed responses: br and gzip for pages and the plotly.js bundle, `Vary` on every
response, and small, streamed, already-compressed and versioned (ETag) responses intact."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from pilot_tracker import create_app
from pilot_tracker.dashboards.assets import PLOTLY
from tests.api_helpers import ApiCaller
from tests.conftest import Actors, login_as
from tests.factories import make_pilot

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
BUNDLE = Path(__file__).resolve().parents[1] / "pilot_tracker" / "static" / PLOTLY
needs_bundle = pytest.mark.skipif(not BUNDLE.is_file(), reason="plotly bundle not built")


def decoded(response: Response | object, encoding: str) -> bytes:
    data: bytes = response.get_data()  # type: ignore[attr-defined]
    return DECODE[encoding](data)


@needs_bundle
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_the_plotly_bundle_goes_out_compressed(client: FlaskClient, encoding: str) -> None:
    response = client.get(f"/static/{PLOTLY}", headers={"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert len(response.data) < BUNDLE.stat().st_size / 2
    assert decoded(response, encoding) == BUNDLE.read_bytes()


@needs_bundle
def test_the_bundle_is_compressed_once_and_served_again_from_memory(client: FlaskClient) -> None:
    first = client.get(f"/static/{PLOTLY}", headers={"Accept-Encoding": "br"})
    again = client.get(f"/static/{PLOTLY}", headers={"Accept-Encoding": "br"})
    assert again.data == first.data
    assert brotli.decompress(again.data) == BUNDLE.read_bytes()


def test_a_revalidated_static_file_answers_304_with_its_compressed_etag(
    client: FlaskClient,
) -> None:
    first = client.get("/static/css/app.css", headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br"
    etag = first.headers["ETag"]
    assert etag.endswith(':br"')
    again = client.get(
        "/static/css/app.css", headers={"Accept-Encoding": "br", "If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.data == b""


def test_a_range_of_a_static_file_is_sent_as_it_is(client: FlaskClient) -> None:
    css = (Path(__file__).resolve().parents[1] / "pilot_tracker/static/css/app.css").read_bytes()
    response = client.get(
        "/static/css/app.css", headers={"Accept-Encoding": "br", "Range": "bytes=0-99"}
    )
    assert response.status_code == 206
    assert "Content-Encoding" not in response.headers
    assert response.data == css[:100]
    response.close()


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_go_out_compressed(client: FlaskClient, actors: Actors, encoding: str) -> None:
    make_pilot(("418", "536"), name="Pakattu kokeilu")
    login_as(client, actors.coordinator)
    response = client.get("/pilots", headers={"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "Pakattu kokeilu" in decoded(response, encoding).decode()


def test_br_is_chosen_when_the_browser_takes_both(client: FlaskClient) -> None:
    response = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.headers["Content-Encoding"] == "br"
    assert "<form" in brotli.decompress(response.data).decode()


def test_without_accept_encoding_the_page_is_plain(client: FlaskClient) -> None:
    response = client.get("/login")
    assert "Content-Encoding" not in response.headers
    assert "<form" in response.get_data(as_text=True)
    assert "Accept-Encoding" in response.headers["Vary"]


def test_a_small_response_stays_as_it_is(client: FlaskClient) -> None:
    response = client.get("/healthz", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert len(response.data) < 500
    assert "Content-Encoding" not in response.headers
    assert response.is_json and response.get_json()


def test_an_xlsx_download_is_not_compressed_again(client: FlaskClient, actors: Actors) -> None:
    make_pilot(("418",), name="Taulukkokokeilu")
    login_as(client, actors.coordinator)
    response = client.get("/export/portfolio.xlsx", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert zipfile.ZipFile(io.BytesIO(response.data)).testzip() is None


def test_an_api_etag_stays_the_version_the_client_sends_back(app: Flask, actors: Actors) -> None:
    api = ApiCaller(app, actors)
    pilot = make_pilot(("418", "536"), summary="x" * 2000)
    read = api.get("coordinator", f"/api/v1/pilots/{pilot.id}", headers={"Accept-Encoding": "br"})
    assert read.status_code == 200
    assert "Content-Encoding" not in read.headers
    assert read.headers["ETag"] == f'"{read.get_json()["version"]}"'
    patched = api.patch(
        "coordinator",
        f"/api/v1/pilots/{pilot.id}",
        json={"summary": "lyhyt"},
        headers={"If-Match": read.headers["ETag"], "Accept-Encoding": "br"},
    )
    assert patched.status_code == 200, patched.get_json()


def test_an_api_list_goes_out_compressed(app: Flask, actors: Actors) -> None:
    api = ApiCaller(app, actors)
    for n in range(5):
        make_pilot(("418",), name=f"Rajapintakokeilu {n}")
    response = api.get("coordinator", "/api/v1/pilots", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"Rajapintakokeilu 4" in gzip.decompress(response.data)


@pytest.fixture(scope="module")
def streaming_app() -> Flask:
    """The app with one extra route that streams its answer in chunks."""
    streaming = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    @streaming.get("/test-stream")
    def stream() -> Response:
        def chunks() -> Iterator[str]:
            for n in range(200):
                yield f"rivi {n};"

        return Response(chunks(), mimetype="text/plain")

    return streaming


@pytest.mark.parametrize("encoding", ["br", "gzip", None])
def test_a_streamed_response_arrives_whole(streaming_app: Flask, encoding: str | None) -> None:
    headers = {"Accept-Encoding": encoding} if encoding else {}
    response = streaming_app.test_client().get("/test-stream", headers=headers)
    expected = "".join(f"rivi {n};" for n in range(200)).encode()
    assert response.headers.get("Content-Encoding") == encoding
    assert "Content-Length" not in response.headers
    body = decoded(response, encoding) if encoding else response.data
    assert body == expected
