import pytest
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.accounts.roles import Role, ensure_roles
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture
def in_hub_a(hub_a):
    """Run the test inside hub A's schema."""
    with tenant_context(hub_a):
        yield hub_a


@pytest.fixture
def operator(in_hub_a) -> User:
    """A hub operator who is not a superuser: rights come from the role alone."""
    user = UserFactory(email="operator@a.test")
    user.groups.add(ensure_roles(sync_permissions=True)[Role.OPERATOR])
    return user


@pytest.fixture
def organisation(in_hub_a):
    return OrganisationFactory()


@pytest.fixture
def member(organisation) -> User:
    from incubator.orgs.models import Membership

    user = UserFactory(email="member@org.test")
    user.groups.add(ensure_roles()[Role.ORGANISATION_MEMBER])
    Membership.objects.create(user=user, organisation=organisation)
    return user
