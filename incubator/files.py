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


# --- Checking an upload ------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PHOTO_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp"})
DOCUMENT_EXTENSIONS = frozenset({"pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "odt"})
EVIDENCE_EXTENSIONS = DOCUMENT_EXTENSIONS | PHOTO_EXTENSIONS

_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # Word 97-2003 and Excel 97-2003
_ZIP = (b"PK\x03\x04",)  # .docx, .xlsx and .odt are zip archives
# What the first bytes of each accepted kind of file are: a name says nothing of the content, and a page of
# HTML or SVG renamed "photo.jpg" must not pass for a photo.
SIGNATURES = {
    "pdf": (b"%PDF",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),  # then four bytes of length and "WEBP", checked below
    "doc": _OLE,
    "xls": _OLE,
    "docx": _ZIP,
    "xlsx": _ZIP,
    "odt": _ZIP,
}


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _head(uploaded_file, size: int = 16) -> bytes:
    uploaded_file.seek(0)
    head = uploaded_file.read(size)
    uploaded_file.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def content_matches(uploaded_file, extension: str) -> bool:
    """Whether the file's first bytes are those of the kind its name says."""
    head = _head(uploaded_file)
    if not any(head.startswith(signature) for signature in SIGNATURES.get(extension, ())):
        return False
    return extension != "webp" or head[8:12] == b"WEBP"


def check_upload(
    uploaded_file,
    *,
    extensions=DOCUMENT_EXTENSIONS,
    kinds: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    field: str = "file",
) -> str:
    """Refuse a file that is not of an accepted kind, whose content is not what its name says, or that is too
    large, with a message for the form's file field; return its extension. ``kinds`` names the accepted kinds
    in the message."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    name = uploaded_file.name
    extension = extension_of(name)
    if extension not in extensions:
        raise ValidationError(
            {
                field: [
                    _("“%(name)s” is not an accepted kind of file (%(kinds)s).")
                    % {"name": name, "kinds": kinds or _("PDF, image, Word or Excel")}
                ]
            }
        )
    if uploaded_file.size > max_bytes:
        raise ValidationError(
            {field: [_("“%(name)s” is larger than %(size)d MB.") % {"name": name, "size": max_bytes // (1024 * 1024)}]}
        )
    if not content_matches(uploaded_file, extension):
        raise ValidationError(
            {
                field: [
                    _(
                        "“%(name)s” is not a real .%(extension)s file: its content is of another kind. "
                        "Save it again as %(extension)s and upload that."
                    )
                    % {"name": name, "extension": extension}
                ]
            }
        )
    return extension
