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
