"""The Unified Social Credit Code validator (GB 32100-2015): valid codes pass, each rule fails on its own.

No database: these are pure functions (plus Django's ValidationError and translation machinery).
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from incubator.orgs.uscc import (
    CODE_SET,
    USCCError,
    check_character,
    django_validator,
    org_code_check_character,
    validate_uscc,
)

# Real codes of well-known companies, as shown on their business licences: both check characters were
# computed by the issuing authority, not by this module (a made-up code passes both checks once in 341).
PUBLISHED = [
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
]


def _other(char: str) -> str:
    """A code-set character different from ``char``."""
    return "0" if char != "0" else "1"


def _code(prefix8: str, body8: str, org_check: str | None = None) -> str:
    """A code from its first 8 characters and the first 8 of the organisation code, both check characters
    computed (or the organisation code's check forced to ``org_check``)."""
    first17 = prefix8 + body8 + (org_check if org_check is not None else org_code_check_character(body8))
    return first17 + check_character(first17)


SOCIAL_GROUP = _code("51420100", "MJH12345")  # 社会团体, 武汉市民政局
SOCIAL_SERVICE = _code("52420102", "MJ8H6T0K")  # 民办非企业单位 / 社会服务机构, 江岸区
FOUNDATION = _code("53100000", "50002167")  # 基金会, 民政部
OTHER_CIVIL = _code("59440300", "MJL00001")  # 民政: 其他
PUBLIC_INSTITUTION = _code("12440600", "MB2C0754")  # 事业单位
ENTERPRISE = _code("91330100", "MA27XY1W")  # 企业
SOLE_TRADER = _code("92420111", "MA4KXQ0R")  # 个体工商户
COOPERATIVE = _code("93421281", "MA49B1CD")  # 农民专业合作社
LAW_FIRM = _code("31110000", "E0000012")  # 律师执业机构
OTHER_AUTHORITY = _code("Y1110000", "MA00AAAA")  # 其他登记管理部门

BUILT = [
    SOCIAL_GROUP,
    SOCIAL_SERVICE,
    FOUNDATION,
    OTHER_CIVIL,
    PUBLIC_INSTITUTION,
    ENTERPRISE,
    SOLE_TRADER,
    COOPERATIVE,
    LAW_FIRM,
    OTHER_AUTHORITY,
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_check_characters_agree_with_published_codes(code):
    assert org_code_check_character(code[8:16]) == code[16]
    assert check_character(code[:17]) == code[17]
    assert validate_uscc(code) == code


@pytest.mark.parametrize(
    ("first8", "expected"),
    [
        ("70846113", "6"),  # 腾讯's former organisation code 70846113-6
        ("19220382", "1"),  # 华为's former organisation code 19220382-1
        ("00000000", "0"),  # sum 0 -> 11 - 0 = 11 -> "0"
        ("A0000000", "3"),  # A = 10, 10 * 3 = 30, 30 mod 11 = 8 -> 3
        ("00001000", "6"),  # 1 * 5 = 5 -> 6
        ("00000006", "X"),  # 6 * 2 = 12, 12 mod 11 = 1 -> 10 -> "X"
        ("MB2C0754", "9"),  # letters count from A = 10 over the whole alphabet (M = 22, not its USCC value 21)
    ],
)
def test_org_code_check_character(first8, expected):
    assert org_code_check_character(first8) == expected


@pytest.mark.parametrize("code", BUILT)
def test_built_codes_are_valid(code):
    assert validate_uscc(code) == code


def test_check_character_value_zero_is_the_digit_zero():
    # A first 17 whose weighted sum is a multiple of 31 gets "0", not the 31st character.
    assert check_character("0" * 17) == "0"
    assert check_character("1" + "0" * 16) == CODE_SET[30]  # 31 - 1 = 30 -> "Y"


def test_check_character_rejects_bad_input():
    with pytest.raises(ValueError, match="17 characters"):
        check_character("9144030070846113")
    with pytest.raises(ValueError, match="character set"):
        check_character("91440300708461I36")


@pytest.mark.parametrize(
    "raw",
    [
        SOCIAL_GROUP.lower(),
        f"  {SOCIAL_GROUP}\n",
        f"\t{SOCIAL_GROUP.lower()} ",
        SOCIAL_GROUP[:9] + SOCIAL_GROUP[9:].lower(),
    ],
)
def test_input_is_stripped_and_upper_cased(raw):
    assert validate_uscc(raw) == SOCIAL_GROUP


def _fails(value: str) -> USCCError:
    with override("en"), pytest.raises(USCCError) as info:
        validate_uscc(value)
    return info.value


_ORG_BODY = "MJ8H6T0K"
_WRONG_ORG_CHECK = _other(org_code_check_character(_ORG_BODY))


@pytest.mark.parametrize(
    ("value", "rule", "fragment"),
    [
        # length
        (SOCIAL_GROUP[:17], "length", f"must be 18 characters long; “{SOCIAL_GROUP[:17]}” has 17."),
        (SOCIAL_GROUP + "0", "length", "has 19."),
        ("", "length", "has 0."),
        ("   ", "length", "has 0."),
        (SOCIAL_GROUP[:8] + " " + SOCIAL_GROUP[8:], "length", "has 19."),
        # charset: I, O, Z, S, V and anything outside digits and capitals
        (SOCIAL_SERVICE[:11] + "O" + SOCIAL_SERVICE[12:], "charset", "Character 12 (“O”) is not allowed"),
        (SOCIAL_SERVICE[:17] + "i", "charset", "Character 18 (“I”)"),
        ("Z" + SOCIAL_SERVICE[1:], "charset", "Character 1 (“Z”)"),
        (SOCIAL_SERVICE[:9] + "S" + SOCIAL_SERVICE[10:], "charset", "never the letters I, O, Z, S or V"),
        (SOCIAL_SERVICE[:3] + "V" + SOCIAL_SERVICE[4:], "charset", "Character 4 (“V”)"),
        (SOCIAL_SERVICE[:5] + "-" + SOCIAL_SERVICE[6:], "charset", "Character 6 (“-”)"),
        (SOCIAL_SERVICE[:5] + "—" + SOCIAL_SERVICE[6:], "charset", "Character 6 (“—”)"),
        # authority: in the code set but not a registration authority; everything after it is consistent
        (_code("02420102", _ORG_BODY), "authority", "The first character (“0”) is not a registration-authority"),
        (_code("A1420102", _ORG_BODY), "authority", "(“A”)"),
        (_code("N2420102", _ORG_BODY), "authority", "from 1 to 9 or the letter Y"),
        # category: not a category of that authority
        (
            _code("54420102", _ORG_BODY),
            "category",
            "(“4”) is not an organisation category of registration authority “5”",
        ),
        (_code("5A420102", _ORG_BODY), "category", "it must be one of: 1, 2, 3, 9."),
        (_code("99420102", _ORG_BODY), "category", "authority “9”; it must be one of: 1, 2, 3."),
        (_code("Y2420102", _ORG_BODY), "category", "one of: 1."),
        (_code("50420102", _ORG_BODY), "category", "(“0”)"),
        # division: a letter among positions 3-8
        (_code("5242010A", _ORG_BODY), "division", "Characters 3 to 8 (“42010A”) must be the six-digit"),
        (_code("52X20102", _ORG_BODY), "division", "(“X20102”)"),
        # organisation code: its own check character (position 17) is wrong, the final one consistent
        (
            _code("52420102", _ORG_BODY, _WRONG_ORG_CHECK),
            "org_code_check",
            f"Characters 9 to 17 (“{_ORG_BODY}{_WRONG_ORG_CHECK}”) are not a valid organisation code: "
            f"its last character should be “{org_code_check_character(_ORG_BODY)}”, not “{_WRONG_ORG_CHECK}”.",
        ),
        # check character
        (
            PUBLISHED[0][:17] + "U",
            "check_character",
            "The check character should be “T”, not “U”: the code has probably been mistyped.",
        ),
        (SOCIAL_GROUP[:17] + _other(SOCIAL_GROUP[17]), "check_character", "has probably been mistyped"),
    ],
)
def test_each_rule_fails_on_its_own(value, rule, fragment):
    exc = _fails(value)
    assert exc.rule == rule
    assert fragment in exc.message
    assert str(exc) == exc.message
    assert isinstance(exc, ValueError)


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        # The first failing rule in the documented order wins.
        ("o" * 18, "charset"),
        ("0" * 18, "authority"),
        ("5" * 18, "category"),
        ("51ABCDEF" + "0" * 10, "division"),
        ("51420100" + "1" * 10, "org_code_check"),
        (_code("51420100", "11111111")[:17] + _other(_code("51420100", "11111111")[17]), "check_character"),
    ],
)
def test_rules_are_checked_in_order(value, rule):
    assert _fails(value).rule == rule


@pytest.mark.parametrize("code", [*PUBLISHED, SOCIAL_GROUP, FOUNDATION])
def test_every_single_substitution_and_adjacent_swap_is_caught(code):
    for position in range(18):
        for char in CODE_SET:
            if char != code[position]:
                with pytest.raises(USCCError):
                    validate_uscc(code[:position] + char + code[position + 1 :])
    for position in range(17):
        a, b = code[position], code[position + 1]
        if a != b:
            with pytest.raises(USCCError):
                validate_uscc(code[:position] + b + a + code[position + 2 :])


def test_django_validator_accepts_a_valid_code():
    assert django_validator(f" {FOUNDATION.lower()} ") is None


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        (FOUNDATION[:10], "length", "18 characters long"),
        (_code("54420102", _ORG_BODY), "category", "organisation category"),
        (FOUNDATION[:17] + _other(FOUNDATION[17]), "check_character", "probably been mistyped"),
    ],
)
def test_django_validator_raises_validation_error_with_the_rule_as_code(value, code, fragment):
    with override("en"), pytest.raises(ValidationError) as info:
        django_validator(value)
    assert info.value.code == code
    [message] = info.value.messages
    assert fragment in message
    assert isinstance(info.value.__cause__, USCCError)


def test_full_width_input_from_chinese_input_methods_is_accepted():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in SOCIAL_SERVICE)  # ０-９ and Ａ-Ｚ
    assert validate_uscc(full_width) == SOCIAL_SERVICE
