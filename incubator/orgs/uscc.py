"""Validation of China's Unified Social Credit Code (统一社会信用代码, GB 32100-2015).

The code has 18 characters from a 31-character set (digits and capital letters without I, O, Z, S, V):

====== ====================================================================
1      registration-authority code (登记管理部门码); 5 is civil affairs (民政); A and N come from the
       standard's amendments (军队事业单位, 农村集体经济组织)
2      organisation category within that authority (机构类别码)
3-8    administrative division of the registering authority (行政区划码)
9-17   organisation code (主体标识码, GB 11714) whose last character is its own check
18     check character over positions 1-17 (校验码, ISO 7064 MOD 31-3)
====== ====================================================================

``normalise_uscc`` turns what a person typed or pasted into the code (NFKC, separators removed, upper
case); ``validate_uscc`` normalises a code and checks the rules in that order, raising ``USCCError`` for
the first one that fails, with a translated message that says which rule. ``django_validator`` is the
same check for a model or form field.

The messages never name a character that would make the code valid: a single mistyped character is
always caught by a check character, but one who is told "should be X" and types it turns the typo into
another valid code (of someone else, or of nobody). So a code that does not check out is answered with
"compare it with the certificate", never with the character the check expects. Naming the allowed set of
authorities is harmless (a single typo that gives an unknown authority is in the first character, and the
check character catches a wrong choice), but not the categories of an authority (see ``validate_uscc``).

``legal_form_problem`` checks that the code of a social organisation registered with civil affairs has
the category of its legal form (51 社会团体, 52 社会服务机构, 53 基金会).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LENGTH = 18

# The code set of GB 32100, in value order: "0" is 0, ..., "Y" is 30.
CODE_SET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {char: value for value, char in enumerate(CODE_SET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**(i-1) mod 31

# Registration authority (position 1) -> organisation categories it may register (position 2): GB 32100-2015
# and its amendments, which added "A" (军队事业单位) and "N" (农村集体经济组织, which 村改居 communities have).
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
    "A": "19",  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",  # 农业农村: 组级集体经济组织, 村级集体经济组织, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他: one category only
}
CIVIL_AFFAIRS = "5"

# GB 11714 organisation code: eight characters, then a check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_DIGITS = "0123456789"

# Unicode categories of what a person pastes between or around the characters of a code: spaces (Zs, after
# NFKC also the full-width and the non-breaking ones), line and paragraph separators, control characters
# (tab, newline), format characters (zero-width spaces and joiners U+200B-U+200D, word joiner U+2060, BOM
# U+FEFF, soft hyphen, direction marks) and dashes (-, ‐, ‑, ‒, –, —, ―, －, ...); and the minus sign.
_SEPARATOR_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Pd"})
_SEPARATORS = frozenset("\u2212")  # − (Sm)


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


def normalise_uscc(value: str) -> str:
    """The code a person meant: NFKC, every space, dash and invisible character removed, upper case.

    NFKC first: Chinese input methods often produce full-width digits and letters (９１４４…), and it turns
    full-width and non-breaking spaces into spaces. Codes copied from documents come with spaces, hyphens
    ("91420102-MA4K…") and zero-width characters, none of which is ever part of a code.
    """
    code = unicodedata.normalize("NFKC", value)
    code = "".join(
        char for char in code if char not in _SEPARATORS and unicodedata.category(char) not in _SEPARATOR_CATEGORIES
    )
    return code.upper()


def validate_uscc(value: str) -> str:
    """Return the normalised code (``normalise_uscc``) or raise ``USCCError`` for the first broken rule."""
    code = normalise_uscc(value)

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
                "from 1 to 9 or one of the letters A, N or Y (5 for organisations registered with civil affairs)."
            )
            % {"char": authority},
        )

    # Not the categories the authority has: the mistake may as well be in the first character (a "Y9" typed
    # for "69"), and a category picked from a list would then make a code that differs in two characters,
    # which the check character lets through once in 31.
    if category not in CATEGORIES[authority]:
        raise USCCError(
            "category",
            _(
                "The first two characters (“%(authority)s%(char)s”) do not go together: registration authority "
                "“%(authority)s” has no organisation category “%(char)s”, so one of them has probably been "
                "mistyped. Compare the code with the organisation's certificate (登记证书 or 营业执照)."
            )
            % {"char": category, "authority": authority},
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

    # Neither check names the character it expects (see the module's docstring).
    if code[16] != org_code_check_character(code[8:16]):
        raise USCCError(
            "org_code_check",
            _(
                "The Unified Social Credit Code “%(code)s” does not check out: characters 9 to 17, the "
                "organisation code, contain a mistake, probably a mistyped character. Compare them with the "
                "organisation's certificate (登记证书 or 营业执照) character by character."
            )
            % {"code": code},
        )

    if code[17] != check_character(code[:17]):
        raise USCCError(
            "check_character",
            _(
                "The Unified Social Credit Code “%(code)s” does not check out: a character has probably been "
                "mistyped, or two swapped. Compare it with the organisation's certificate (登记证书 or 营业执照) "
                "character by character."
            )
            % {"code": code},
        )

    return code


def django_validator(value) -> None:
    """Model/form field validator: ``validate_uscc`` raising ``ValidationError`` (code = the rule)."""
    try:
        validate_uscc(value)
    except USCCError as exc:
        raise ValidationError(exc.message, code=exc.rule) from exc


def legal_form_problem(
    code: str, legal_form: str, categories: Mapping[str, str], labels: Mapping[str, str]
) -> str | None:
    """Why a valid ``code`` cannot be that of an organisation of ``legal_form``, or None if it can.

    ``categories`` maps each legal form registered with civil affairs to its category (position 2) under
    authority 5, e.g. 社会团体 -> "1"; other legal forms (filed community groups, ...) are not constrained.
    ``labels`` are the legal forms' names shown to the user.
    """
    category = categories.get(legal_form)
    if category is None:
        return None
    if code[0] != CIVIL_AFFAIRS:
        # Not "starts with 52": changing two characters of a valid code may make another valid one.
        return _(
            "A “%(legal_form)s” is registered with civil affairs (民政), so its Unified Social Credit Code "
            "starts with 5; this one starts with “%(authority)s”: check the legal form or the code."
        ) % {"legal_form": labels[legal_form], "authority": code[0]}
    if code[1] == category:
        return None
    expected = CIVIL_AFFAIRS + category  # one character away from the code: the check character catches a guess
    other = next((form for form, other_category in categories.items() if other_category == code[1]), None)
    if other is None:
        return _(
            "This code starts with “%(prefix)s”, the code of another kind of organisation registered with civil "
            "affairs, but the legal form chosen is “%(legal_form)s”, whose codes start with “%(expected)s”: "
            "check the legal form or the code."
        ) % {"prefix": code[:2], "legal_form": labels[legal_form], "expected": expected}
    return _(
        "This code starts with “%(prefix)s”, the code of a “%(code_form)s”, but the legal form chosen is "
        "“%(legal_form)s”, whose codes start with “%(expected)s”: check the legal form or the code."
    ) % {"prefix": code[:2], "code_form": labels[other], "legal_form": labels[legal_form], "expected": expected}
