"""Write paths for Web Push: subscribing and unsubscribing a browser, and broadcasting a
message to every subscriber of a topic.

``broadcast`` stores the message and, when the transaction commits, enqueues
``tasks.push_fanout``, which splits the topic's subscribers into batches sent by
``tasks.push_send_batch`` (see ``sender.py`` for the protocol and the retry rules). A
rolled-back transaction therefore notifies nobody.
"""

from __future__ import annotations

import html
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rongmei.core import ratelimit
from rongmei.core.errors import ServiceError
from rongmei.core.public_text import gate_texts
from rongmei.core.roles import DIRECTOR, OPERATOR
from rongmei.core.text import plain_text
from rongmei.units.access import check_role

from . import conf
from .keys import b64url_decode, require_server_key
from .models import DEFAULT_TOPIC, TOPICS, PushMessage, PushSubscription, topics_to_field

TITLE_MAX = 30
BODY_MAX = 80
DUPLICATE_WINDOW = timedelta(minutes=10)
SENDER_ROLES = (OPERATOR, DIRECTOR)  # administrators hold every role


# --- Subscriptions ---------------------------------------------------------------------------

def _endpoint_host_allowed(host: str) -> bool:
    for allowed in conf.endpoint_hosts():
        allowed = allowed.lower()
        if allowed.startswith("*."):
            if host.endswith(allowed[1:]):
                return True
        elif host == allowed:
            return True
    return False


def clean_endpoint(endpoint: str) -> str:
    """An https URL on a known push service. The server will POST to this address, so an
    arbitrary URL from an anonymous client would let anyone aim our server at any host
    (SSRF): only the push services browsers actually use are accepted."""
    endpoint = (endpoint or "").strip()
    if not endpoint:
        raise ServiceError("invalid_endpoint", "缺少推送地址", field="endpoint")
    if len(endpoint) > 1000:
        raise ServiceError("invalid_endpoint", "推送地址太长", field="endpoint")
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ServiceError("invalid_endpoint", "推送地址格式不正确", field="endpoint") from None
    if parts.scheme != "https" or not host or parts.username or parts.password:
        raise ServiceError("invalid_endpoint", "推送地址必须是 https 地址", field="endpoint")
    if not _endpoint_host_allowed(host):
        raise ServiceError("unsupported_push_service", "不支持该浏览器的推送服务",
                           field="endpoint")
    return endpoint


def clean_keys(p256dh: str, auth: str) -> tuple[str, str]:
    """The browser's P-256 public key (65-byte uncompressed point on the curve) and its
    16-byte auth secret, both base64url; returned without padding."""
    try:
        raw_key = b64url_decode(p256dh or "")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_key)
        if len(raw_key) != 65:
            raise ValueError("not an uncompressed point")
    except ValueError:
        raise ServiceError("invalid_key", "浏览器公钥（p256dh）无效", field="p256dh") from None
    try:
        raw_auth = b64url_decode(auth or "")
    except ValueError:
        raw_auth = b""
    if len(raw_auth) != 16:
        raise ServiceError("invalid_key", "认证密钥（auth）无效，应为16字节", field="auth")
    return p256dh.strip().rstrip("="), auth.strip().rstrip("=")


def clean_topics(topics) -> list[str]:
    topics = list(topics or [DEFAULT_TOPIC])
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise ServiceError("invalid_topic", "不支持的订阅主题", field="topics")
    return topics


def subscription_save(*, endpoint: str, p256dh: str, auth: str, user=None,
                      user_agent: str = "", topics=None, client: str | None = None
                      ) -> PushSubscription:
    """Create or update (by endpoint) a browser's subscription. ``client`` (the address)
    is rate-limited; anonymous browsers may subscribe, a signed-in user is remembered."""
    if client:
        ratelimit.hit("push-subscribe", client, limit=conf.subscribe_per_minute(), window=60,
                      message="操作过于频繁，请稍后再试")
    endpoint = clean_endpoint(endpoint)
    p256dh, auth = clean_keys(p256dh, auth)
    topic_field = topics_to_field(clean_topics(topics))
    user = user if user is not None and user.is_authenticated else None
    now = timezone.now()
    values = {"p256dh": p256dh, "auth": auth, "topics": topic_field,
              "user_agent": (user_agent or "")[:300], "updated_at": now, "failure_count": 0}
    with transaction.atomic():
        subscription, created = PushSubscription.objects.select_for_update().get_or_create(
            endpoint=endpoint, defaults={**values, "user": user, "created_at": now})
        if not created:
            for name, value in values.items():
                setattr(subscription, name, value)
            if user is not None:  # an anonymous re-subscribe keeps the known owner
                subscription.user = user
            subscription.save()
    return subscription


def subscription_delete(*, endpoint: str, client: str | None = None) -> bool:
    """Forget a browser's subscription. The endpoint is an unguessable capability URL the
    browser alone knows, so holding it is the permission. Returns whether one existed."""
    if client:
        ratelimit.hit("push-subscribe", client, limit=conf.subscribe_per_minute(), window=60,
                      message="操作过于频繁，请稍后再试")
    endpoint = (endpoint or "").strip()
    if not endpoint:
        raise ServiceError("invalid_endpoint", "缺少推送地址", field="endpoint")
    deleted, _ = PushSubscription.objects.filter(endpoint=endpoint).delete()
    return bool(deleted)


# --- Broadcasting -----------------------------------------------------------------------------

def _site_hosts() -> set[str]:
    from wagtail.models import Site

    hosts = {h.lower() for h in Site.objects.values_list("hostname", flat=True)}
    base = urlsplit(getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "").hostname
    if base:
        hosts.add(base.lower())
    hosts.update(h.lower() for h in settings.ALLOWED_HOSTS if h and "*" not in h
                 and not h.startswith("."))
    return hosts


def clean_site_url(url: str) -> str:
    """A link on our own site, returned as a path ("/news/123/?from=push"): the service
    worker opens it on the site's own origin, so a push can never lead elsewhere."""
    url = (url or "").strip()
    if not url:
        raise ServiceError("invalid_url", "请填写链接", field="url")
    if len(url) > 500 or "\\" in url or any(ord(c) < 32 for c in url):
        raise ServiceError("invalid_url", "链接格式不正确", field="url")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ServiceError("invalid_url", "链接格式不正确", field="url") from None
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or (parts.hostname or "") not in _site_hosts():
            raise ServiceError("url_not_on_site", "链接必须是本站地址", field="url")
    elif not url.startswith("/") or url.startswith("//"):
        raise ServiceError("invalid_url", "链接应以 / 开头（本站路径）或为本站完整地址",
                           field="url")
    return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))


def _clean_text(value: str, *, field: str, label: str, max_length: int) -> str:
    text = html.unescape(plain_text(value or "")).replace("\n", " ").strip()
    if not text:
        raise ServiceError("required", f"请填写{label}", field=field)
    if len(text) > max_length:
        raise ServiceError("too_long", f"{label}最多{max_length}个字", field=field)
    return text


def broadcast(*, title: str, body: str, url: str, topic: str = DEFAULT_TOPIC,
              actor=None) -> PushMessage:
    """Store a push message and send it to every subscriber of ``topic`` in the background.

    ``actor`` is the staff member sending by hand (an operator, director or administrator);
    ``None`` means the system itself (the newsroom publishing a story marked 突发), which
    has already checked its own permissions. Sending starts when the caller's transaction
    commits. The same title and link on the same topic within ten minutes is refused
    (``duplicate_push``, 409): a double submit or a re-published story must not wake the
    whole county twice."""
    if actor is not None:
        check_role(actor, *SENDER_ROLES, message="只有运营、总编辑或管理员可以发送推送")
    if topic not in TOPICS:
        raise ServiceError("invalid_topic", "不支持的推送主题", field="topic")
    require_server_key()  # refuse now rather than leave a message stuck in "sending"
    message = PushMessage(
        topic=topic, actor=actor,
        title=_clean_text(title, field="title", label="标题", max_length=TITLE_MAX),
        body=_clean_text(body, field="body", label="内容", max_length=BODY_MAX),
        url=clean_site_url(url))
    message.full_clean()
    gate_texts(title=message.title, body=message.body)
    duplicate = PushMessage.objects.filter(
        topic=topic, title=message.title, url=message.url,
        created_at__gte=timezone.now() - DUPLICATE_WINDOW).exists()
    if duplicate:
        raise ServiceError("duplicate_push", "10分钟内已发送过相同的推送，请勿重复发送",
                           status=409)
    with transaction.atomic():
        message.save()
        transaction.on_commit(lambda: _enqueue_fanout(message.pk))
    return message


def _enqueue_fanout(message_id: int) -> None:
    from .tasks import push_fanout

    push_fanout.enqueue(message_id)
