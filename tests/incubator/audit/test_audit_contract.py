"""The audit log is a contract: declared actions only, always written in the transaction of the change."""

import pathlib
import re

import pytest
from django.db import transaction
from django_tenants.utils import tenant_context

from incubator.audit.actions import ACTIONS, label_of
from incubator.audit.models import AuditEvent
from incubator.audit.services import AuditError, record_event

ROOT = pathlib.Path(__file__).resolve().parents[3]
LITERAL = re.compile(r'action="([a-z_]+\.[a-z_]+)"')


def test_every_action_written_in_the_code_is_declared_with_a_label():
    import incubator.filings.services  # noqa: F401  (declaring a workflow declares its transitions)
    import incubator.funding.services  # noqa: F401
    import incubator.orgs.services  # noqa: F401
    import incubator.projects.services  # noqa: F401

    written = set()
    for path in [*ROOT.glob("incubator/**/*.py"), *ROOT.glob("tenants/*.py"), *ROOT.glob("cms/*.py")]:
        if "migrations" not in path.parts:
            written |= set(LITERAL.findall(path.read_text()))
    assert len(written) > 25
    assert written - set(ACTIONS) == set()
    assert {"project.sign", "filing.submit", "incubation.admit"} <= set(ACTIONS)
    assert str(label_of("milestone.done")) != "milestone.done"


@pytest.mark.django_db
def test_an_undeclared_action_is_refused(in_hub_a, organisation):
    with pytest.raises(AuditError, match="actions.py"):
        record_event(actor=None, action="organisation.renamed_by_typo", subject=organisation)
    assert not AuditEvent.objects.filter(action="organisation.renamed_by_typo").exists()


def test_an_audit_row_outside_a_transaction_is_refused(committed_hub, django_db_blocker):
    from tests.factories import OrganisationFactory

    hub = committed_hub(admin_email="admin@audit.test", send_welcome=False)
    with django_db_blocker.unblock(), tenant_context(hub):
        # provisioning itself audited "hub.provisioned" inside its transaction
        assert AuditEvent.objects.filter(action="hub.provisioned").count() == 1
        organisation = OrganisationFactory()
        with pytest.raises(AuditError, match="outside a transaction"):
            record_event(actor=None, action="organisation.updated", subject=organisation)
        with transaction.atomic():
            record_event(actor=None, action="organisation.updated", subject=organisation)
        assert AuditEvent.objects.filter(action="organisation.updated").count() == 1
