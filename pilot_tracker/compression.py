"""Compressed responses (br and gzip) with Flask-Compress, the last hook every response passes.

- Pages, CSS, JavaScript, JSON and SVG of 500 bytes or more go out with br or gzip, whichever
  the browser prefers; every response says `Vary: Accept-Encoding`.
- Static files (the 1.2 MB plotly.js bundle among them) are compressed once per process and
  content-coding, kept by the file's path, size and modification time: compressing the
  bundle costs ~100 ms of CPU, and it would be paid on every first visit.
- API responses that carry an `ETag` (a pilot's version, which the client sends back in
  `If-Match`) are left as they are: Flask-Compress would make the tag `"3:br"`, and a client
  echoing it would be refused. The API's other responses are compressed.
- Responses that are already compressed (a `Content-Encoding`, or a type such as XLSX, ZIP
  or PNG that is compressed by nature), ranges of files (206) and streamed downloads of other
  types pass unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Request, current_app, request
from flask_compress import Compress, DictCache
from werkzeug.wrappers import Response

EXTENSION = "compression"


def _static_key(req: Request) -> str:
    """The cache key of a static file: its path with its size and modification time."""
    filename = (req.view_args or {}).get("filename", "")
    path = Path(current_app.static_folder or "") / filename
    try:
        stat = os.stat(path)
    except OSError:
        return f"{req.path}:missing"
    return f"{req.path}:{stat.st_size}:{stat.st_mtime_ns}"


def _keeps_identity(response: Response) -> bool:
    """True for an API response whose `ETag` is a version the client sends back as-is, and
    for a range of a file (its `Content-Range` counts the bytes of the file as it is)."""
    if response.status_code == 206:
        return True
    return request.path.startswith("/api/") and "ETag" in response.headers


def _read_whole(response: Response) -> None:
    """Read a file response into memory (and close the file): it is no longer streamed."""
    source = response.response
    try:
        body = b"".join(source)  # type: ignore[arg-type]
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
    response.direct_passthrough = False
    response.set_data(body)


def register(app: Flask) -> None:
    """Compress responses as the last after-request hook (registered before all others)."""
    app.config["COMPRESS_REGISTER"] = False
    pages = Compress()
    pages.init_app(app)
    # Static files, made whole (not streamed) so that their compressed form can be kept.
    static = Compress()
    static.init_app(app)
    static.cache = DictCache()
    static.cache_key = _static_key
    app.extensions[EXTENSION] = {"pages": pages, "static": static}

    @app.after_request
    def compress(response: Response) -> Response:
        if _keeps_identity(response):
            response.vary.add("Accept-Encoding")
            return response
        if (
            request.endpoint == "static"
            and response.status_code == 200
            and response.direct_passthrough
            and response.mimetype in static.compress_mimetypes_set
            and "Content-Encoding" not in response.headers
        ):
            _read_whole(response)
            return static.after_request(response)
        return pages.after_request(response)
