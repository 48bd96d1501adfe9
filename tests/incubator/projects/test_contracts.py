import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from pypdf import PdfReader

from incubator.funding.models import Application
from incubator.orgs import services as org_services
from incubator.pdf import BLANK
from incubator.projects import documents, services
from incubator.projects.models import DEFAULT_SPLIT, ContractParty, Installment
from incubator.workflow import TransitionError
from tests.factories import valid_uscc
from tests.pdfs import pdf_fonts, pdf_text, squash

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


TITLE = "“银龄·互助”——社区（堃喆犇）老人居家防跌倒：关爱、陪伴！"
HUB_USCC, ORG_USCC = valid_uscc(7001, "2"), valid_uscc(7002, "2")


def zh(message, **values):
    """A text of the contract as the contract prints it: in its language (the catalogue's Chinese)."""
    with translation.override(documents.CONTRACT_LANGUAGE):
        return gettext(message) % values if values else gettext(message)


def _set_hub_party(**fields):
    party = ContractParty.load()
    for name, value in fields.items():
        setattr(party, name, value)
    party.full_clean()
    party.save()
    return party


def _registered(operator, organisation):
    """The organisation with its code, address, phone and bank account, typed the way people type them."""
    return org_services.update_profile(
        actor=operator,
        organisation=organisation,
        legal_form="social_service",
        uscc=ORG_USCC,
        address="武汉市江岸区后湖街道幸福路8号",
        contact_phone="027-8888 6666",
        bank_account_name="武汉晚晴枫养老助残服务中心",
        bank_name="中国工商银行武汉江岸支行",
        bank_account_number="6222 0212 3456 7890 123",
    )


def test_the_contract_reads_like_a_contract(operator, awarded):
    awarded.title = TITLE
    awarded.target_groups = ["elderly"]
    awarded.save()
    _registered(operator, awarded.organisation)
    _set_hub_party(
        legal_name="武汉市江岸区民政局",
        uscc=HUB_USCC,
        address="武汉市江岸区沿江大道100号",
        responsible_person="张建国",
        contact_phone="027-82800000",
    )
    project = services.create_project(actor=operator, application=awarded)
    services.sign_contract(actor=operator, project=project, signed_by_organisation="王敏", signed_by_hub="李强")
    project.refresh_from_db()
    pdf = documents.contract_pdf(project)
    text = pdf_text(pdf)
    flat = squash(text)

    assert TITLE in text and "�" not in text and "None" not in text  # the title, every character of it
    assert squash(zh("Venture philanthropy project funding agreement")) in flat
    assert squash(zh("Party A (the funder): %(name)s", name="武汉市江岸区民政局")) in flat
    for detail in (
        HUB_USCC,
        ORG_USCC,
        "武汉市江岸区沿江大道100号",
        "张建国",
        "027-82800000",
        "武汉市江岸区后湖街道幸福路8号",
    ):
        assert detail in flat
    # Where the installments go: the account number as its digits, whatever the spaces it was typed with.
    assert "中国工商银行武汉江岸支行" in flat and "6222021234567890123" in flat
    # The amount in figures and in capitals, the installments with their amounts.
    assert "33,333.33" in flat and "叁万叁仟叁佰叁拾叁元叁角叁分" in flat
    assert all(f"{i.amount:,.2f}" in flat for i in project.installments.all())
    for heading in (
        "Article 1. The project",
        "Article 3. Installments",
        "Article 5. Party A's rights and obligations",
        "Article 6. Party B's rights and obligations",
        "Article 7. Liability for breach of contract",
        "Article 8. Settlement of disputes",
        "Article 9. Entry into force and copies",
    ):
        assert squash(zh(heading)) in flat, heading
    # The signature block, with the names and the date recorded at the signing.
    assert squash(zh("Party A (seal): %(name)s", name="武汉市江岸区民政局")) in flat
    assert squash(zh("Party B (seal): %(name)s", name=awarded.organisation.name)) in flat
    assert squash(zh("Representative's signature: %(name)s", name="李强")) in flat
    assert squash(zh("Representative's signature: %(name)s", name="王敏")) in flat
    day = project.signed_on
    with translation.override(documents.CONTRACT_LANGUAGE):
        date = pgettext("date on a contract", "%(year)d-%(month)02d-%(day)02d") % {
            "year": day.year,
            "month": day.month,
            "day": day.day,
        }
    assert squash(zh("Date: %(date)s", date=date)) in flat
    assert PdfReader(io.BytesIO(pdf)).metadata.title == TITLE


def test_every_font_of_the_contract_is_an_embedded_truetype_font(operator, awarded):
    awarded.title = TITLE
    awarded.save()
    pdf = documents.contract_pdf(services.create_project(actor=operator, application=awarded))
    fonts = pdf_fonts(pdf)
    assert fonts, "no font at all"
    assert all(f["subtype"] == "/TrueType" and f["embedded"] == "FontFile2" for f in fonts), fonts
    assert all(f["to_unicode"] for f in fonts), fonts  # so the text can be copied and searched
    assert not any("STSong" in f["name"] or "Helvetica" in f["name"] for f in fonts)
    assert b"STSong-Light" not in pdf and b"UniGB-UCS2-H" not in pdf


def test_missing_details_print_as_lines_to_fill_and_are_listed_before_printing(client, operator, awarded):
    from django.db import connection

    project = services.create_project(actor=operator, application=awarded)
    text = pdf_text(documents.contract_pdf(project))
    assert BLANK in text and "None" not in text
    # Nobody named the hub's legal entity: the contract names the hub.
    assert squash(zh("Party A (the funder): %(name)s", name=connection.tenant.name)) in squash(text)

    # All of the hub's; the organisation's address, phone and bank account (it is not registered: no code).
    missing = documents.missing_details(project)
    assert len(missing) == 4 + 5 and len({party for party, _detail in missing}) == 2
    client.force_login(operator)
    host = connection.tenant.domains.get().domain
    page = client.get(f"/admin/projects/{project.pk}/", HTTP_HOST=host).content.decode()
    assert 'id="contract-missing"' in page
    assert "/admin/settings/projects/contractparty/" in page

    _registered(operator, awarded.organisation)
    _set_hub_party(uscc=HUB_USCC, address="沿江大道100号", responsible_person="张建国", contact_phone="027-82800000")
    project.application.organisation.refresh_from_db()
    assert documents.missing_details(project) == []
    page = client.get(f"/admin/projects/{project.pk}/", HTTP_HOST=host).content.decode()
    assert 'id="contract-missing"' not in page
    parties = squash(pdf_text(documents.contract_pdf(project))).split(squash(zh("Article 1. The project")))[0]
    assert BLANK not in parties and HUB_USCC in parties


def test_the_hub_party_of_one_hub_never_appears_in_another_hubs_contract(operator, awarded, hub_b):
    from django_tenants.utils import tenant_context

    from incubator.accounts.roles import Role
    from tests.factories import UserFactory
    from tests.incubator.projects.conftest import make_awarded

    _set_hub_party(legal_name="甲孵化基地运营中心", uscc=HUB_USCC, address="甲区一号路", responsible_person="甲负责人")
    contract_a = squash(pdf_text(documents.contract_pdf(services.create_project(actor=operator, application=awarded))))
    assert "甲孵化基地运营中心" in contract_a and HUB_USCC in contract_a
    with tenant_context(hub_b):
        assert ContractParty.load().legal_name == ""
        _set_hub_party(address="乙区二号路")
        operator_b = UserFactory(email="operator@b.test", roles=[Role.OPERATOR])
        project_b = services.create_project(actor=operator_b, application=make_awarded())
        contract_b = squash(pdf_text(documents.contract_pdf(project_b)))
    for detail in ("甲孵化基地运营中心", HUB_USCC, "甲区一号路", "甲负责人"):
        assert detail not in contract_b
    assert hub_b.name in contract_b and "乙区二号路" in contract_b
    assert "乙区二号路" not in contract_a and ContractParty.load().address == "甲区一号路"


def test_the_hubs_contract_details_are_checked(in_hub_a):
    party = ContractParty.load()
    party.uscc = HUB_USCC[:-1] + ("0" if HUB_USCC[-1] != "0" else "1")  # the check character broken
    with pytest.raises(ValidationError) as refused:
        party.full_clean()
    assert "uscc" in refused.value.message_dict
    party.uscc = " ".join([HUB_USCC[:6], HUB_USCC[6:12], HUB_USCC[12:]])  # as pasted
    party.full_clean()
    assert party.uscc == HUB_USCC


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("6222 0212 3456 7890 123", "6222021234567890123"),
        ("６２２２０２１２３４５６", "622202123456"),  # full-width digits from a Chinese input method
        ("12345678", "12345678"),
        ("1" * 30, "1" * 30),
        ("1234 " * 7 + "12", "1234" * 7 + "12"),  # 30 digits typed in groups: more than 30 characters
    ],
)
def test_a_bank_account_number_is_kept_as_its_digits(operator, organisation, typed, stored):
    updated = org_services.update_profile(actor=operator, organisation=organisation, bank_account_number=typed)
    assert updated.bank_account_number == stored


@pytest.mark.parametrize("typed", ["1234567", "1" * 31, "6222-0212-3456", "62220212345X", "账号12345678"])
def test_a_bank_account_number_that_is_not_8_to_30_digits_is_refused(operator, organisation, typed):
    with pytest.raises(ValidationError) as refused:
        org_services.update_profile(actor=operator, organisation=organisation, bank_account_number=typed)
    assert "bank_account_number" in refused.value.message_dict


def test_the_organisation_keeps_its_bank_account_in_the_portal_and_the_back_office(
    client, operator, member, organisation
):
    from tests.conftest import HUB_A

    client.force_login(member)
    url = f"/portal/organisations/{organisation.pk}/profile/"
    form = client.get(url, HTTP_HOST=HUB_A["domain"]).content.decode()
    assert 'name="bank_account_name"' in form and 'name="bank_name"' in form and 'name="bank_account_number"' in form
    client.force_login(operator)
    edit = client.get(f"/admin/organisations/edit/{organisation.pk}/", HTTP_HOST=HUB_A["domain"])
    assert edit.status_code == 200 and 'name="bank_account_number"' in edit.content.decode()


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
    for name in ("name", "responsible_person", "address", "contact_phone", "bank_account_name", "bank_name"):
        setattr(organisation, name, longest(Organisation, name))
    organisation.bank_account_number = "9" * 30
    organisation.save()
    party = ContractParty.load()
    for name in ("legal_name", "address", "responsible_person", "contact_phone"):
        setattr(party, name, longest(ContractParty, name))
    party.save()
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


def test_operators_keep_the_hubs_contract_details_in_the_settings_menu(client, operator):
    from tests.conftest import HUB_A

    client.force_login(operator)
    url = f"/admin/settings/projects/contractparty/{ContractParty.load().pk}/"
    assert client.get(url, HTTP_HOST=HUB_A["domain"]).status_code == 200
    data = {"legal_name": "武汉市江岸区民政局", "address": "沿江大道100号", "responsible_person": "张建国"}
    refused = client.post(url, {**data, "uscc": HUB_USCC[:-1] + "?"}, HTTP_HOST=HUB_A["domain"])
    assert refused.status_code == 200 and ContractParty.load().legal_name == ""
    saved = client.post(url, {**data, "uscc": f" {HUB_USCC[:9]}-{HUB_USCC[9:]} "}, HTTP_HOST=HUB_A["domain"])
    assert saved.status_code == 302
    party = ContractParty.load()
    assert (party.legal_name, party.uscc) == ("武汉市江岸区民政局", HUB_USCC)
