"""The decision cannot silently break the rules: budget and quotas hold, partial funding needs the applicant's
agreement, the notice tells the truth and each objection is answered under its reference."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incubator.accounts.roles import Role
from incubator.funding import services
from incubator.funding.models import Application, Call, PublicNotice
from incubator.workflow import TransitionError
from tests.conftest import HUB_A
from tests.factories import OrganisationFactory, UserFactory
from tests.incubator.funding.conftest import reviewed

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}


@pytest.fixture
def expert(in_hub_a):
    return UserFactory(email="judge@experts.test", roles=[Role.EXPERT])


def test_a_manual_decision_that_pushes_spending_over_the_budget_is_refused_with_the_amount(
    operator, reviewing_call, expert
):
    apps = [
        reviewed(reviewing_call, operator, OrganisationFactory(), s, ["residents"], 30000, expert) for s in (9, 8, 7, 6)
    ]
    for application in apps[:3]:
        services.set_override(actor=operator, application=application, decision="include", reason="必须资助")
    with pytest.raises(ValidationError) as refused:
        services.set_override(actor=operator, application=apps[3], decision="include", reason="也要资助")
    assert "120000.00" in refused.value.messages[0] and "20000.00" in refused.value.messages[0]
    assert Application.objects.get(pk=apps[3].pk).override == ""


def test_a_decision_over_the_budget_is_refused(operator, reviewing_call, expert):
    apps = [
        reviewed(reviewing_call, operator, OrganisationFactory(), s, ["residents"], 30000, expert) for s in (9, 8, 7, 6)
    ]
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(override="include", override_reason="旧数据")
    with pytest.raises(TransitionError) as refused:
        services.confirm_allocation(actor=operator, call=reviewing_call)
    assert "120000.00" in refused.value.message
    reviewing_call.refresh_from_db()
    assert reviewing_call.status == "reviewing"


def test_an_unmet_quota_needs_a_justification_that_the_notice_shows(client, operator, reviewing_call, expert):
    reviewing_call.quotas.create(target_group="elderly", min_percent=Decimal("50"))
    for score in (9, 8):
        reviewed(reviewing_call, operator, OrganisationFactory(), score, ["children"], 30000, expert)
    with pytest.raises(ValidationError) as refused:
        services.confirm_allocation(actor=operator, call=reviewing_call)
    assert "justification" in refused.value.message_dict
    services.confirm_allocation(actor=operator, call=reviewing_call, justification="本期无为老服务项目申报")
    notice = services.publish_notice(actor=operator, call=Call.objects.get(pk=reviewing_call.pk))
    page = client.get(f"/notices/{notice.pk}/", **A).content.decode()
    assert "本期无为老服务项目申报" in page


def test_missing_scores_are_named_by_expert(operator, reviewing_call, expert):
    scored = reviewed(reviewing_call, operator, OrganisationFactory(), 8, ["residents"], 20000, expert)
    late = UserFactory(email="late@experts.test", roles=[Role.EXPERT], first_name="迟", last_name="到")
    waiting = Application.objects.create(
        call=reviewing_call, organisation=OrganisationFactory(), title="未评完", status="in_review"
    )
    services.assign_experts(actor=operator, application=waiting, experts=[late])
    with pytest.raises(TransitionError) as refused:
        services.confirm_allocation(actor=operator, call=reviewing_call)
    assert any("未评完" in m and str(late) in m for m in refused.value.messages)
    assert scored.status == "reviewed"


def test_partial_funding_counts_only_once_the_applicant_agrees(client, operator, reviewing_call, expert, applicant):
    organisation, member = applicant
    application = reviewed(reviewing_call, operator, organisation, 9, ["residents"], 30000, expert)
    with pytest.raises(ValidationError) as refused:
        services.offer_partial_funding(actor=operator, application=application, amount=Decimal("30000"), reason="x")
    assert "amount" in refused.value.message_dict
    services.offer_partial_funding(
        actor=operator, application=application, amount=Decimal("20000"), reason="为资助更多社区项目"
    )
    row = next(r for r in services.propose_allocation(reviewing_call)["rows"] if r["application"].pk == application.pk)
    assert row["amount"] == Decimal("30000.00")  # not agreed yet
    client.force_login(member)
    page = client.get(f"/portal/applications/{application.pk}/", **A).content.decode()
    assert "为资助更多社区项目" in page and "20000.00" in page
    client.post(f"/portal/applications/{application.pk}/", {"action": "accept_offer"}, **A)
    row = next(r for r in services.propose_allocation(reviewing_call)["rows"] if r["application"].pk == application.pk)
    assert row["amount"] == Decimal("20000.00")
    services.confirm_allocation(actor=operator, call=reviewing_call)
    assert Application.objects.get(pk=application.pk).awarded_amount == Decimal("20000.00")


def test_the_ranking_exports_to_excel_with_labels(client, operator, reviewing_call, expert):
    from openpyxl import load_workbook

    reviewed(reviewing_call, operator, OrganisationFactory(name="江岸社工"), 9, ["residents"], 30000, expert)
    client.force_login(operator)
    response = client.get(f"/admin/funding/calls/{reviewing_call.pk}/ranking/?export=xlsx", **A)
    assert response.status_code == 200
    import io

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "排名" and rows[1][1] == "江岸社工" and rows[1][8] == "资助"


def test_a_notice_that_starts_tomorrow_says_so_and_is_listed_as_upcoming(client, operator, reviewing_call):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    Call.objects.filter(pk=reviewing_call.pk).update(status="announced")
    notice = PublicNotice.objects.create(
        call=reviewing_call, starts_on=tomorrow, ends_on=tomorrow + datetime.timedelta(days=7)
    )
    page = client.get(f"/notices/{notice.pk}/", **A).content.decode()
    assert 'id="notice-upcoming"' in page and "公示期已结束" not in page
    from cms.selectors import upcoming_notices

    assert [n.pk for n in upcoming_notices(timezone.localdate())] == [notice.pk]


def test_an_objection_gets_a_reference_and_its_resolution_is_sent_and_shown_anonymised(
    client, operator, reviewing_call, monkeypatch, django_capture_on_commit_callbacks
):
    from incubator.notifications.tasks import send_to_address

    sent = []
    monkeypatch.setattr(send_to_address, "apply_async", lambda args, headers: sent.append(args))
    application = Application.objects.create(
        call=reviewing_call, organisation=OrganisationFactory(), title="社区食堂", status="in_notice"
    )
    today = timezone.localdate()
    notice = PublicNotice.objects.create(
        call=reviewing_call, starts_on=today, ends_on=today + datetime.timedelta(days=7)
    )
    response = client.post(
        f"/notices/{notice.pk}/",
        {"application": application.pk, "name": "李四", "contact": "lisi@example.com", "text": "场地不实"},
        follow=True,
        **A,
    )
    objection = notice.objections.get()
    assert objection.reference in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.resolve_objections(actor=operator, objections=[objection], upheld=False, resolution="经核实场地属实")
    assert sent and sent[0][0] == "lisi@example.com" and objection.reference in sent[0][1]
    page = client.get(f"/notices/{notice.pk}/", **A).content.decode()
    assert objection.reference in page and "经核实场地属实" in page
    assert "李四" not in page and "lisi@example.com" not in page and "场地不实" not in page


def test_a_decision_refuses_an_organisation_whose_verification_was_withdrawn(operator, reviewing_call, expert):
    from incubator.orgs import services as orgs

    doubtful = OrganisationFactory(name="代码存疑的组织")
    reviewed(reviewing_call, operator, doubtful, 9, ["residents"], 30000, expert)
    orgs.withdraw_verification(actor=operator, organisation=doubtful, reason="证书与代码不符")
    with pytest.raises(TransitionError, match="代码存疑的组织"):
        services.confirm_allocation(actor=operator, call=reviewing_call)
    orgs.verify_organisation(actor=operator, organisation=doubtful)
    services.confirm_allocation(actor=operator, call=reviewing_call)
