"""Experts keep drafts and see the total as stored; operators withdraw an assignment; applicants read what they
submitted, with a receipt, from the portal's home; the portal shows each person only their places."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from incubator.accounts.roles import Role
from incubator.audit.models import AuditEvent
from incubator.funding import services
from incubator.funding.models import Application, Assignment, Score
from incubator.workflow import TransitionError
from tests.conftest import HUB_A
from tests.factories import UserFactory
from tests.incubator.funding.conftest import complete_application, in_review

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}


def test_scores_are_stored_to_one_decimal_and_the_total_is_computed_from_what_is_stored(operator, open_call, applicant):
    application = in_review(operator, open_call, applicant)
    expert = UserFactory(email="e@experts.test", roles=[Role.EXPERT])
    [assignment] = services.assign_experts(actor=operator, application=application, experts=[expert])
    criteria = list(open_call.criteria.all())
    services.submit_scores(actor=expert, assignment=assignment, scores={c.pk: ("7.25", "") for c in criteria})
    stored = list(Score.objects.filter(assignment=assignment).values_list("value", flat=True))
    assert set(stored) == {Decimal("7.3")}
    assignment.refresh_from_db()
    expected = sum((Decimal("7.3") / 10 * c.weight for c in criteria), Decimal(0)).quantize(Decimal("0.01"))
    assert assignment.total == expected == Decimal("73.00")


def test_an_expert_saves_a_draft_which_counts_only_once_submitted(client, operator, open_call, applicant):
    application = in_review(operator, open_call, applicant)
    expert = UserFactory(email="e@experts.test", roles=[Role.EXPERT])
    [assignment] = services.assign_experts(actor=operator, application=application, experts=[expert])
    first, *rest = list(open_call.criteria.all())
    client.force_login(expert)
    url = f"/review/{assignment.pk}/"
    client.post(url, {"action": "draft", f"score_{first.pk}": "8", f"comment_{first.pk}": "需求清楚"}, **A)
    assignment.refresh_from_db()
    assert assignment.submitted_at is None and assignment.scores.get().value == 8
    page = client.get(url, **A).content.decode()
    assert 'value="8.0"' in page and "需求清楚" in page and "data-total-output" in page
    # A mistake on submit brings back everything typed.
    refused = client.post(url, {"action": "submit", f"score_{first.pk}": "11", "comment": "总体可行"}, **A)
    body = refused.content.decode()
    assert refused.status_code == 200 and 'value="11"' in body and "总体可行" in body
    assert Application.objects.get(pk=application.pk).status == "in_review"


def test_an_assignment_made_by_mistake_is_withdrawn_with_a_reason_before_scoring(operator, open_call, applicant):
    application = in_review(operator, open_call, applicant)
    right, wrong = (
        UserFactory(email="right@experts.test", roles=[Role.EXPERT]),
        UserFactory(email="wrong@experts.test", roles=[Role.EXPERT]),
    )
    made = services.assign_experts(actor=operator, application=application, experts=[right, wrong])
    mistaken = next(a for a in made if a.expert == wrong)
    with pytest.raises(ValidationError):
        services.withdraw_assignment(actor=operator, assignment=mistaken, reason=" ")
    kept = next(a for a in made if a.expert == right)
    services.submit_scores(actor=right, assignment=kept, scores={c.pk: (8, "") for c in open_call.criteria.all()})
    # The application waits for the mistaken expert, until they are withdrawn: then it is reviewed.
    assert Application.objects.get(pk=application.pk).status == "in_review"
    [(waiting, missing)] = services.missing_scores(open_call)
    assert waiting.pk == application.pk and missing == [wrong]
    services.withdraw_assignment(actor=operator, assignment=mistaken, reason="分配错了")
    assert not Assignment.objects.filter(pk=mistaken.pk).exists()
    assert Application.objects.get(pk=application.pk).status == "reviewed"
    assert "分配错了" in AuditEvent.objects.get(action="application.expert_withdrawn").reason
    with pytest.raises(TransitionError):
        services.withdraw_assignment(actor=operator, assignment=kept, reason="晚了")  # already scored


def test_the_applicant_reads_what_was_submitted_with_a_receipt_from_the_portal_home(client, open_call, applicant):
    organisation, member = applicant
    application = complete_application(member, open_call, organisation)
    client.force_login(member)
    home = client.get("/portal/", **A).content.decode()
    assert "老人居家防跌倒" in home and f"/portal/applications/{application.pk}/" in home
    assert client.get(f"/portal/applications/{application.pk}/receipt.pdf", **A).status_code == 302  # a draft
    services.submit_application(actor=member, application=application)
    page = client.get(f"/portal/applications/{application.pk}/", **A).content.decode()
    assert 'id="portal-form"' not in page  # read-only
    assert "适老化改造材料" in page and "23000.00" in page and "入户评估" in page and "已提交" in page
    receipt = client.get(f"/portal/applications/{application.pk}/receipt.pdf", **A)
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")
    home = client.get("/portal/", **A).content.decode()
    assert "receipt.pdf" in home and "已提交" in home


def test_budget_lines_can_be_added_beyond_the_first_rows(client, open_call, applicant):
    organisation, member = applicant
    application = services.start_application(actor=member, call=open_call, organisation=organisation)
    client.force_login(member)
    data = {"action": "save", "budget_rows": "9"}
    for i in range(9):
        data |= {f"budget_{i}_category": "activities", f"budget_{i}_item": f"物资{i}", f"budget_{i}_amount": "100"}
    client.post(f"/portal/applications/{application.pk}/", data, **A)
    assert application.budget_lines.count() == 9
    page = client.get(f"/portal/applications/{application.pk}/", **A).content.decode()
    assert 'name="budget_9_item"' in page  # one empty row to add more without a script
    assert "900.00" in page  # the saved total


def test_the_portal_shows_each_person_only_their_places(client, applicant):
    _organisation, member = applicant
    expert = UserFactory(email="only@experts.test", roles=[Role.EXPERT])
    client.force_login(expert)
    page = client.get("/portal/notifications/", **A).content.decode()
    assert "我的评审" in page and "我的组织" not in page and "我的项目" not in page
    client.force_login(member)
    page = client.get("/portal/notifications/", **A).content.decode()
    assert "我的组织" in page and "我的评审" not in page


def test_an_experts_draft_comment_stays_theirs_until_submitted(client, operator, open_call, applicant):
    application = in_review(operator, open_call, applicant)
    expert = UserFactory(email="draft@experts.test", roles=[Role.EXPERT])
    [assignment] = services.assign_experts(actor=operator, application=application, experts=[expert])
    services.save_score_draft(actor=expert, assignment=assignment, scores={}, comment="仍在考虑中")
    client.force_login(operator)
    page = client.get(f"/admin/funding/applications/{application.pk}/", **A).content.decode()
    assert "仍在考虑中" not in page
