import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from incubator.funding.models import Application, Call, Objective
from incubator.projects import services
from incubator.projects.models import Installment
from incubator.workflow import TransitionError
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("award", ["50000.00", "33333.33", "0.05", "12345.67"])
def test_installments_always_add_up_to_the_award(award):
    parts = services.split_award(Decimal(award))
    assert [p[0] for p in parts] == [40, 50, 10]
    assert sum(p[1] for p in parts) == Decimal(award)


@pytest.fixture
def awarded(in_hub_a):
    now = timezone.now()
    call = Call.objects.create(
        title="2026年公益创投",
        budget=Decimal("100000"),
        per_project_cap=Decimal("50000"),
        service_fields=["charity"],
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        status="announced",
    )
    application = Application.objects.create(
        call=call,
        organisation=OrganisationFactory(name="武汉晚晴枫养老助残服务中心"),
        title="老人居家防跌倒",
        status="awarded",
        awarded_amount=Decimal("33333.33"),
    )
    Objective.objects.create(
        application=application,
        term="short",
        description="完成入户评估",
        indicator="评估户数",
        target=Decimal("80"),
        unit="户",
    )
    return application


def test_a_project_opens_from_an_award_and_pays_only_as_conditions_hold(operator, member, awarded):
    with pytest.raises(PermissionDenied):
        services.create_project(actor=member, application=awarded)
    project = services.create_project(actor=operator, application=awarded)
    with pytest.raises(TransitionError):
        services.create_project(actor=operator, application=awarded)
    first, second, last = project.installments.all()
    assert first.amount + second.amount + last.amount == Decimal("33333.33")

    with pytest.raises(TransitionError):
        services.release_installment(actor=operator, installment=first)  # not signed yet
    services.sign_contract(actor=operator, project=project)
    services.release_installment(actor=operator, installment=first)
    with pytest.raises(TransitionError):
        services.release_installment(actor=operator, installment=first)  # twice
    with pytest.raises(TransitionError):
        services.release_installment(actor=operator, installment=second)  # mid-term review not accepted
    services.meet_condition(project=project, condition="evaluation", on=timezone.localdate())
    with pytest.raises(TransitionError):
        services.release_installment(actor=operator, installment=last)  # the second comes first
    # The database itself refuses a release whose condition does not hold.
    with transaction.atomic(), pytest.raises(IntegrityError):
        Installment.objects.filter(pk=second.pk).update(released_on=timezone.localdate())


def test_only_awarded_applications_become_projects(operator, awarded):
    Application.objects.filter(pk=awarded.pk).update(status="in_notice")
    awarded.refresh_from_db()
    with pytest.raises(TransitionError):
        services.create_project(actor=operator, application=awarded)


def test_the_contract_pdf_is_chinese_with_an_embedded_cid_font(operator, awarded):
    project = services.create_project(actor=operator, application=awarded)
    pdf = services.contract_pdf(project)
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf and b"UniGB-UCS2-H" in pdf
