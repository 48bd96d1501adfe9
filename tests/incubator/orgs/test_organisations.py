import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from incubator.orgs import services
from incubator.orgs.models import Organisation, Tier
from tests.factories import CommunityFactory, OrganisationFactory, StreetFactory, valid_uscc

pytestmark = pytest.mark.django_db


def fields(**overrides):
    community = overrides.pop("community", None) or CommunityFactory()
    return {
        "name": "江岸区春晖社会工作服务中心",
        "legal_form": "social_service",
        "uscc": valid_uscc(1, "2"),
        "street": community.street,
        "community": community,
        "responsible_person": "张三",
        **overrides,
    }


def test_an_operator_adds_a_registered_organisation(operator):
    organisation = services.create_organisation(actor=operator, **fields(uscc=" " + valid_uscc(1, "2").lower()))
    assert organisation.uscc == valid_uscc(1, "2")
    assert organisation.last_activity_at is not None


def test_a_wrong_code_is_refused_naming_the_rule(operator):
    code = valid_uscc(2, "2")
    broken = code[:-1] + ("0" if code[-1] != "0" else "1")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.create_organisation(actor=operator, **fields(uscc=broken))
    assert "does not check out" in refused.value.message_dict["uscc"][0]
    assert not Organisation.objects.exists()


def test_a_registered_form_needs_its_code(operator):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.create_organisation(actor=operator, **fields(uscc=""))
    assert "Unified Social Credit Code" in refused.value.message_dict["uscc"][0]


def test_a_street_has_at_most_one_hub_type_organisation(operator):
    street = StreetFactory(name="车站街道")
    first = OrganisationFactory(community=CommunityFactory(street=street), tier=Tier.HUB)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.create_organisation(
            actor=operator,
            **fields(community=CommunityFactory(street=street), legal_form="filed_community", uscc="", tier=Tier.HUB),
        )
    message = refused.value.message_dict["tier"][0]
    assert "车站街道" in message and first.name in message and "at most one" in message
    # And the database holds the line even if validation were skipped.
    with transaction.atomic(), pytest.raises(IntegrityError):
        OrganisationFactory(community=CommunityFactory(street=street), tier=Tier.HUB)


def test_n_and_x_tiers_need_their_field_and_group(operator):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.create_organisation(actor=operator, **fields(legal_form="filed_community", uscc="", tier="basic"))
    assert "five basic fields" in refused.value.message_dict["basic_field"][0]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.create_organisation(
            actor=operator, **fields(legal_form="filed_community", uscc="", tier="characteristic")
        )
    assert "resident group" in refused.value.message_dict["resident_group"][0]


def test_the_community_must_lie_in_the_street(operator):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.create_organisation(
            actor=operator, **fields(street=StreetFactory(), legal_form="filed_community", uscc="")
        )
    assert "is not in the street" in refused.value.message_dict["community"][0]


def test_members_edit_their_profile_but_not_what_operators_decide(member, organisation):
    services.update_profile(actor=member, organisation=organisation, volunteers=25, description="每周活动")
    organisation.refresh_from_db()
    assert organisation.volunteers == 25
    with pytest.raises(PermissionDenied):
        services.update_profile(actor=member, organisation=organisation, tier=Tier.HUB)


def test_nobody_edits_another_organisations_profile(member):
    other = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        services.update_profile(actor=member, organisation=other, volunteers=1)
    other.refresh_from_db()
    assert other.volunteers == 0
