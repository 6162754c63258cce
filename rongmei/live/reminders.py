"""预约 reminders by Web Push (run by the ``push_reminders`` task).

The in-app record and the 消息 notice are written by ``services.audience.remind_started``;
this sends the same news to the browsers the booked residents subscribed with, through the
push app's own sender (VAPID, RFC 8291 encryption). Without a VAPID key or a subscription
nothing is sent.
"""

from __future__ import annotations

import json
import logging

from rongmei.core.errors import ServiceError

from .models import LiveRoom

logger = logging.getLogger(__name__)


def push_reminders(room_id: int, user_ids: list[int]) -> int:
    """Web Push to the booked residents' browsers (the task's work). Without a VAPID key
    or subscriptions nothing is sent; the in-app record stands either way."""
    import requests

    from rongmei.push.keys import require_server_key
    from rongmei.push.models import PushSubscription
    from rongmei.push.sender import VapidHeaders, send_one

    room = LiveRoom.objects.filter(pk=room_id).first()
    subscriptions = list(PushSubscription.objects.filter(user_id__in=user_ids))
    if room is None or not subscriptions:
        return 0
    try:
        require_server_key()
    except ServiceError:
        logger.info("live reminders for room %s: no VAPID key, in-app only", room_id)
        return 0
    data = json.dumps({"title": "您预约的直播开始了", "body": room.title[:80],
                       "url": room.get_absolute_url(), "topic": "live",
                       "tag": f"live-{room.pk}"}, ensure_ascii=False).encode()
    headers = VapidHeaders()
    sent = 0
    with requests.Session() as session:
        for subscription in subscriptions:
            outcome = send_one(subscription, data=data, ttl=600, session=session,
                               headers={**headers(subscription.endpoint), "Urgency": "high"})
            sent += outcome.kind == "delivered"
    return sent
