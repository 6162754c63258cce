"""H5 pages of 直播 (the list and the room) and the media server's callbacks.

The room page is the same HTML for everyone (cacheable); what is personal (signed in,
booked, own pending comments) and what moves (comments, viewers, likes) comes from the API
and the comment stream, loaded by ``live/room.js``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from rongmei.core.errors import ServiceError
from rongmei.core.http import client_ip
from rongmei.core.pagecache import mark_cacheable

from . import selectors
from .adapters import ADAPTERS, EVENTS
from .models import RoomState
from .services import ingest

logger = logging.getLogger(__name__)


def room_list(request):
    listing = selectors.room_listing()
    response = render(request, "live/list.html", {"listing": listing})
    return mark_cacheable(response, seconds=15)


def room_page(request, room_id: int):
    try:
        room = selectors.public_room(room_id)
    except ServiceError:
        raise Http404("直播间不存在") from None
    context = {
        "room": room,
        "posts": selectors.live_posts(room) if room.kind == "blog" else [],
        "products": selectors.active_products(room),
        "notice": selectors.pinned_notice(room),
        "comments": selectors.public_comments(room, size=20),
        "figures": selectors.room_figures(room),
        "stream_url": settings.LIVE_STREAM_URL,
        "is_on": room.state == RoomState.LIVE,
        "stream_open": room.state in (RoomState.SCHEDULED, RoomState.LIVE),
        "replay": room.replay_asset if room.state == RoomState.REPLAY else None,
        "comment_max": settings.LIVE_COMMENT_MAX,
    }
    response = render(request, "live/room.html", context)
    return mark_cacheable(response, seconds=5)


def poll(request, room_id: int):
    """The polling fallback (WeChat web views, old phones): the room's recent messages and
    figures, the same bytes for everyone — cached here for 2 s and by nginx or a CDN."""
    try:
        room = selectors.public_room(room_id)
    except ServiceError:
        raise Http404("直播间不存在") from None
    response = JsonResponse(selectors.poll(room), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=2"
    return mark_cacheable(response, seconds=2)


def stream_unavailable(request, room_id: int):
    """Under a WSGI server there is no comment stream: the player's script falls back to
    polling when this answers (the ASGI server, ``rongmei live_serve``, owns this path)."""
    return JsonResponse({"code": "stream_unavailable", "message": "实时通道不可用，请使用轮询"},
                        status=404, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def media_hook(request, adapter: str, event: str):
    """A media server's callback (``adapters``): decided by ``services.ingest``. The caller's
    address is checked against LIVE_MEDIA_SERVER_IPS there, before anything else."""
    handler = ADAPTERS.get(adapter)
    if handler is None or event not in EVENTS:
        raise Http404
    call = handler.parse(request, event)
    address = client_ip(request)
    try:
        if event == "publish":
            room = ingest.ingest_publish(stream_name=call.stream_name, key=call.key,
                                         address=address, client_id=call.client_id)
            return handler.accept(event, {"room": room.pk})
        if event == "publish_done":
            ingest.ingest_publish_done(stream_name=call.stream_name, address=address,
                                       client_id=call.client_id)
            return handler.accept(event)
        if event == "record_done":
            ingest.ingest_record_done(stream_name=call.stream_name, path=call.path,
                                      address=address)
            return handler.accept(event)
        if event == "relay":
            targets = ingest.relay_targets(stream_name=call.stream_name, address=address)
            return handler.accept(event, {"targets": [{"id": i, "url": u} for i, u in targets]})
        ingest.relay_status(target_id=call.target_id or 0, status=call.status,
                            error=call.error, address=address)
        return handler.accept(event)
    except ServiceError as error:
        return handler.refuse(error)
