"""Printable documents (contracts, receipts) as A4 PDFs in Chinese: one font, one set of styles, tables whose
cells wrap, whatever the length of what people typed; and amounts of money in Chinese capitals (大写).

The font is a TrueType font shipped with the code (``incubator/fonts/``, WenQuanYi Micro Hei): reportlab embeds
the subset a document uses (``FontFile2``) with a ``ToUnicode`` map, so every viewer shows the same glyphs and
the text can be copied and searched. Nothing else is drawn in another font: the canvas starts in it too (by
default reportlab's starts in Helvetica, which would add a font that is not embedded).
"""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.sax.saxutils import escape

FONT = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttf"
MARGIN = 56  # points; the frame is A4's width less two margins
BLANK = "________"  # a detail nobody recorded: a line to fill in by hand


def _register_font() -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
        # One face for every style: <b> or <i> in a paragraph must not fall back to a built-in Latin font.
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(FONT, bold, italic, FONT)


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
        self.number = ParagraphStyle("number", parent=self.cell, alignment=2)  # right-aligned amounts
        self.heading = ParagraphStyle(
            "heading", parent=self.body, fontSize=base_size + 2, leading=leading + 4, spaceBefore=8
        )
        self.subheading = ParagraphStyle("subheading", parent=self.body, spaceBefore=6)
        self.title = ParagraphStyle("title", parent=self.body, fontSize=base_size + 7, leading=26, alignment=1)
        self.subtitle = ParagraphStyle("subtitle", parent=self.body, fontSize=base_size + 2, alignment=1)
        self.story: list = []

    def p(self, text, style=None):
        from reportlab.platypus import Paragraph

        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style or self.body)

    def table(self, rows, shares, *, numeric=(), header=True, grid=True):
        """A table whose columns take these shares of the frame's width, every cell a wrapping paragraph.

        ``numeric``: the indexes of the columns of amounts, right-aligned (their header too).
        ``header``: the first row is a header, shaded and repeated on every page the table crosses.
        ``grid``: ruled cells (a signature block has none).
        """
        from reportlab.platypus import Table

        total = sum(shares)
        cells = [
            [self.p(value, self.number if column in numeric else self.cell) for column, value in enumerate(row)]
            for row in rows
        ]
        t = Table(
            cells,
            colWidths=[self.width * share / total for share in shares],
            hAlign="LEFT",
            repeatRows=1 if header else 0,
        )
        # The cells' own font too: reportlab sets it on the canvas for every cell, paragraph or not.
        style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FONT)]
        if grid:
            style.append(("GRID", (0, 0), (-1, -1), 0.5, "#999999"))
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"))
        t.setStyle(style)
        return t

    def space(self, height: float):
        from reportlab.platypus import Spacer

        return Spacer(1, height)

    def build(self, story, *, title: str, author: str = "", footer: str = "") -> bytes:
        """The PDF. ``footer``, if given, is printed at the foot of every page with ``%(page)s`` its number."""
        from reportlab.lib.pagesizes import A4
        from reportlab.platypus import SimpleDocTemplate

        size = self.cell.fontSize - 1

        def on_page(canvas, document):
            if footer:
                canvas.saveState()
                canvas.setFont(FONT, size)
                canvas.drawCentredString(A4[0] / 2, MARGIN / 2, footer % {"page": document.page})
                canvas.restoreState()

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
            initialFontName=FONT,
        ).build(story, onFirstPage=on_page, onLaterPages=on_page)
        return buffer.getvalue()


# --- Amounts in Chinese capitals (大写) -------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("仟", "佰", "拾", "")  # within a group of four digits, thousands first


def _group(n: int) -> str:
    """1..9999 in capitals: one 零 for any run of zeros between digits, none at the end (1010: 壹仟零壹拾)."""
    words, zero = "", False
    for place, digit in zip(_PLACES, f"{n:04d}", strict=True):
        if digit == "0":
            zero = bool(words)
        else:
            words += ("零" if zero else "") + _DIGITS[int(digit)] + place
            zero = False
    return words


def _integer(n: int) -> str:
    """A positive whole number in capitals: groups of four digits under 万 and groups of eight under 亿, with
    one 零 where a gap of zeros separates two of them (100010: 壹拾万零壹拾; 100000001: 壹亿零壹)."""
    for size, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= size:
            high, low = divmod(n, size)
            words = _integer(high) + unit
            if low:
                words += ("零" if low < size // 10 else "") + _integer(low)
            return words
    return _group(n)


def amount_in_capitals(amount) -> str:
    """A sum of yuan in Chinese financial capitals, as cheques, invoices and contracts write it.

    33333.33 → 叁万叁仟叁佰叁拾叁元叁角叁分; 100000 → 壹拾万元整 (拾 always after a digit, never alone);
    1004.50 → 壹仟零肆元伍角; 0.05 → 伍分; 325.04 → 叁佰贰拾伍元零肆分 (零 for the missing 角 before 分);
    0 → 零元整. "整" ends an amount with neither 角 nor 分. Without "人民币", which the sentence says.

    ``amount`` is a Decimal, an int or a string of digits; a negative amount, one with more than two decimals
    (fractions of a fen) or anything that is not a finite number raises ``ValueError``.
    """
    if isinstance(amount, float | bool):
        raise ValueError("Give the amount as a Decimal, an int or a string, not a float.")
    try:
        value = Decimal(str(amount).strip()) if not isinstance(amount, Decimal) else amount
    except InvalidOperation as exc:
        raise ValueError(f"Not an amount: {amount!r}.") from exc
    if not value.is_finite():
        raise ValueError(f"Not an amount: {amount!r}.")
    if value < 0:
        raise ValueError(f"A negative amount has no capitals: {amount!r}.")
    fen_total = value * 100
    if fen_total != fen_total.to_integral_value():
        raise ValueError(f"An amount has at most two decimals (fen): {amount!r}.")
    yuan, fen = divmod(int(fen_total), 100)
    jiao, fen = divmod(fen, 10)
    words = _integer(yuan) + "元" if yuan else ""
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif yuan:
        words += "零"  # 元零伍分: the 角 that is not there
    if fen:
        words += _DIGITS[fen] + "分"
    return words
