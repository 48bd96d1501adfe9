"""Factories for the tests' data. Everything is created in whichever hub's schema is current: wrap calls in
``tenant_context`` (the ``in_hub_a`` fixture does)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from incubator.accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    """A person; ``roles=[Role.X, …]`` gives them roles, ``member_of=organisation`` makes them act for it,
    ``roles__sync=True`` also gives the roles their back-office permissions (slower)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.cn")
    first_name = "小"
    last_name = "王"
    password = factory.django.Password("correct-horse-battery-staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            from incubator.accounts.roles import ensure_roles

            groups = ensure_roles(sync_permissions=kwargs.get("sync", False))
            self.groups.add(*(groups[role] for role in extracted))

    @factory.post_generation
    def member_of(self, create, extracted, **kwargs):
        if extracted is not None:
            from incubator.orgs.models import Membership

            Membership.objects.create(user=self, organisation=extracted)


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "areas.Street"

    name = factory.Sequence(lambda n: f"测试街道{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "areas.Community"

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"测试社区{n}")
    kind = "urban"
    households = 1200


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orgs.Organisation"

    name = factory.Sequence(lambda n: f"测试社会组织{n}")
    legal_form = "filed_community"
    community = factory.SubFactory(CommunityFactory)
    street = factory.LazyAttribute(lambda o: o.community.street)
    responsible_person = "李四"
    tier = "unclassified"


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orgs.Cohort"

    name = factory.Sequence(lambda n: f"第{n}期")
    starts_on = factory.Faker("date_this_year")


def valid_uscc(serial: int, category: str = "1") -> str:
    """A code that passes every GB 32100 rule: civil affairs (5), the category, 420102 (江岸区)."""
    from incubator.orgs.uscc import check_character, org_code_check_character

    body = f"{serial:08d}"
    org_code = body + org_code_check_character(body)
    first17 = f"5{category}420102{org_code}"
    return first17 + check_character(first17)


def _days_from_now(days: int):
    return factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=days))


class CallFactory(factory.django.DjangoModelFactory):
    """A call for proposals, open now by default; ``status`` and the dates as the test needs."""

    class Meta:
        model = "funding.Call"

    title = factory.Sequence(lambda n: f"2026年社区公益创投{n}")
    budget = Decimal("100000.00")
    per_project_cap = Decimal("50000.00")
    service_fields = factory.LazyFunction(lambda: ["charity", "convenience"])
    opens_at = _days_from_now(-1)
    closes_at = _days_from_now(14)
    status = "open"


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An awarded application to an announced call (the start of a project), unless told otherwise."""

    class Meta:
        model = "funding.Application"

    call = factory.SubFactory(
        CallFactory, status="announced", opens_at=_days_from_now(-200), closes_at=_days_from_now(-170)
    )
    organisation = factory.SubFactory(OrganisationFactory)
    title = "老人居家防跌倒"
    service_field = "charity"
    status = "awarded"
    awarded_amount = Decimal("30000.00")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=120))
    ends_on = factory.LazyAttribute(lambda a: a.starts_on + datetime.timedelta(days=240))


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.Objective"

    application = factory.SubFactory(ApplicationFactory)
    term = "short"
    description = "完成入户评估"
    indicator = "评估户数"
    target = Decimal("80")
    unit = "户"


class ProjectFactory(factory.django.DjangoModelFactory):
    """A funded project of an awarded application, active by default."""

    class Meta:
        model = "projects.Project"

    application = factory.SubFactory(ApplicationFactory)
    status = "active"
    award = factory.LazyAttribute(lambda p: p.application.awarded_amount)
    starts_on = factory.LazyAttribute(lambda p: p.application.starts_on)
    ends_on = factory.LazyAttribute(lambda p: p.application.ends_on)
