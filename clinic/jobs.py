"""RQ entry points of the clinic package: ids in, one service call, idempotent."""

from clinic import services


def run_deferred_job(job_id: int) -> str | None:
    return services.deferred_job_run(job_id=job_id)
