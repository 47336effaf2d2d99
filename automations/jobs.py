"""RQ entry points: ids in, one engine call, safe to run twice."""

from automations import engine


def event_process_job(event_id: int) -> int:
    return len(engine.event_process(event_id=event_id))


def run_advance_job(run_id: int) -> None:
    engine.run_advance(run_id=run_id)


def wait_fire_job(wait_id: int) -> bool:
    return engine.wait_fire(wait_id=wait_id)
