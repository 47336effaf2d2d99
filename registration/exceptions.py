"""The registration app's domain errors."""

from django.utils.translation import gettext_lazy as _

from clinic.exceptions import ApplicationError

DUPLICATES_FOUND = _(
    "These look like the same person. Open the existing record, or say why this "
    "is a different patient."
)


class RegistrationError(ApplicationError):
    pass


class PossibleDuplicates(RegistrationError):
    """Existing patients may be this person (``matches``, most likely first): a new
    record is made only with a reason given after these very matches were shown."""

    def __init__(self, matches, message=DUPLICATES_FOUND):
        super().__init__(str(message))
        self.matches = list(matches)

    @property
    def mrns(self) -> list[str]:
        return [match.patient.mrn for match in self.matches]
