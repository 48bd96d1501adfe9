"""What a PDF says and which fonts it carries, read back with pypdf: the tests of printables assert on these."""

from __future__ import annotations

import io


def pdf_text(pdf: bytes) -> str:
    """The text of every page, as a viewer's "copy" or a search would find it."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squash(text: str) -> str:
    """Without any white space: where a line wraps or a table cell ends is not what a test asserts."""
    return "".join(str(text).split())


def pdf_fonts(pdf: bytes) -> list[dict]:
    """Every font object of the file (not only those the pages name), with what a viewer needs to show it the
    same everywhere: the embedded program (FontFile2 is TrueType, FontFile/FontFile3 Type 1 or CFF) and the
    ToUnicode map that text extraction reads."""
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    reader = PdfReader(io.BytesIO(pdf))
    fonts = []
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(IndirectObject(number, 0, reader))
        except Exception:  # a free entry of the cross-reference table
            continue
        if not hasattr(obj, "get") or obj.get("/Type") != "/Font" or obj.get("/Subtype") == "/CIDFontType2":
            continue
        descendants = [d.get_object() for d in obj.get("/DescendantFonts", [])]
        descriptor = (descendants[0] if descendants else obj).get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        fonts.append(
            {
                "name": str(obj.get("/BaseFont")),
                "subtype": str(obj.get("/Subtype")),
                "embedded": next(
                    (key[1:] for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor), None
                ),
                "to_unicode": "/ToUnicode" in obj,
            }
        )
    return fonts
