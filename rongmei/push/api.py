"""Push API: the server's VAPID public key, and subscribing/unsubscribing a browser.

Anonymous browsers may subscribe (a resident need not sign in to get breaking news); a
signed-in resident's subscription remembers them. Both writes are rate-limited per address.
"""

from __future__ import annotations

from ninja import Router, Schema
from ninja.errors import AuthenticationError

from rongmei.core.api import ErrorOut, authenticate
from rongmei.core.http import client_ip

from . import services
from .keys import application_server_key

router = Router(tags=["推送"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut}


class PublicKeyOut(Schema):
    public_key: str  # base64url uncompressed P-256 point: pushManager.subscribe's applicationServerKey


class KeysIn(Schema):
    p256dh: str
    auth: str


class SubscriptionIn(Schema):
    """The browser's ``PushSubscription.toJSON()`` (extra fields such as expirationTime are
    ignored), optionally with topics (default ``["breaking"]``)."""

    endpoint: str
    keys: KeysIn
    topics: list[str] | None = None


class SubscriptionOut(Schema):
    endpoint: str
    topics: list[str]
    signed_in: bool


class UnsubscribeIn(Schema):
    endpoint: str


class UnsubscribeOut(Schema):
    deleted: bool


def _user_or_none(request):
    try:
        return authenticate(request)
    except AuthenticationError:
        return None


@router.get("/vapid-public-key", response={200: PublicKeyOut, 503: ErrorOut},
            summary="推送服务公钥（VAPID）")
def vapid_public_key(request):
    return {"public_key": application_server_key()}


@router.post("/subscriptions", response={200: SubscriptionOut, **ERRORS},
             summary="订阅推送（同一推送地址重复提交即更新）")
def subscribe(request, payload: SubscriptionIn):
    subscription = services.subscription_save(
        endpoint=payload.endpoint, p256dh=payload.keys.p256dh, auth=payload.keys.auth,
        topics=payload.topics, user=_user_or_none(request),
        user_agent=request.headers.get("User-Agent", ""), client=client_ip(request))
    return {"endpoint": subscription.endpoint, "topics": subscription.topic_list,
            "signed_in": subscription.user_id is not None}


@router.delete("/subscriptions", response={200: UnsubscribeOut, **ERRORS},
               summary="取消订阅推送")
def unsubscribe(request, payload: UnsubscribeIn):
    return {"deleted": services.subscription_delete(endpoint=payload.endpoint,
                                                    client=client_ip(request))}
