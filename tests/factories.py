import factory

from incubator.accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    """Creates the user in whichever hub's schema is current: wrap calls in tenant_context."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.cn")
    first_name = "小"
    last_name = "王"
    password = factory.django.Password("correct-horse-battery-staple")


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
