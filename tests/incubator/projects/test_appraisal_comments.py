"""Residents' comments are read by the hub and the evaluator, moderated, and a chosen few go out with the
published results; results from few answers say so."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.audit.models import AuditEvent
from incubator.projects import services
from incubator.projects.models import AppraisalBallot
from tests.conftest import HUB_A, HUB_B
from tests.incubator.projects.conftest import run_to
from tests.incubator.projects.test_public import ballot

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


@pytest.fixture
def appraising(project, operator, project_member, supervisor, evaluator):
    return run_to(
        project, operator=operator, member=project_member, supervisor=supervisor, evaluator=evaluator, state="appraisal"
    )


def test_the_hub_and_the_evaluator_read_the_comments_and_nobody_else(appraising, operator, evaluator, project_member):
    kind = ballot(appraising, 1, satisfaction=5, comment="改造后老人起夜安全多了")
    rude = ballot(appraising, 2, satisfaction=1, comment="王某某家电话13900000000，骗子")
    ballot(appraising, 3, satisfaction=4)  # no comment
    assert [b.pk for b in services.appraisal_comments(appraising, reader=operator)] == [rude.pk, kind.pk]
    services.moderate_comment(actor=operator, ballot=rude, action="hide")
    assert [b.pk for b in services.appraisal_comments(appraising, reader=evaluator)] == [kind.pk]
    assert services.appraisal_comments(appraising, reader=project_member) == []
    with pytest.raises(PermissionDenied):
        services.moderate_comment(actor=evaluator, ballot=kind, action="publish")
    event = AuditEvent.objects.get(action="appraisal.comment_moderated")
    assert (event.actor, event.from_state, event.to_state) == (operator, "new", "hidden")


def test_a_chosen_few_are_published_never_a_hidden_one(client, appraising, operator):
    comments = [ballot(appraising, n, satisfaction=5, comment=f"第{n}条好评") for n in range(7)]
    for chosen in comments[:5]:
        services.moderate_comment(actor=operator, ballot=chosen, action="publish")
    with pytest.raises(ValidationError):
        services.moderate_comment(actor=operator, ballot=comments[5], action="publish")
    services.moderate_comment(actor=operator, ballot=comments[0], action="hide")  # hiding takes it back too
    assert not AppraisalBallot.objects.get(pk=comments[0].pk).comment_published
    services.moderate_comment(actor=operator, ballot=comments[5], action="publish")

    assert client.get(f"/notices/appraisals/{appraising.pk}/", **A).status_code == 404  # results not out yet
    services.publish_appraisal(actor=operator, project=appraising)
    page = client.get(f"/notices/appraisals/{appraising.pk}/", **A).content.decode()
    shown = [n for n in range(7) if f"第{n}条好评" in page]
    assert shown == [1, 2, 3, 4, 5]
    assert "请谨慎解读" in page or "谨慎" in page  # seven answers: a small sample


def test_the_operator_moderates_on_the_projects_page(client, appraising, operator, evaluator):
    rude = ballot(appraising, 1, satisfaction=1, comment="隔壁老李家的电话是13900000000")
    client.force_login(operator)
    page = client.get(f"/admin/projects/{appraising.pk}/", **A).content.decode()
    assert 'id="comments"' in page and "隔壁老李家" in page
    response = client.post(
        f"/admin/projects/{appraising.pk}/", {"action": "moderate", "ballot": rude.pk, "step": "hide"}, **A
    )
    assert response.status_code == 302 and AppraisalBallot.objects.get(pk=rude.pk).comment_state == "hidden"
    bad = client.post(f"/admin/projects/{appraising.pk}/", {"action": "moderate", "ballot": "x", "step": "hide"}, **A)
    assert bad.status_code == 404
    client.force_login(evaluator)
    assert "隔壁老李家" not in client.get(f"/evaluation/{appraising.pk}/", **A).content.decode()


def test_another_hub_cannot_moderate_this_hubs_comments(client, hub_a, hub_b, appraising):
    rude = ballot(appraising, 1, satisfaction=1, comment="甲基地的评论")
    with tenant_context(hub_b):
        client.force_login(User.objects.get(email=HUB_B["admin_email"]))
    response = client.post(
        f"/admin/projects/{appraising.pk}/", {"action": "moderate", "ballot": rude.pk, "step": "hide"}, **B
    )
    assert response.status_code == 404
    with tenant_context(hub_a):  # the request left the connection on hub B's schema
        assert AppraisalBallot.objects.get(pk=rude.pk).comment_state == "new"
