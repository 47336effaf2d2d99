import logging

from django.conf import settings
from django.views.generic import ListView

from clinic.models import DeferredJob
from clinic.permissions import RoleRequiredMixin

logger = logging.getLogger(__name__)
JOBS_PERMISSION = "clinic.view_jobs_dashboard"


def queue_sizes() -> dict[str, int] | None:
    """Jobs waiting in each RQ queue; None without Redis or when it does not answer."""
    if settings.JOBS_INLINE:
        return None
    import django_rq
    from redis.exceptions import RedisError

    try:
        return {name: django_rq.get_queue(name).count for name in settings.JOB_QUEUES}
    except RedisError:
        logger.warning("Redis did not answer for queue sizes", exc_info=True)
        return None


class JobsDashboardView(RoleRequiredMixin, ListView):
    """Deferred jobs (the outbox) and, with Redis, the size of each queue."""

    permission_required = JOBS_PERMISSION
    template_name = "clinic/jobs.html"
    paginate_by = 50
    context_object_name = "jobs"

    def get_queryset(self):
        jobs = DeferredJob.objects.order_by("-id")
        status = self.request.GET.get("status", "")
        if status in DeferredJob.Status.values:
            jobs = jobs.filter(status=status)
        return jobs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            statuses=DeferredJob.Status.choices,
            status=self.request.GET.get("status", ""),
            querystring=f"status={self.request.GET['status']}"
            if self.request.GET.get("status")
            else "",
            queues=queue_sizes(),
            inline=settings.JOBS_INLINE,
            **kwargs,
        )
