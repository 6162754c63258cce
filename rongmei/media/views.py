"""The staff-only JSON status of an asset, polled by the console's progress bars.

Sessions only (the console's); a signed-out visitor gets 401, a resident or any staff member
without media rights 403, someone else's unit's asset 403 — always as
``{code, message, field}`` with a Chinese message.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rongmei.core.errors import ServiceError

from . import selectors


@never_cache
@require_GET
def asset_status(request, pk: int):
    if not request.user.is_authenticated:
        return JsonResponse({"code": "not_authenticated", "message": "请先登录",
                             "field": None}, status=401)
    try:
        asset = selectors.access_asset(request.user, pk)
    except ServiceError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse(selectors.status_payload(asset))
