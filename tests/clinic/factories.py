import factory
import factory.random
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clinic import permissions
from clinic.models import StaffProfile

PASSWORD = "a long enough test passphrase"

factory.Faker._DEFAULT_LOCALE = "en_US"
factory.random.reseed_random("clinicops-tests")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.example")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        """``UserFactory(role="Nurse")``: the role group, its profile, staff flag."""
        if not create:
            return
        if extracted:
            obj.groups.set([Group.objects.get(name=extracted)])
            obj.is_staff = extracted == permissions.ADMINISTRATOR
            obj.save()
        StaffProfile.objects.create(user=obj, role=extracted or "")
