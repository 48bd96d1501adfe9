"""Printable documents (contracts, receipts) as A4 PDFs in Chinese: one font, one set of styles, tables whose
cells wrap, whatever the length of what people typed."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

FONT = "STSong-Light"  # reportlab's CJK CID font, known to every PDF reader
MARGIN = 56  # points; the frame is A4's width less two margins


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


class Document:
    """A story of paragraphs and tables, built into PDF bytes. ``p`` and ``table`` escape what they are given."""

    def __init__(self, *, base_size: float = 11):
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import ParagraphStyle

        _register_font()
        self.width = A4[0] - 2 * MARGIN
        leading = base_size * 1.6
        self.body = ParagraphStyle("body", fontName=FONT, fontSize=base_size, leading=leading, wordWrap="CJK")
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=base_size - 1, leading=leading - 3)
        self.heading = ParagraphStyle(
            "heading", parent=self.body, fontSize=base_size + 2, leading=leading + 4, spaceBefore=8
        )
        self.subheading = ParagraphStyle("subheading", parent=self.body, spaceBefore=6)
        self.title = ParagraphStyle("title", parent=self.body, fontSize=base_size + 7, leading=26, alignment=1)
        self.story: list = []

    def p(self, text, style=None):
        from reportlab.platypus import Paragraph

        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style or self.body)

    def table(self, rows, shares):
        """A table whose columns take these shares of the frame's width, every cell a wrapping paragraph."""
        from reportlab.platypus import Table

        total = sum(shares)
        t = Table(
            [[self.p(value, self.cell) for value in row] for row in rows],
            colWidths=[self.width * share / total for share in shares],
            hAlign="LEFT",
            repeatRows=1,
        )
        t.setStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "#999999"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
            ]
        )
        return t

    def space(self, height: float):
        from reportlab.platypus import Spacer

        return Spacer(1, height)

    def build(self, story, *, title: str, author: str = "") -> bytes:
        from reportlab.lib.pagesizes import A4
        from reportlab.platypus import SimpleDocTemplate

        buffer = io.BytesIO()
        SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title,
            author=author,
        ).build(story)
        return buffer.getvalue()
