from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from rongmei.core import roles


@pytest.fixture(autouse=True)
def _clean_live_state():
    """Each test starts with no live messages or counters (in memory or in this worker's
    Redis database, which conftest's cache.clear() already empties)."""
    from rongmei.live import counters, fanout

    fanout.local_broker.clear()
    counters.reset_local()
    yield
    fanout.local_broker.clear()
    counters.reset_local()


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """The test client, with what its writes do on commit (publishing into the room's
    channel, reminders) run when each request ends — as a real commit would."""
    original = client.post

    def post(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(*args, **kwargs)

    client.post = post
    return client


@pytest.fixture
def stage(db, county, make_user):
    from rongmei.live.services.rooms import room_create

    people = SimpleNamespace(
        editor=make_user(roles.EDITOR),
        chief=make_user(roles.CHIEF_EDITOR),
        hetang_admin=make_user(roles.UNIT_ADMIN, unit=county.hetang),
        baishui_admin=make_user(roles.UNIT_ADMIN, unit=county.baishui),
        resident=make_user(nickname="莲乡网友"),
        other=make_user(nickname="路人甲"),
    )
    room = room_create(actor=people.editor, title="莲花节开幕式",
                       starts_at=timezone.now() + timedelta(hours=1))
    return SimpleNamespace(room=room, people=people, county=county)


def go_live(room):
    from django.db import transaction

    from rongmei.live.models import LiveRoom, RoomState
    from rongmei.live.states import transition

    with transaction.atomic():
        locked = LiveRoom.objects.select_for_update().get(pk=room.pk)
        transition(locked, RoomState.LIVE)
    room.refresh_from_db()
    return room
