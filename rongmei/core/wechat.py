"""微信公众平台: the one access_token cache, the JS-SDK jsapi_ticket and its signature.

One 公众号 has one live access_token: fetching a new one through ``/cgi-bin/token`` ends
the previous one a few minutes later. Everything in Rongmei that calls WeChat as the same
AppID (the 公众号 outlet that publishes stories, the resident app's share cards) therefore
shares the token through :func:`access_token`: one cache entry per AppID, filled by one
process at a time under a cache lock, so two callers never fetch tokens that log each other
out.

How a token or ticket is fetched is the caller's (the outlet has its own HTTP client and
error mapping); what this module keeps is the caching, the lock and the JS-SDK protocol:

* ``GET {WECHAT_API_BASE}/cgi-bin/token?grant_type=client_credential&appid=…&secret=…``
* ``GET {WECHAT_API_BASE}/cgi-bin/ticket/getticket?access_token=…&type=jsapi``
* signature = sha1(``jsapi_ticket=…&noncestr=…&timestamp=…&url=…``), the url without
  its ``#fragment``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache

# errcodes meaning "this access_token is no longer valid": fetch a new one, once.
TOKEN_ERRORS = {40001, 40014, 42001}
# Seconds before WeChat's expires_in that a token or ticket is dropped from the cache.
EXPIRY_MARGIN = 300
LOCK_SECONDS = 15
JSSDK_BACKOFF_SECONDS = 45  # after a failed ticket fetch, answer 503 without asking WeChat
JSSDK_SCRIPT = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
JSSDK_ORIGIN = "https://res.wx.qq.com"
SHARE_APIS = ["updateAppMessageShareData", "updateTimelineShareData"]


class WechatError(Exception):
    """WeChat answered with an errcode, or could not be reached (``errcode`` -1).

    ``message`` is Chinese, for people; ``detail`` the raw answer with secrets left out."""

    def __init__(self, errcode: int, message: str, detail: str = ""):
        super().__init__(message)
        self.errcode = errcode
        self.message = message
        self.detail = detail


def is_enabled() -> bool:
    """The resident app's WeChat features (share cards, 网页授权) are on when an AppID is set."""
    return bool(getattr(settings, "WECHAT_APP_ID", ""))


# --- the shared cache --------------------------------------------------------------------

def cached_under_lock(key: str, fetch: Callable[[], tuple[str, int]], *,
                      force: bool = False, wait: float = 10.0) -> str:
    """The value cached under ``key``, else ``fetch() -> (value, expires_in)`` run by one
    caller at a time (a cache lock; the others wait for its value instead of fetching their
    own). Kept ``EXPIRY_MARGIN`` seconds less than WeChat said. ``force`` fetches anew
    unless another caller has just done so while this one waited for the lock."""
    stale = None if not force else cache.get(key)
    deadline = time.monotonic() + wait
    while True:
        value = cache.get(key)
        if value and value != stale:
            return value
        if cache.add(key + ":lock", 1, timeout=LOCK_SECONDS):
            try:
                value = cache.get(key)
                if value and value != stale:
                    return value
                value, expires_in = fetch()
                cache.set(key, value, max(int(expires_in or 7200) - EXPIRY_MARGIN, 60))
                return value
            finally:
                cache.delete(key + ":lock")
        if time.monotonic() > deadline:
            raise WechatError(-1, "微信接口繁忙，请稍后再试", f"waited for {key}")
        time.sleep(0.05)


def token_cache_key(app_id: str) -> str:
    return f"wechat:access-token:{app_id}"


def access_token(*, app_id: str, fetch: Callable[[], tuple[str, int]],
                 force: bool = False) -> str:
    """The AppID's access_token, shared by every caller (see the module's docstring)."""
    return cached_under_lock(token_cache_key(app_id), fetch, force=force)


# --- HTTP --------------------------------------------------------------------------------

def _api_base() -> str:
    return (settings.WECHAT_API_BASE or "https://api.weixin.qq.com").rstrip("/")


def get_json(path: str, params: dict, *, base: str | None = None) -> dict:
    """``GET`` one documented endpoint; a network failure or a non-JSON answer is
    errcode -1. The errcode of the answer is left to the caller."""
    url = (base or _api_base()) + path + "?" + urlencode(params)
    shown = path  # never the query: it carries the secret or a token
    try:
        with urllib.request.urlopen(url, timeout=settings.WECHAT_HTTP_TIMEOUT) as resp:
            return json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise WechatError(-1, "微信接口暂时不可用，请稍后再试", f"{shown}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise WechatError(-1, "连接微信接口失败，请稍后再试", f"{shown}: {exc}") from exc


def errcode_of(answer) -> int:
    """The errcode of an answer (WeChat sometimes sends it as a string); -1 for an answer
    that is not a JSON object or whose errcode is not a number."""
    if not isinstance(answer, dict):
        return -1
    try:
        return int(answer.get("errcode") or 0)
    except (TypeError, ValueError):
        return -1


def checked(answer: dict, *, what: str, needs: str = "") -> dict:
    """``answer`` if WeChat said yes (and gave ``needs``), else a WechatError."""
    code = errcode_of(answer)
    if not code and needs and not (isinstance(answer.get(needs), str) and answer[needs]):
        code = -1
    if code:
        errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else "not a JSON object"
        raise WechatError(code, f"{what}失败（微信错误码 {code}）", f"{what}: {str(errmsg)[:200]}")
    return answer


def _expires_in(answer: dict) -> int:
    try:
        return int(answer.get("expires_in") or 7200)
    except (TypeError, ValueError):
        return 7200


def _fetch_app_token() -> tuple[str, int]:
    answer = checked(get_json("/cgi-bin/token", {
        "grant_type": "client_credential", "appid": settings.WECHAT_APP_ID,
        "secret": settings.WECHAT_APP_SECRET}), what="获取 access_token", needs="access_token")
    return answer["access_token"], _expires_in(answer)


def app_access_token(*, force: bool = False) -> str:
    """The access_token of the resident app's 公众号 (``WECHAT_APP_ID``)."""
    return access_token(app_id=settings.WECHAT_APP_ID, fetch=_fetch_app_token, force=force)


# --- JS-SDK ------------------------------------------------------------------------------

def _fetch_ticket() -> tuple[str, int]:
    for refreshed in (False, True):
        answer = get_json("/cgi-bin/ticket/getticket", {
            "access_token": app_access_token(force=refreshed), "type": "jsapi"})
        if errcode_of(answer) in TOKEN_ERRORS and not refreshed:
            continue  # the token was ended (another fetch, a secret reset): once more
        answer = checked(answer, what="获取 jsapi_ticket", needs="ticket")
        return answer["ticket"], _expires_in(answer)
    raise AssertionError("unreachable")


def jsapi_ticket() -> str:
    return cached_under_lock(f"wechat:jsapi-ticket:{settings.WECHAT_APP_ID}", _fetch_ticket)


def jssdk_signature(*, ticket: str, noncestr: str, timestamp: int | str, url: str) -> str:
    """The documented JS-SDK signature (附录1): sha1 over the four fields in this order."""
    url = url.split("#", 1)[0]
    text = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def is_own_page(url: str) -> bool:
    """Whether ``url`` is a page of this site (``BASE_URL``'s scheme and host): the only
    pages the 公众号's JS接口安全域名 covers, and the only ones we sign for."""
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and parts.scheme == base.scheme
            and parts.netloc.lower() == base.netloc.lower() and "\\" not in url)


@dataclass(frozen=True)
class JssdkConfig:
    appId: str  # the names wx.config takes
    timestamp: int
    nonceStr: str
    signature: str
    jsApiList: list[str]


def _backoff_key() -> str:
    return f"wechat:jssdk-backoff:{settings.WECHAT_APP_ID}"


def jssdk_config(*, url: str) -> JssdkConfig:
    """What ``wx.config`` needs for the page at ``url`` (already checked to be ours).

    When fetching the ticket fails (WeChat refused the token or the ticket, or was out of
    reach) the failure is remembered for ``JSSDK_BACKOFF_SECONDS``: until then every call
    raises at once instead of fetching yet another access_token."""
    failed = cache.get(_backoff_key())
    if failed:
        raise WechatError(-1, "微信分享暂时不可用，请稍后再试", f"backing off after: {failed}")
    try:
        ticket = jsapi_ticket()
    except WechatError as exc:
        cache.set(_backoff_key(), exc.detail or str(exc.errcode) or "failed",
                  JSSDK_BACKOFF_SECONDS)
        raise
    nonce = secrets.token_urlsafe(12)
    timestamp = int(time.time())
    return JssdkConfig(appId=settings.WECHAT_APP_ID, timestamp=timestamp, nonceStr=nonce,
                       signature=jssdk_signature(ticket=ticket, noncestr=nonce,
                                                 timestamp=timestamp, url=url),
                       jsApiList=list(SHARE_APIS))
