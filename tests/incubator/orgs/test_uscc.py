"""The Unified Social Credit Code validator (GB 32100-2015): valid codes pass, each rule fails on its own, no
message names a character that would turn a typo into another valid code, and the legal form of a registered
social organisation matches its code.

No database except for the last tests (through ``Organisation.full_clean``): the rest are pure functions (plus
Django's ValidationError and translation machinery).
"""

import random
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from incubator.orgs.models import LegalForm
from incubator.orgs.uscc import (
    CATEGORIES,
    CODE_SET,
    USCCError,
    check_character,
    django_validator,
    legal_form_problem,
    normalise_uscc,
    org_code_check_character,
    validate_uscc,
)
from tests.factories import CommunityFactory, OrganisationFactory

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
MILITARY = _code("A1110000", "MA0B1234")  # 军队事业单位 (amendment)
RURAL_COLLECTIVE = _code("N2420102", "MA4KXQ0R")  # 村级集体经济组织 (amendment), e.g. of a 村改居 community

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
    MILITARY,
    RURAL_COLLECTIVE,
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
        f"{SOCIAL_GROUP[:8]} {SOCIAL_GROUP[8:]}",
    ],
)
def test_input_is_stripped_and_upper_cased(raw):
    assert validate_uscc(raw) == SOCIAL_GROUP
    assert normalise_uscc(raw) == SOCIAL_GROUP


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)  # ０-９ and Ａ-Ｚ


_PASTED = ENTERPRISE  # 91330100MA27XY1W…: a business licence's code, as copied from documents
_SEPARATED = [
    f"{_PASTED[:8]}-{_PASTED[8:16]} {_PASTED[16:]}",  # 91330100-MA27XY1W X
    f"{_PASTED[:8]}－{_PASTED[8:16]}\u3000{_PASTED[16:]}",  # full-width hyphen and space
    f"{_PASTED[:6]}\u00a0{_PASTED[6:12]}\u00a0{_PASTED[12:]}",  # non-breaking spaces
    "\u200b".join(_PASTED),  # a zero-width space between every two characters
    f"\ufeff{_PASTED[:9]}\u200c{_PASTED[9:]}\u200d\u2060",  # BOM, ZWNJ, ZWJ, word joiner
    f"{_PASTED[:4]}‐{_PASTED[4:8]}‑{_PASTED[8:12]}‒{_PASTED[12:]}",  # hyphen, non-breaking hyphen, figure dash
    f"{_PASTED[:4]}–{_PASTED[4:8]}—{_PASTED[8:12]}−{_PASTED[12:]}",  # en dash, em dash, minus sign
    f"\t{_PASTED[:9]}\r\n{_PASTED[9:].lower()}\n",  # tab, line break, lower case
    f"{_full_width(_PASTED[:8])}-{_full_width(_PASTED[8:].lower())}",  # full-width, lower case
    f"{_PASTED[:3]}\u00ad{_PASTED[3:]}",  # soft hyphen
]


@pytest.mark.parametrize("raw", _SEPARATED)
def test_separators_pasted_from_documents_are_removed(raw):
    assert normalise_uscc(raw) == _PASTED
    assert validate_uscc(raw) == _PASTED
    assert django_validator(raw) is None


def test_the_length_is_that_of_the_normalised_code():
    exc = _fails(f"{_PASTED[:8]}-{_PASTED[8:16]}\u200b {_PASTED[16]}")
    assert exc.rule == "length"
    assert f"“{_PASTED[:17]}” has 17." in exc.message


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
        (SOCIAL_GROUP[:8] + " " + SOCIAL_GROUP[8:] + "0", "length", f"“{SOCIAL_GROUP}0” has 19."),
        # charset: I, O, Z, S, V and anything outside digits and capitals
        (SOCIAL_SERVICE[:11] + "O" + SOCIAL_SERVICE[12:], "charset", "Character 12 (“O”) is not allowed"),
        (SOCIAL_SERVICE[:17] + "i", "charset", "Character 18 (“I”)"),
        ("Z" + SOCIAL_SERVICE[1:], "charset", "Character 1 (“Z”)"),
        (SOCIAL_SERVICE[:9] + "S" + SOCIAL_SERVICE[10:], "charset", "never the letters I, O, Z, S or V"),
        (SOCIAL_SERVICE[:3] + "V" + SOCIAL_SERVICE[4:], "charset", "Character 4 (“V”)"),
        (SOCIAL_SERVICE[:5] + "_" + SOCIAL_SERVICE[6:], "charset", "Character 6 (“_”)"),
        (SOCIAL_SERVICE[:5] + "。" + SOCIAL_SERVICE[6:], "charset", "Character 6 (“。”)"),
        (SOCIAL_SERVICE[:5] + "·" + SOCIAL_SERVICE[6:], "charset", "Character 6 (“·”)"),
        # authority: in the code set but not a registration authority; everything after it is consistent
        (_code("02420102", _ORG_BODY), "authority", "The first character (“0”) is not a registration-authority"),
        (_code("B1420102", _ORG_BODY), "authority", "(“B”)"),
        (_code("X2420102", _ORG_BODY), "authority", "from 1 to 9 or one of the letters A, N or Y"),
        # category: not a category of that authority, and no list of those it has
        (
            _code("54420102", _ORG_BODY),
            "category",
            "The first two characters (“54”) do not go together: registration authority “5” has no organisation "
            "category “4”, so one of them has probably been mistyped. Compare the code with the organisation's "
            "certificate (登记证书 or 营业执照).",
        ),
        (_code("5A420102", _ORG_BODY), "category", "(“5A”)"),
        (_code("99420102", _ORG_BODY), "category", "authority “9” has no organisation category “9”"),
        (_code("Y2420102", _ORG_BODY), "category", "(“Y2”)"),
        (_code("50420102", _ORG_BODY), "category", "category “0”"),
        (_code("A2110000", _ORG_BODY), "category", "authority “A” has no organisation category “2”"),
        (_code("N4420102", _ORG_BODY), "category", "authority “N” has no organisation category “4”"),
        # division: a letter among positions 3-8
        (_code("5242010A", _ORG_BODY), "division", "Characters 3 to 8 (“42010A”) must be the six-digit"),
        (_code("52X20102", _ORG_BODY), "division", "(“X20102”)"),
        # organisation code: its own check character (position 17) is wrong, the final one consistent
        (
            _code("52420102", _ORG_BODY, _WRONG_ORG_CHECK),
            "org_code_check",
            f"The Unified Social Credit Code “{_code('52420102', _ORG_BODY, _WRONG_ORG_CHECK)}” does not check out: "
            "characters 9 to 17, the organisation code, contain a mistake",
        ),
        (_code("52420102", _ORG_BODY, _WRONG_ORG_CHECK), "org_code_check", "(登记证书 or 营业执照)"),
        # check character
        (
            PUBLISHED[0][:17] + "U",
            "check_character",
            f"The Unified Social Credit Code “{PUBLISHED[0][:17]}U” does not check out: a character has probably "
            "been mistyped, or two swapped. Compare it with the organisation's certificate (登记证书 or 营业执照) "
            "character by character.",
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
        (_code("54420102", _ORG_BODY), "category", "do not go together"),
        (FOUNDATION[:17] + _other(FOUNDATION[17]), "check_character", "does not check out"),
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
    assert validate_uscc(_full_width(SOCIAL_SERVICE)) == SOCIAL_SERVICE


@pytest.mark.parametrize("code", [MILITARY, _code("A9110000", "MA0B1235"), RURAL_COLLECTIVE])
def test_the_authorities_of_the_amendments_are_accepted(code):
    assert validate_uscc(code) == code


@pytest.mark.parametrize("category", "1239")
def test_rural_collective_economic_organisations_of_every_level_are_accepted(category):
    # 组级, 村级, 乡镇级 集体经济组织 and 其他: what 村改居 communities' 股份经济合作社 have.
    code = _code(f"N{category}420102", "MA4KXQ0R")
    assert validate_uscc(code) == code


# --- No message turns a typo into another valid code ----------------------------------------------------------


def _random_valid_codes(count: int, seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    codes = []
    for _ in range(count):
        authority = rng.choice(sorted(CATEGORIES))
        category = rng.choice(CATEGORIES[authority])
        division = "".join(rng.choice("0123456789") for _ in range(6))
        body = "".join(rng.choice(CODE_SET) for _ in range(8))
        codes.append(_code(authority + category + division, body))
    return codes


_QUOTED_CHARACTER = re.compile(r"“(.)”")


def _what_the_message_invites(typo: str, exc: USCCError) -> list[str]:
    """The codes a person may type by following the message: any of the characters it lists, in place."""
    if exc.rule == "authority":
        return [authority + typo[1:] for authority in CATEGORIES]
    return []


@pytest.mark.parametrize("code", _random_valid_codes(120))
def test_no_message_names_a_character_that_would_make_a_typo_valid(code):
    assert validate_uscc(code) == code
    for position in range(18):  # every position, 17 and 18 (indices 16, 17) included
        for char in CODE_SET:
            if char == code[position]:
                continue
            typo = code[:position] + char + code[position + 1 :]
            exc = _fails(typo)
            # A single substitution never gets past the check characters...
            assert exc.rule in {"authority", "category", "division", "org_code_check", "check_character"}
            # ...and the only character a message quotes on its own is the one found (first or second).
            quoted = set(_QUOTED_CHARACTER.findall(exc.message))
            found = {"authority": {typo[0]}, "category": {typo[0], typo[1]}}.get(exc.rule, set())
            assert quoted <= found, (typo, exc.message)
            # In particular not the character either check expects (which is the original, at 17 or 18).
            if exc.rule in {"org_code_check", "check_character"}:
                assert f"“{check_character(typo[:17])}”" not in exc.message
                assert f"“{org_code_check_character(typo[8:16])}”" not in exc.message
                assert f"“{code[position]}”" not in exc.message
            # A character chosen from a set the message lists gives back the original code or is refused.
            for invited in _what_the_message_invites(typo, exc):
                if invited != code:
                    with pytest.raises(USCCError):
                        validate_uscc(invited)


def test_a_typo_in_the_authority_may_look_like_a_wrong_category():
    # Why the category message lists no category: "Y9…" typed for a valid "69…" is refused as a category
    # Y does not have, and the one category Y has gives, for one such code in 31, another valid code.
    for serial in range(10_000):
        meant = _code("69420102", f"{serial:08d}")
        typo = "Y" + meant[1:]
        guess = "Y1" + meant[2:]
        try:
            validate_uscc(guess)
        except USCCError:
            continue
        break
    else:
        pytest.fail("no example found")
    exc = _fails(typo)
    assert exc.rule == "category"
    assert "1" not in exc.message.replace(typo, "")  # neither the category Y has nor any other
    assert "one of them has probably been mistyped" in exc.message


def test_the_check_messages_never_name_the_expected_character():
    for code in [*PUBLISHED, *BUILT]:
        for index in (16, 17):
            for char in CODE_SET:
                if char != code[index]:
                    message = _fails(code[:index] + char + code[index + 1 :]).message
                    assert "does not check out" in message
                    assert f"“{code[index]}”" not in message
                    assert "should be" not in message and "not “" not in message


# --- The legal form of a registered social organisation matches its code's category ----------------------------

_FORMS = {"social_association": "1", "social_service": "2", "foundation": "3"}
_LABELS = {
    "social_association": "Social association",
    "social_service": "Social service organisation",
    "foundation": "Foundation",
    "filed_community": "Filed community organisation",
}


@pytest.mark.parametrize(
    ("code", "legal_form"),
    [
        (SOCIAL_GROUP, "social_association"),
        (SOCIAL_SERVICE, "social_service"),
        (FOUNDATION, "foundation"),
        # Other forms are not constrained: community groups are filed, not registered.
        *((code, "filed_community") for code in BUILT),
        *((code, "not_filed") for code in BUILT),
    ],
)
def test_a_code_that_fits_the_legal_form_has_no_problem(code, legal_form):
    assert legal_form_problem(code, legal_form, _FORMS, _LABELS) is None


@pytest.mark.parametrize(
    ("code", "legal_form", "fragments"),
    [
        (
            SOCIAL_SERVICE,
            "social_association",
            [
                "This code starts with “52”, the code of a “Social service organisation”, but the legal form chosen "
                "is “Social association”, whose codes start with “51”: check the legal form or the code."
            ],
        ),
        (SOCIAL_GROUP, "foundation", ["“51”", "“Social association”", "“Foundation”", "start with “53”"]),
        (FOUNDATION, "social_service", ["“53”", "“Foundation”", "“Social service organisation”", "“52”"]),
        (
            OTHER_CIVIL,
            "social_association",
            ["starts with “59”, the code of another kind of organisation registered with civil affairs", "“51”"],
        ),
        (
            ENTERPRISE,
            "social_service",
            [
                "A “Social service organisation” is registered with civil affairs (民政), so its Unified Social "
                "Credit Code starts with 5; this one starts with “9”: check the legal form or the code."
            ],
        ),
        (PUBLIC_INSTITUTION, "foundation", ["“Foundation”", "starts with 5;", "starts with “1”"]),
        (RURAL_COLLECTIVE, "social_association", ["starts with “N”"]),
    ],
)
def test_a_code_of_another_category_is_refused_naming_both(code, legal_form, fragments):
    with override("en"):
        problem = legal_form_problem(code, legal_form, _FORMS, _LABELS)
    assert problem is not None
    for fragment in fragments:
        assert fragment in problem


def _organisation(legal_form: str, uscc: str):
    return OrganisationFactory.build(community=CommunityFactory(), legal_form=legal_form, uscc=uscc)


def _uscc_errors(organisation) -> list[str]:
    try:
        organisation.full_clean()
    except ValidationError as exc:
        return exc.message_dict.get("uscc", [])
    return []


@pytest.mark.django_db
def test_a_social_association_with_a_social_service_code_is_refused(in_hub_a):
    with override("en"):
        [message] = _uscc_errors(_organisation(LegalForm.SOCIAL_ASSOCIATION, SOCIAL_SERVICE))
    assert "“Social service organisation”" in message and "“Social association”" in message
    with override("zh-hans"):
        [message] = _uscc_errors(_organisation(LegalForm.SOCIAL_ASSOCIATION, SOCIAL_SERVICE))
    assert "社会服务机构" in message and "社会团体" in message  # the legal forms' translated labels


@pytest.mark.django_db
def test_a_registered_form_with_a_code_not_from_civil_affairs_is_refused(in_hub_a):
    with override("en"):
        [message] = _uscc_errors(_organisation(LegalForm.FOUNDATION, ENTERPRISE))
    assert "registered with civil affairs" in message and "“Foundation”" in message and "“9”" in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("legal_form", "code"),
    [
        (LegalForm.SOCIAL_ASSOCIATION, SOCIAL_GROUP),
        (LegalForm.SOCIAL_SERVICE_ORGANISATION, SOCIAL_SERVICE),
        (LegalForm.FOUNDATION, FOUNDATION),
        (LegalForm.SOCIAL_SERVICE_ORGANISATION, f" {SOCIAL_SERVICE[:8]}-{SOCIAL_SERVICE[8:].lower()}\u200b"),
        *((LegalForm.FILED_COMMUNITY_ORGANISATION, code) for code in BUILT),
        (LegalForm.NOT_FILED, ENTERPRISE),
    ],
)
def test_a_code_that_fits_the_legal_form_is_accepted(in_hub_a, legal_form, code):
    organisation = _organisation(legal_form, code)
    assert _uscc_errors(organisation) == []
    assert organisation.uscc == normalise_uscc(code)
