"""The small interface between a media server and the app, and its nginx-rtmp adapter.

Django never touches video: the media server takes the RTMP push, cuts HLS, records, and
relays to other platforms. It asks the app only a few questions, each an HTTP callback:

=================  =================================================================
``publish``        a stream with this name and key wants to go on air: yes or no
``publish_done``   the stream stopped
``record_done``    a recording of the stream is complete at this path
``relay``          which platforms should this stream be relayed to (simulcast)
``relay_status``   how a relay to one platform is doing
=================  =================================================================

An adapter turns a server's request into an ``IngestRequest`` and our answer into what
that server understands; ``views.media_hook`` does the rest through ``services.ingest``.
nginx-rtmp posts form fields (``name``, ``path``, ``clientid``, the publish URL's query such
as ``key``)
and reads only the status code: 2xx goes on, anything else drops the publisher.

Another server is one more class here: MediaMTX, for instance, would point
``authHTTPAddress`` at ``publish`` (it posts JSON ``{"action": "publish", "path", "query",
"ip"}`` and reads the status code the same way), run ``curl`` on ``runOnNotReady`` for
``publish_done`` and on ``runOnRecordSegmentComplete`` for ``record_done``; SRS's
``on_publish``/``on_unpublish``/``on_dvr`` hooks post JSON and expect ``0`` in the body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, JsonResponse

from rongmei.core.errors import ServiceError

EVENTS = ("publish", "publish_done", "record_done", "relay", "relay_status")


@dataclass(frozen=True)
class IngestRequest:
    event: str
    stream_name: str = ""
    key: str = ""
    client_id: str = ""  # the media server's id of the connection (one publisher per room)
    path: str = ""
    target_id: int | None = None
    status: str = ""
    error: str = ""


class MediaServerAdapter:
    """Base class: parse a callback, answer it."""

    name: str = ""

    def parse(self, request: HttpRequest, event: str) -> IngestRequest:
        raise NotImplementedError

    def accept(self, event: str, data: dict | None = None) -> HttpResponse:
        return JsonResponse({"code": "ok", **(data or {})})

    def refuse(self, error: ServiceError) -> HttpResponse:
        return JsonResponse(error.as_dict(), status=error.status if error.status >= 400 else 403,
                            json_dumps_params={"ensure_ascii": False})


class NginxRtmpAdapter(MediaServerAdapter):
    """nginx with libnginx-mod-rtmp: ``on_publish``/``on_publish_done``/``on_record_done``
    (``notify_method post``), and the relay script started by ``exec_push``."""

    name = "nginx-rtmp"

    def parse(self, request, event):
        data = request.POST if request.method == "POST" else request.GET
        if event in ("relay_status",) and request.content_type == "application/json":
            try:
                data = json.loads(request.body or b"{}")
            except ValueError:
                data = {}
            if not isinstance(data, dict):  # [1], 42, null: nothing we know (was a 500)
                data = {}
        target = str(data.get("target", ""))
        return IngestRequest(
            event=event, stream_name=str(data.get("name", ""))[:64],
            key=str(data.get("key", ""))[:200], path=str(data.get("path", ""))[:500],
            client_id=str(data.get("clientid", ""))[:40],
            target_id=int(target) if target.isdecimal() else None,
            status=str(data.get("status", ""))[:20], error=str(data.get("error", ""))[:300])


ADAPTERS: dict[str, MediaServerAdapter] = {NginxRtmpAdapter.name: NginxRtmpAdapter()}
