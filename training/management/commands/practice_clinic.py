from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from training.practice import practice_reset


class Command(BaseCommand):
    help = (
        "Reset the practice clinic (PRACTICE_MODE=1): the demo data again, the same "
        "every time; run it, then `manage.py runserver` to serve the training copy."
    )

    def handle(self, *args, **options):
        try:
            practice_reset(stdout=self.stdout)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS("Practice clinic reset."))
