"""Background work in production goes through django-tasks' database backend and its
worker: a task enqueued by a request survives until a worker runs it."""

import pytest
from django.core.management import call_command
from django.test import override_settings

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_database_worker_runs_what_publishing_enqueued():
    from django_tasks_db.models import DBTaskResult

    from rongmei.home.models import HomePage

    call_command("seed_demo", scale=1, stdout=open("/dev/null", "w"))
    with override_settings(TASKS=DB_TASKS):  # django-tasks re-reads TASKS on setting_changed
        HomePage.objects.get().save_revision().publish()
        queued = DBTaskResult.objects.filter(status="READY").count()
        assert queued > 0, "publishing should enqueue Wagtail's index tasks"
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() >= queued
