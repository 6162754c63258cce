"""Background work of 直播 (django-tasks): the replay and the 预约 push. Both are enqueued
on commit; ``make_replay`` only acts on a room it finds claimed (``replay_status`` making)."""

from django_tasks import task


@task()
def make_replay(room_id: int) -> str:
    from .vod import make_replay as work

    return work(room_id)


@task()
def push_reminders(room_id: int, user_ids: list[int]) -> int:
    from .reminders import push_reminders as work

    return work(room_id, user_ids)
