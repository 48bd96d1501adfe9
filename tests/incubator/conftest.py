import pytest
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.accounts.roles import Role
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture
def in_hub_a(hub_a):
    """Run the test inside hub A's schema."""
    with tenant_context(hub_a):
        yield hub_a


@pytest.fixture
def operator(in_hub_a) -> User:
    """A hub operator who is not a superuser: rights come from the role alone."""
    return UserFactory(email="operator@a.test", roles=[Role.OPERATOR], roles__sync=True)


@pytest.fixture
def organisation(in_hub_a):
    return OrganisationFactory()


@pytest.fixture
def member(organisation) -> User:
    return UserFactory(email="member@org.test", roles=[Role.ORGANISATION_MEMBER], member_of=organisation)


@pytest.fixture
def mailed(monkeypatch, django_capture_on_commit_callbacks):
    """(recipient id, subject) of every e-mail queued, once the surrounding transaction commits."""
    from incubator.notifications.tasks import send_notification

    queued = []
    monkeypatch.setattr(
        send_notification, "apply_async", lambda args, headers: queued.extend((pk, args[1]) for pk in args[0])
    )

    def run(callable_):
        queued.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = callable_()
        return result, list(queued)

    return run
