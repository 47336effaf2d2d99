from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from training.models import PracticeMessage, TourProgress
from training.tours import TOURS

BAD_STEP = "That tour has no such step."


@transaction.atomic
def tour_progress_record(*, actor, tour: str, step: int, done: bool) -> TourProgress:
    """A tour remembers the furthest step seen; once done it stays done."""
    if tour not in TOURS or not 0 <= step < len(TOURS[tour].steps):
        raise ValidationError(BAD_STEP)
    progress, _created = TourProgress.objects.select_for_update().get_or_create(
        user=actor, tour=tour
    )
    progress.step = max(progress.step, step)
    if done and progress.completed_at is None:
        progress.completed_at = timezone.now()
    progress.save()
    return progress


def tour_resume_step(*, user, tour: str) -> int:
    """Where "Show me how" starts: the step after the last seen, or the first once
    the tour was finished."""
    progress = TourProgress.objects.filter(user=user, tour=tour).first()
    if progress is None or progress.completed_at is not None:
        return 0
    return min(progress.step + 1, len(TOURS[tour].steps) - 1)


def practice_message_keep(
    *, channel: str, to: str, body: str, subject: str = ""
) -> PracticeMessage:
    """In the practice clinic a message is kept, never sent."""
    message = PracticeMessage(
        channel=channel, to=to[:254], subject=subject[:255], body=body
    )
    message.full_clean()
    message.save()
    return message
