"""Password rules Django's validators leave out."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

USER_NAME_IN_PASSWORD = _("The password must not contain the user name.")


class UserNameInPasswordValidator:
    """A password must not contain its account's user name, in any letter case.

    Django's ``UserAttributeSimilarityValidator`` compares the whole password with
    the name, so a long password that merely contains the name ("nora-spring-2026")
    passes it; the user name is the first word a guesser tries.
    """

    def validate(self, password, user=None):
        username = (user.get_username() if user is not None else "") or ""
        if username and username.casefold() in password.casefold():
            raise ValidationError(USER_NAME_IN_PASSWORD, code="password_has_username")

    def get_help_text(self):
        return _("Your password can't contain your user name.")
