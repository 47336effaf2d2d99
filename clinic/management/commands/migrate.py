"""Django's ``migrate``, connected as the tables' owner when one is configured.

The app's own role (``DATABASE_URL``) owns nothing and cannot create or alter a
table; with ``MIGRATE_DATABASE_URL`` set, ``python manage.py migrate`` connects as
that role instead, and its post-migrate step (clinic/db_guards.py) grants the app's
role what it may do on every table, new ones included.
"""

from django.core.management.commands.migrate import Command as MigrateCommand

from clinic.db_guards import connected_as_owner
from clinic.db_limits import statement_timeout


class Command(MigrateCommand):
    help = (
        MigrateCommand.help
        + " Connects as MIGRATE_DATABASE_URL's role (the tables' owner) when set."
    )

    def handle(self, *args, **options):
        # A migration may rebuild an index for minutes: no page's time limit.
        using = options["database"]
        with connected_as_owner(using), statement_timeout(0, using=using):
            return super().handle(*args, **options)
