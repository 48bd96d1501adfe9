"""History tables show states in words: every workflow's states and the other recorded states have labels."""

import pytest
from django.utils.translation import override

from incubator.audit.actions import STATES, state_label_of
from incubator.filings import services as _filings  # noqa: F401  (these modules declare their states)
from incubator.funding.services import allocation as _allocation  # noqa: F401
from incubator.projects.services import lifecycle as _lifecycle  # noqa: F401

pytestmark = pytest.mark.django_db


def test_each_recorded_state_reads_as_words():
    with override("zh-hans"):
        assert str(state_label_of("project.sign", "contracting")) == "签约中"
        assert str(state_label_of("project.created", "contracting")) == "签约中"
        assert str(state_label_of("rectification.returned", "open")) != "open"
        assert str(state_label_of("application.override", "include")) != "include"
        assert state_label_of("application.override", "") == ""
    assert state_label_of("never.declared", "odd") == "odd"  # unknown codes are shown rather than hidden


def test_every_state_of_every_workflow_has_a_label():
    for prefix in ("project", "application", "call", "filing", "incubation", "rectification", "annual_report"):
        assert STATES.get(prefix), prefix
    assert all(str(label) for labels in STATES.values() for label in labels.values())
