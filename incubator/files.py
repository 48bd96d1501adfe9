"""Serving a stored upload safely (shared by the hub's pages and the platform's)."""

import mimetypes
from pathlib import Path

from django.http import FileResponse, Http404


def safe_file_response(handle, filename: str, *, download_name: str | None = None) -> FileResponse:
    """Images display inline; anything else downloads, sandboxed, so an uploaded page can never run
    script with the hub's origin."""
    content_type, _encoding = mimetypes.guess_type(filename)
    content_type = content_type or "application/octet-stream"
    inline = content_type in {"image/png", "image/jpeg", "image/gif", "image/webp"}
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=download_name or Path(filename).name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def serve_stored(field_file, *, download_name: str | None = None) -> FileResponse:
    """A stored upload (a model's FieldFile) served safely; a 404 if the file is gone from storage."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return safe_file_response(handle, field_file.name, download_name=download_name)
