"""Validation of China's Unified Social Credit Code (统一社会信用代码, GB 32100-2015).

The code has 18 characters from a 31-character set (digits and capital letters without I, O, Z, S, V):

====== ====================================================================
1      registration-authority code (登记管理部门码); 5 is civil affairs (民政)
2      organisation category within that authority (机构类别码)
3-8    administrative division of the registering authority (行政区划码)
9-17   organisation code (主体标识码, GB 11714) whose last character is its own check
18     check character over positions 1-17 (校验码, ISO 7064 MOD 31-3)
====== ====================================================================

``validate_uscc`` normalises a code and checks the rules in that order, raising ``USCCError`` for the
first one that fails, with a translated message that says which rule and, where it helps, which
character. ``django_validator`` is the same check for a model or form field.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LENGTH = 18

# The code set of GB 32100, in value order: "0" is 0, ..., "Y" is 30.
CODE_SET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {char: value for value, char in enumerate(CODE_SET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**(i-1) mod 31

# Registration authority (position 1) -> organisation categories it may register (position 2).
# The standard's amendments also define "A" (军队事业单位, categories 1, 9) and "N" (农村集体经济组织,
# categories 1, 2, 3, 9); they are not accepted here.
CATEGORIES: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位 (社会服务机构), 基金会, 其他
    "6": "129",  # 旅游: 外国旅游部门常驻代表机构, 港澳台地区旅游部门常驻内地代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",  # 工会: 基层工会, 其他
    "9": "123",  # 工商: 企业, 个体工商户, 农民专业合作社
    "Y": "1",  # 其他: one category only
}
CIVIL_AFFAIRS = "5"

# GB 11714 organisation code: eight characters, then a check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_DIGITS = "0123456789"


class USCCError(ValueError):
    """A code that breaks one rule of GB 32100.

    ``rule`` is a stable identifier ("length", "charset", "authority", "category", "division",
    "org_code_check", "check_character"); ``message`` is translated and meant for the user.
    """

    def __init__(self, rule: str, message: str):
        self.rule = rule
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


def check_character(first17: str) -> str:
    """The 18th character for the first 17 characters of a code (which must be in the code set)."""
    if len(first17) != LENGTH - 1:
        raise ValueError(f"expected 17 characters, got {len(first17)}: {first17!r}")
    try:
        total = sum(_VALUES[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not in the Unified Social Credit Code character set") from None
    return CODE_SET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    """The 9th character of a GB 11714 organisation code (position 17 of a USCC) for its first 8 characters."""
    if len(first8) != len(_ORG_WEIGHTS):
        raise ValueError(f"expected 8 characters, got {len(first8)}: {first8!r}")
    total = 0
    for char, weight in zip(first8, _ORG_WEIGHTS, strict=True):
        if char in _DIGITS:
            value = int(char)
        elif "A" <= char <= "Z":
            value = ord(char) - ord("A") + 10
        else:
            raise ValueError(f"{char!r} is not a digit or a capital letter")
        total += value * weight
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_uscc(value: str) -> str:
    """Return the normalised code (stripped, upper-case) or raise ``USCCError`` for the first broken rule."""
    # NFKC first: Chinese input methods often produce full-width digits and letters (９１４４…).
    code = unicodedata.normalize("NFKC", value).strip().upper()

    if len(code) != LENGTH:
        raise USCCError(
            "length",
            _("The Unified Social Credit Code must be 18 characters long; “%(code)s” has %(length)d.")
            % {"code": code, "length": len(code)},
        )

    for position, char in enumerate(code, start=1):
        if char not in _VALUES:
            raise USCCError(
                "charset",
                _(
                    "Character %(position)d (“%(char)s”) is not allowed in a Unified Social Credit Code: "
                    "only digits and capital letters are used, and never the letters I, O, Z, S or V."
                )
                % {"position": position, "char": char},
            )

    authority, category = code[0], code[1]
    if authority not in CATEGORIES:
        raise USCCError(
            "authority",
            _(
                "The first character (“%(char)s”) is not a registration-authority code: it must be a digit "
                "from 1 to 9 or the letter Y (5 for organisations registered with civil affairs)."
            )
            % {"char": authority},
        )

    allowed = CATEGORIES[authority]
    if category not in allowed:
        raise USCCError(
            "category",
            _(
                "The second character (“%(char)s”) is not an organisation category of registration "
                "authority “%(authority)s”; it must be one of: %(allowed)s."
            )
            % {"char": category, "authority": authority, "allowed": ", ".join(allowed)},
        )

    division = code[2:8]
    if any(char not in _DIGITS for char in division):
        raise USCCError(
            "division",
            _(
                "Characters 3 to 8 (“%(division)s”) must be the six-digit administrative division code "
                "of the registering authority."
            )
            % {"division": division},
        )

    org_code = code[8:17]
    expected = org_code_check_character(org_code[:8])
    if org_code[8] != expected:
        raise USCCError(
            "org_code_check",
            _(
                "Characters 9 to 17 (“%(org_code)s”) are not a valid organisation code: its last character "
                "should be “%(expected)s”, not “%(found)s”."
            )
            % {"org_code": org_code, "expected": expected, "found": org_code[8]},
        )

    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError(
            "check_character",
            _("The check character should be “%(expected)s”, not “%(found)s”: the code has probably been mistyped.")
            % {"expected": expected, "found": code[17]},
        )

    return code


def django_validator(value) -> None:
    """Model/form field validator: ``validate_uscc`` raising ``ValidationError`` (code = the rule)."""
    try:
        validate_uscc(value)
    except USCCError as exc:
        raise ValidationError(exc.message, code=exc.rule) from exc
