"""The beacon's door and the 渠道码 landing link.

``collect`` is a plain Django view rather than a ninja route: it is the hottest path of the
site (every page view of every resident), and it only validates and appends to the buffer.
It reads the session only when the request carries a session cookie; it never writes one.
Native apps post the same body to ``/api/v1/analytics/events``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rongmei.core.errors import ServiceError
from rongmei.core.http import client_ip

from . import events, services


def _refused(exc: ServiceError) -> JsonResponse:
    response = JsonResponse(exc.as_dict(), status=exc.status)
    if exc.status == 429:
        response["Retry-After"] = str(exc.extra.get("retry_after", 60))
    return response


@csrf_exempt  # a beacon changes nobody's state; it carries no credentials worth forging
@require_POST
def collect(request):
    user = None
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        user = request.user
    try:
        payload = services.parse_body(request.body)
        services.collect(payload=payload, user=user, address=client_ip(request))
    except ServiceError as exc:
        return _refused(exc)
    return HttpResponse(status=204)


@csrf_exempt  # like the beacon: nothing to forge, and the answer is a fresh random id
@require_POST
def device(request):
    """The beacon's first call on a new device: a signed anonymous id to keep."""
    try:
        issued = services.issue_device(address=client_ip(request))
    except ServiceError as exc:
        return _refused(exc)
    response = JsonResponse({"device": issued}, status=201)
    response["Cache-Control"] = "no-store"
    return response


def channel_landing(request, code: str):
    """Where a 渠道码 QR points: the home page with the code, which the beacon keeps for the
    device's first events. No database: an unknown code is simply never attributed."""
    if not events.CODE_RE.match(code):
        return HttpResponseRedirect("/")
    return HttpResponseRedirect(f"/?ch={code}")
