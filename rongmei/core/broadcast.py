"""A live room's channel for capabilities that are not 直播.

活动's 直播答题 pushes each question into the broadcast's comment channel, but 活动 does
not import 直播 (a county may run quizzes without it). It calls :func:`to_live_room`; 直播,
when it is on, listens to :data:`room_message` and publishes the message into the room
(``live.fanout``). With nobody listening the message simply goes nowhere, and the quiz's own
page still shows it.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# sender=None, room_id: int, kind: str, data: dict, msg_id: str
room_message = Signal()


def to_live_room(room_id: int | None, kind: str, data: dict, *, msg_id: str = "") -> None:
    """Carry ``data`` into room ``room_id``'s channel once the current transaction commits."""
    if not room_id:
        return
    transaction.on_commit(lambda: room_message.send(
        sender=None, room_id=int(room_id), kind=kind, data=data, msg_id=msg_id))
