import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from incubator.orgs.models import Organisation
from incubator.orgs.roster import import_roster
from tests.conftest import HUB_A
from tests.factories import CommunityFactory, OrganisationFactory, StreetFactory, valid_uscc

pytestmark = pytest.mark.django_db
HEADERS = [
    "名称",
    "法律形式",
    "统一社会信用代码",
    "服务领域",
    "街道",
    "社区",
    "1+n+x类别",
    "基本领域",
    "服务人群",
    "负责人",
    "成员数",
]


def workbook(rows, headers=HEADERS, name="roster.xlsx"):
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def place(in_hub_a):
    return CommunityFactory(name="铁路新村社区", street=StreetFactory(name="吴井街道"))


def test_a_good_roster_is_imported_whole(operator, place):
    report = import_roster(
        actor=operator,
        uploaded_file=workbook(
            [
                [
                    "铁路新村社区巧手工作坊",
                    "备案的社区社会组织",
                    "",
                    "文化体育、志愿服务",
                    "吴井街道",
                    "铁路新村社区",
                    "“n”：基本型社区社会组织",
                    "文化体育",
                    "",
                    "赵六",
                    12,
                ],
                ["五里多社区摄影沙龙", "filed_community", "", "", "吴井街道", "", "", "", "", "钱七", None],
                ["春晖社会工作服务中心", "社会服务机构", valid_uscc(7, "2"), "", "吴井街道", "", "", "", "", "孙八", 5],
            ]
        ),
    )
    assert report.ok, report.problems
    assert report.created == 3
    workshop = Organisation.objects.get(name="铁路新村社区巧手工作坊")
    assert (workshop.tier, workshop.basic_field, workshop.members) == ("basic", "culture_sports", 12)
    assert workshop.service_fields == ["culture", "volunteering"]


def test_a_bad_roster_imports_nothing_and_says_why_row_by_row(operator, place):
    OrganisationFactory(name="已存在的组织", community=place)
    with translation.override("en"):
        report = import_roster(
            actor=operator,
            uploaded_file=workbook(
                [
                    ["好组织", "备案的社区社会组织", "", "", "吴井街道", "", "", "", "", "甲", 3],  # row 2: fine
                    ["坏代码组织", "社会团体", "51420102000000011", "", "吴井街道", "", "", "", "", "乙", 3],
                    ["无街道组织", "备案的社区社会组织", "", "", "不存在街道", "", "", "", "", "丙", 3],
                    ["好组织", "备案的社区社会组织", "", "", "吴井街道", "", "", "", "", "丁", 3],
                    ["已存在的组织", "未备案", "", "", "吴井街道", "", "", "", "", "戊", "很多"],
                    ["", "火星组织", "", "", "吴井街道", "", "", "", "", "", 1],
                ]
            ),
        )
    assert not report.ok and report.created == 0
    problems = dict(report.problems)
    assert 2 not in problems
    assert any("18 characters" in p for p in problems[3])
    assert any("不存在街道" in p for p in problems[4])
    assert any("also on row 2" in p for p in problems[5])
    assert any("already exists" in p for p in problems[6]) and any("whole number" in p for p in problems[6])
    assert any("火星组织" in p for p in problems[7]) and any("is empty" in p for p in problems[7])
    assert Organisation.objects.count() == 1


def test_two_1s_for_one_street_in_a_file_are_refused(operator, place):
    with translation.override("en"):
        report = import_roster(
            actor=operator,
            uploaded_file=workbook(
                [
                    ["联合会一", "未备案", "", "", "吴井街道", "", "“1”：街道枢纽型社会组织", "", "", "甲", 1],
                    ["联合会二", "未备案", "", "", "吴井街道", "", "hub", "", "", "乙", 1],
                ]
            ),
        )
    assert dict(report.problems)[3] and not Organisation.objects.exists()


def test_files_that_are_not_rosters_are_refused_clearly(operator, place):
    with translation.override("en"):
        assert (
            "not an Excel"
            in import_roster(actor=operator, uploaded_file=SimpleUploadedFile("roster.csv", b"a,b")).file_error
        )
        assert (
            "could not be read"
            in import_roster(actor=operator, uploaded_file=SimpleUploadedFile("roster.xlsx", b"garbage")).file_error
        )
        # A real roster cut off halfway through its upload (issue 10, finding 7).
        whole = workbook([["x", "未备案", "吴井街道"]]).read()
        half = SimpleUploadedFile("roster.xlsx", whole[: len(whole) // 2])
        assert "could not be read" in import_roster(actor=operator, uploaded_file=half).file_error
        assert (
            "负责人"
            in import_roster(
                actor=operator,
                uploaded_file=workbook([["x", "未备案", "吴井街道"]], headers=["名称", "法律形式", "街道"]),
            ).file_error
            or "Responsible person"
            in import_roster(
                actor=operator,
                uploaded_file=workbook([["x", "未备案", "吴井街道"]], headers=["名称", "法律形式", "街道"]),
            ).file_error
        )


def test_only_operators_import(member):
    with pytest.raises(PermissionDenied):
        import_roster(actor=member, uploaded_file=workbook([]))


def test_the_roster_exports_and_the_import_page_reports_through_http(client, operator, place):
    OrganisationFactory(name="随艺手工生活馆", community=place)
    client.force_login(operator)
    exported = client.get("/admin/incubator/roster.xlsx", HTTP_HOST=HUB_A["domain"])
    rows = list(load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "名称" and rows[1][0] == "随艺手工生活馆"
    page = client.post(
        "/admin/incubator/import/",
        {"workbook": workbook([["随艺手工生活馆", "未备案", "", "", "吴井街道", "", "", "", "", "甲", 1]])},
        HTTP_HOST=HUB_A["domain"],
    )
    assert "随艺手工生活馆" in page.content.decode() and "import-problems" in page.content.decode()


def test_wagtail_list_export_gives_excel(client, operator, place):
    OrganisationFactory(name="老戏骨党员服务队", community=place)
    client.force_login(operator)
    response = client.get("/admin/organisations/?export=xlsx", HTTP_HOST=HUB_A["domain"])
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    assert any(row[0] == "老戏骨党员服务队" for row in rows[1:])
