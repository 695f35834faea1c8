"""HTML to an accessible PDF with WeasyPrint: tagged (PDF/UA-1), its language from
`<html lang>` and its title from `<title>`, tables as tables."""

from __future__ import annotations

from flask import Response


def pdf_bytes(html: str) -> bytes:
    """The PDF of a complete HTML document (its styles inline, no outside resources)."""
    from weasyprint import HTML  # imported late: Pango loads once, when a PDF is made

    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")  # type: ignore[no-any-return]


def render_pdf(html: str, filename: str) -> Response:
    """A download of the PDF; private, never cached (it holds a municipality's figures)."""
    response = Response(pdf_bytes(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
