"""Push API: the server's VAPID public key, and subscribing/unsubscribing a browser.

Anonymous browsers may subscribe (a resident need not sign in to get breaking news); a
signed-in resident's subscription remembers them. Both writes are rate-limited per address.
"""

from __future__ import annotations

import re
from typing import Annotated

from ninja import Router, Schema
from ninja.errors import AuthenticationError
from pydantic import WithJsonSchema

from rongmei.core.api import NONSPACE, ErrorOut, authenticate, documented
from rongmei.core.http import client_ip

from . import conf, services
from .keys import application_server_key

router = Router(tags=["推送"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut}


class PublicKeyOut(Schema):
    public_key: str  # base64url uncompressed P-256 point: pushManager.subscribe's applicationServerKey


def _endpoint_pattern() -> str:
    """An https URL on one of the push services the server accepts (PUSH_ENDPOINT_HOSTS)."""
    hosts = []
    for host in conf.endpoint_hosts():
        host = host.lower()
        hosts.append(r"[a-z0-9.-]+\." + re.escape(host[2:]) if host.startswith("*.")
                     else re.escape(host))
    return rf"^https://(?:{'|'.join(hosts)})/[^\s]*$"


class KeysIn(Schema):
    # A format, not a pattern: the key must be a point on the curve.
    p256dh: str = documented(format="p256dh",
                             description="浏览器公钥：P-256 非压缩点（65字节）的 base64url")
    auth: str = documented(pattern=r"^[A-Za-z0-9_-]{22}(==)?$",
                           description="认证密钥：16字节的 base64url")


class SubscriptionIn(Schema):
    """The browser's ``PushSubscription.toJSON()`` (extra fields such as expirationTime are
    ignored), optionally with topics (default ``["breaking"]``)."""

    # The hosts are settings (PUSH_ENDPOINT_HOSTS): the pattern is made with the document.
    endpoint: str = documented(extra=lambda schema: schema.update(
        maxLength=1000, pattern=_endpoint_pattern()),
        description="推送服务地址（仅限浏览器使用的推送服务）")
    keys: KeysIn
    topics: Annotated[list[str] | None, WithJsonSchema({"anyOf": [
        {"type": "array", "items": {"enum": list(services.TOPICS)}}, {"type": "null"}]})] = None


class SubscriptionOut(Schema):
    endpoint: str
    topics: list[str]
    signed_in: bool


class UnsubscribeIn(Schema):
    endpoint: str = documented(pattern=NONSPACE)


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
