"""Background tasks of 互动 (django-tasks)."""

from django_tasks import task

from .counters import reads_flush


@task()
def flush_reads() -> dict:
    """The same work as ``rongmei engage_flush``, for callers that prefer a task."""
    return reads_flush()._asdict()
