"""Background work for notices (django-tasks: inline in development and tests, the database
worker in production)."""

from django_tasks import task


@task()
def notice_sms_send(notice_id: int) -> str:
    from .delivery import deliver_sms

    return deliver_sms(notice_id)
