from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incubator.funding.models import Application
from incubator.projects import documents, services
from incubator.projects.models import DEFAULT_SPLIT, Installment
from incubator.workflow import TransitionError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("award", ["50000.00", "33333.33", "0.05", "12345.67"])
def test_installments_always_add_up_to_the_award(award):
    parts = services.split_award(Decimal(award), DEFAULT_SPLIT)
    assert [p[0] for p in parts] == [40, 50, 10]
    assert sum(p[1] for p in parts) == Decimal(award)


def test_the_split_is_set_per_call_and_must_add_up(operator, awarded):
    call = awarded.call
    call.first_installment_percent, call.second_installment_percent = Decimal("30"), Decimal("60")
    call.save()
    project = services.create_project(actor=operator, application=awarded)
    assert [i.percent for i in project.installments.all()] == [30, 60, 10]
    assert sum(i.amount for i in project.installments.all()) == awarded.awarded_amount
    assert project.final_report_due_on == services.add_months(awarded.ends_on, 1)
    call.first_installment_percent = Decimal("50")
    with pytest.raises(ValidationError):
        call.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        call.save()  # the database refuses shares that do not add up to 100%


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
    services.sign_contract(actor=operator, project=project, signed_by_organisation="王敏", signed_by_hub="李强")
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
    pdf = documents.contract_pdf(project)
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf and b"UniGB-UCS2-H" in pdf
