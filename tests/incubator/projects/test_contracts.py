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


def _longest(field, unit="长"):
    from incubator.fields import TEXT_MAX_LENGTH

    return unit * (field.max_length or TEXT_MAX_LENGTH)


@pytest.mark.parametrize("unit", ["长", "W", "<&>"])
def test_the_contract_pdf_lays_out_the_longest_text_every_field_accepts(client, operator, awarded, unit):
    """Every field the contract prints, at its longest (CJK, an unbroken Latin word, markup characters)."""
    from django.db import connection

    from incubator.funding.models import BudgetLine, Objective
    from incubator.orgs.models import Organisation

    def longest(model, name):
        field = model._meta.get_field(name)
        return (unit * field.max_length)[: field.max_length] if field.max_length else _longest(field, unit)

    organisation = awarded.organisation
    for name in ("name", "responsible_person"):
        setattr(organisation, name, longest(Organisation, name))
    organisation.save()
    awarded.title = longest(Application, "title")
    awarded.activities = longest(Application, "activities")
    awarded.save()
    awarded.call.title = longest(type(awarded.call), "title")
    awarded.call.save()
    for objective in awarded.objectives.all():
        objective.description = longest(Objective, "description")
        objective.indicator = longest(Objective, "indicator")
        objective.unit = longest(Objective, "unit")
        objective.target = Decimal("9999999999.99")
        objective.save()
    for category in ("staff", "activities", "administration", "materials", "publicity", "other"):
        BudgetLine.objects.create(
            application=awarded, category=category, item=longest(BudgetLine, "item"), amount=Decimal("1.00")
        )
    project = services.create_project(actor=operator, application=awarded)
    services.sign_contract(
        actor=operator,
        project=project,
        signed_by_organisation=longest(type(project), "signed_by_organisation"),
        signed_by_hub=longest(type(project), "signed_by_hub"),
    )
    pdf = documents.contract_pdf(project)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
    # Through the screens too: the operator's download is a PDF, never a 500.
    client.force_login(operator)
    host = connection.tenant.domains.get().domain
    response = client.get(f"/admin/projects/{project.pk}/contract.pdf", HTTP_HOST=host)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
