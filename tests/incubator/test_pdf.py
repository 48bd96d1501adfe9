"""The printables' kernel (``incubator.pdf``): amounts in Chinese capitals, and one embedded TrueType font."""

from decimal import Decimal

import pytest

from incubator.pdf import FONT_FILE, Document, amount_in_capitals
from tests.pdfs import pdf_fonts, pdf_text, squash


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("33333.33", "叁万叁仟叁佰叁拾叁元叁角叁分"),
        ("100000", "壹拾万元整"),
        ("100000.00", "壹拾万元整"),
        ("1004.50", "壹仟零肆元伍角"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("0.55", "伍角伍分"),
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("15", "壹拾伍元整"),
        ("110", "壹佰壹拾元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("10001", "壹万零壹元整"),
        ("1000000.01", "壹佰万元零壹分"),
        ("20300.4", "贰万零叁佰元肆角"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007", "陆仟零柒元整"),
        ("1010", "壹仟零壹拾元整"),
        ("10100", "壹万零壹佰元整"),
        ("11000", "壹万壹仟元整"),
        ("101000", "壹拾万壹仟元整"),
        ("1001000", "壹佰万壹仟元整"),
        ("10000100", "壹仟万零壹佰元整"),
        ("50000", "伍万元整"),
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("100010000", "壹亿零壹万元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("1000100000000", "壹万零壹亿元整"),
        ("9999999999.99", "玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_amounts_are_written_in_chinese_capitals(amount, words):
    assert amount_in_capitals(Decimal(amount)) == words
    assert amount_in_capitals(amount) == words


def test_whole_yuan_may_be_given_as_an_int():
    assert amount_in_capitals(20300) == "贰万零叁佰元整"


@pytest.mark.parametrize(
    "amount", ["-1", Decimal("-0.01"), "1.234", Decimal("0.001"), "NaN", Decimal("Infinity"), "", "十元", 1.5, True]
)
def test_what_is_not_an_amount_of_yuan_and_fen_is_refused(amount):
    with pytest.raises(ValueError):
        amount_in_capitals(amount)


def test_trailing_zeros_beyond_the_fen_are_not_more_decimals():
    assert amount_in_capitals(Decimal("1.500")) == "壹元伍角"


def test_the_font_is_a_truetype_font_shipped_with_the_code():
    data = FONT_FILE.read_bytes()
    assert data[:4] == b"\x00\x01\x00\x00"  # TrueType outlines (glyf), not CFF ("OTTO") nor a collection
    assert len(data) < 6 * 1024 * 1024
    assert (FONT_FILE.parent / "LICENSE-Apache-2.0.txt").exists()


def test_every_character_prints_in_one_embedded_truetype_font():
    text = "“银龄·互助”——社区（堃喆犇）：关爱、陪伴！《项目》【一】？；Latin <&> 123"
    doc = Document()
    pdf = doc.build(
        [doc.p(text, doc.title), doc.table([["金额（元）"], ["1,000.00"]], [1], numeric=(0,))],
        title=text,
        footer="第 %(page)s 页",
    )
    extracted = pdf_text(pdf)
    assert squash(text) in squash(extracted) and "�" not in extracted and "第 1 页" in extracted
    fonts = pdf_fonts(pdf)
    assert fonts and all(f["subtype"] == "/TrueType" and f["embedded"] == "FontFile2" for f in fonts), fonts
    assert all(f["to_unicode"] for f in fonts) and b"STSong" not in pdf and b"Helvetica" not in pdf


@pytest.mark.django_db
def test_the_receipt_uses_the_same_embedded_font(in_hub_a):
    from django.utils import timezone

    from incubator.funding.documents import receipt_pdf
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(status="submitted", submitted_at=timezone.now(), title="“银龄·互助”（堃）")
    pdf = receipt_pdf(application)
    assert "“银龄·互助”（堃）" in pdf_text(pdf)
    fonts = pdf_fonts(pdf)
    assert fonts and all(f["embedded"] == "FontFile2" and f["to_unicode"] for f in fonts), fonts
    assert b"STSong" not in pdf
