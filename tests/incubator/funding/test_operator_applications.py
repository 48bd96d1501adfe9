"""Operators read applications: a page per application, the call's list filtered and exported in words and
Shanghai time, bulk screening and bulk assignment; applicants join files that only the right people can read."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from incubator.accounts.roles import Role
from incubator.funding import services
from incubator.funding.models import Application, Assignment, Call
from tests.conftest import HUB_A
from tests.factories import OrganisationFactory, UserFactory
from tests.incubator.funding.conftest import complete_application

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}


def _submitted(call, title, groups=("elderly",)):
    organisation = OrganisationFactory(name=f"{title}中心")
    member = UserFactory(roles=[Role.ORGANISATION_MEMBER], member_of=organisation)
    application = complete_application(member, call, organisation, title=title, target_groups=list(groups))
    return services.submit_application(actor=member, application=application), member


def test_the_operator_reads_an_application_with_checklist_attachments_history_and_reviews(
    client, operator, open_call, applicant
):
    organisation, member = applicant
    application = complete_application(member, open_call, organisation)
    services.add_attachment(
        actor=member,
        application=application,
        title="社区支持函",
        uploaded_file=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 support", content_type="application/pdf"),
    )
    services.submit_application(actor=member, application=application)
    client.force_login(operator)
    page = client.get(f"/admin/funding/applications/{application.pk}/", **A).content.decode()
    for expected in ("入户评估", "适老化改造材料", "23000.00", "社区支持函", 'id="checklist"', "提交", 'id="reviews"'):
        assert expected in page
    attachment = application.attachments.get()
    download = client.get(f"/admin/funding/attachments/{attachment.pk}/", **A)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    call_page = client.get(f"/admin/funding/calls/{open_call.pk}/", **A).content.decode()
    assert f"/admin/funding/applications/{application.pk}/" in call_page


def test_files_are_checked_and_read_only_by_the_organisation_its_experts_and_operators(
    client, operator, open_call, applicant
):
    organisation, member = applicant
    application = services.start_application(actor=member, call=open_call, organisation=organisation)
    client.force_login(member)
    url = f"/portal/applications/{application.pk}/attachments/"
    refused = client.post(
        url, {"title": "网页", "file": SimpleUploadedFile("page.html", b"<script>alert(1)</script>")}, **A
    )
    assert refused.status_code == 200 and 'value="网页"' in refused.content.decode()
    assert not application.attachments.exists()
    client.post(url, {"title": "活动照片", "file": SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n")}, **A)
    attachment = application.attachments.get()
    assert client.get(f"/portal/attachments/{attachment.pk}/", **A).status_code == 200
    stranger = UserFactory(roles=[Role.ORGANISATION_MEMBER], member_of=OrganisationFactory())
    client.force_login(stranger)
    assert client.get(f"/portal/attachments/{attachment.pk}/", **A).status_code == 404
    client.force_login(member)
    client.post(url, {"action": "remove", "attachment": attachment.pk}, **A)
    assert not application.attachments.exists()


def test_the_list_filters_exports_in_words_and_screens_in_bulk(client, operator, open_call):
    elderly, _m = _submitted(open_call, "老人助餐", ["elderly"])
    children, _m = _submitted(open_call, "四点半课堂", ["children"])
    client.force_login(operator)
    url = f"/admin/funding/calls/{open_call.pk}/"
    page = client.get(url, {"group": "children"}, **A).content.decode()
    assert "四点半课堂" in page and "老人助餐" not in page
    exported = client.get(url, {"group": "elderly", "export": "xlsx"}, **A)
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "老人助餐" and rows[1][2] == "已提交" and rows[1][4] == "老年人"
    shanghai = elderly.submitted_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs((rows[1][7] - shanghai).total_seconds()) < 1
    # Screening out needs a reason: nothing moves without one, then both move at once.
    client.post(url, {"action": "bulk_screen_out", "applications": [elderly.pk, children.pk], "reason": ""}, **A)
    assert set(Application.objects.filter(call=open_call).values_list("status", flat=True)) == {"submitted"}
    client.post(url, {"action": "bulk_accept", "applications": [elderly.pk, children.pk]}, **A)
    assert set(Application.objects.filter(call=open_call).values_list("status", flat=True)) == {"in_review"}


def test_experts_are_assigned_in_bulk_all_or_none(client, operator, open_call):
    first, _m = _submitted(open_call, "老人助餐")
    second, member = _submitted(open_call, "四点半课堂")
    for application in (first, second):
        services.screen(actor=operator, application=application, accept=True)
    Call.objects.filter(pk=open_call.pk).update(status="reviewing")
    expert = UserFactory(email="bulk@experts.test", roles=[Role.EXPERT])
    insider = UserFactory(email="insider@experts.test", roles=[Role.EXPERT], member_of=second.organisation)
    client.force_login(operator)
    url = f"/admin/funding/calls/{open_call.pk}/"
    client.post(url, {"action": "bulk_assign", "applications": [first.pk, second.pk], "experts": [insider.pk]}, **A)
    assert not Assignment.objects.exists()  # the insider cannot review their own organisation: none assigned
    client.post(url, {"action": "bulk_assign", "applications": [first.pk, second.pk], "experts": [expert.pk]}, **A)
    assert Assignment.objects.filter(expert=expert).count() == 2


def test_hub_b_cannot_read_hub_a_applications(client, in_hub_a, hub_b, open_call, applicant):
    from django_tenants.utils import tenant_context

    from incubator.accounts.models import User
    from tests.conftest import HUB_B

    organisation, member = applicant
    application = complete_application(member, open_call, organisation)
    services.submit_application(actor=member, application=application)
    pk = application.pk
    with tenant_context(hub_b):
        client.force_login(User.objects.get(email=HUB_B["admin_email"]))
    B = {"HTTP_HOST": HUB_B["domain"]}
    assert client.get(f"/admin/funding/applications/{pk}/", **B).status_code == 404
