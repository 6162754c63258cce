"""微信登录: 网页授权 (OAuth 2.0, scope ``snsapi_userinfo``) bound to the phone account.

1. ``oauth_start`` puts a random single-use ``state`` in the session and gives the
   ``{WECHAT_OPEN_BASE}/connect/oauth2/authorize`` URL; WeChat sends the resident back to
   ``/login/wechat/callback/`` with ``code`` and ``state`` (no ``code``: they refused).
2. ``oauth_state_take`` pops the state (a replayed or forged one is refused);
   ``oauth_identity`` exchanges the code at ``/sns/oauth2/access_token`` (openid, unionid)
   and reads ``/sns/userinfo`` (nickname, avatar).
3. A bound openid signs its account in (``account_for_wechat``: never a disabled or erased
   one). An unbound one waits in the session (``pending_keep``) while the resident proves
   their phone with the SMS code; the login then binds it (``wechat_bind``).

Accounts are phone accounts: WeChat never creates one, it only lets a resident who proved
their number once come back without a code.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
import unicodedata
from dataclasses import asdict, dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import IntegrityError, transaction

from rongmei.core import wechat
from rongmei.core.access import holds_console_role
from rongmei.core.errors import ServiceError

from .models import User, WechatBinding
from .services import sms_send
from .sms import SmsSendError

logger = logging.getLogger("rongmei.accounts")

SESSION_STATE = "wechat_oauth"
SESSION_PENDING = "wechat_pending"
SESSION_VIA = "wechat_openid"  # set on a session signed in through WeChat (which openid)
STATE_SECONDS = 600  # from the authorize redirect to the callback
STATES_KEPT = 5  # recent states per session: each tab that started a WeChat login can finish
PENDING_SECONDS = 900  # from WeChat's answer to the SMS code that binds it
STAFF_REFUSED = "工作人员账号不能使用微信登录，请使用手机号验证码登录"

OAUTH_ERRORS = {
    40029: "微信授权码无效或已过期，请重新发起微信登录",
    40163: "这次微信授权已经用过了，请重新发起微信登录",
    41008: "微信没有返回授权码，请重新发起微信登录",
    40013: "本站的公众号设置有误（AppID 无效），请联系客服",
    40125: "本站的公众号设置有误（AppSecret 无效），请联系客服",
    40164: "本站服务器不在公众号的 IP 白名单中，请联系客服",
    10003: "授权回调域名与公众号设置不符，请联系客服",
}

# What WeChat says about a person is shown on our pages and stored: no control characters
# (NUL breaks PostgreSQL), no lone surrogates (unencodable), no format characters (bidi
# overrides, zero-width characters that disguise a name).
_UNSAFE_CATEGORIES = {"Cc", "Cs", "Cf", "Co", "Cn"}
_OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_AVATAR = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+")


class WechatLoginError(ServiceError):
    """Why a WeChat sign-in stopped, for the resident (a Chinese page, never a 500)."""


@dataclass(frozen=True)
class WechatIdentity:
    openid: str
    unionid: str = ""
    nickname: str = ""
    avatar_url: str = ""


def clean_text(value, limit: int) -> str:
    """A string from WeChat made safe to show and store; anything not a string is ""."""
    if not isinstance(value, str):
        return ""
    kept = "".join(ch for ch in value if unicodedata.category(ch) not in _UNSAFE_CATEGORIES)
    return " ".join(kept.split())[:limit]


def clean_id(value) -> str:
    """An openid or unionid as WeChat issues them (letters, digits, ``-``, ``_``), else ""."""
    value = value if isinstance(value, str) else ""
    return value if _OPENID.fullmatch(value) else ""


def clean_avatar(value) -> str:
    value = value if isinstance(value, str) else ""
    return value if len(value) <= 500 and _AVATAR.fullmatch(value) else ""


def redirect_uri() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/login/wechat/callback/"


def _live_states(session) -> list[dict]:
    issued = session.get(SESSION_STATE)
    if not isinstance(issued, list):
        return []
    now = time.time()
    return [item for item in issued if isinstance(item, dict)
            and now - float(item.get("at", 0)) <= STATE_SECONDS][-STATES_KEPT:]


def oauth_start(*, session, next_url: str) -> str:
    """Remember a fresh state (and where to go afterwards) beside the few most recent
    ones; the authorize URL to send the resident to."""
    state = secrets.token_urlsafe(24)
    states = _live_states(session)
    states.append({"state": state, "next": next_url, "at": time.time()})
    session[SESSION_STATE] = states[-STATES_KEPT:]
    query = urlencode({"appid": settings.WECHAT_APP_ID, "redirect_uri": redirect_uri(),
                       "response_type": "code", "scope": "snsapi_userinfo", "state": state},
                      quote_via=quote)
    return (settings.WECHAT_OPEN_BASE.rstrip("/") + "/connect/oauth2/authorize?" + query
            + "#wechat_redirect")


def oauth_state_take(*, session, state: str) -> str:
    """Use up one of the session's states: the ``next`` it was started with, if ``state``
    is one issued here and unexpired. A used state is gone (single use); an unknown one
    leaves the others alone (another tab may still finish)."""
    states = _live_states(session)
    given = state.encode("ascii") if state and state.isascii() else b""
    found = None
    if given:
        for item in states:
            if secrets.compare_digest(str(item.get("state", "")).encode("ascii", "replace"),
                                      given):
                found = item
    if found is None:
        if SESSION_STATE in session:  # expired ones go; a bogus callback starts no session
            session[SESSION_STATE] = states
        raise WechatLoginError("wechat_bad_state",
                               "登录链接已失效或已使用过，请重新发起微信登录", field="state")
    session[SESSION_STATE] = [item for item in states if item is not found]
    return found.get("next") or ""


def _object(answer) -> dict:
    """WeChat's answer as a JSON object; anything else (null, a list) is no answer."""
    if isinstance(answer, dict):
        return answer
    raise wechat.WechatError(-1, "微信返回了无法识别的内容", f"not an object: {type(answer)}")


def _errcode(answer: dict) -> int:
    return wechat.errcode_of(answer)


def oauth_identity(*, code: str) -> WechatIdentity:
    """Exchange the code for the resident's openid, then read their nickname and avatar
    (a nicety: when WeChat does not give them, the resident signs in without them)."""
    try:
        answer = _object(wechat.get_json("/sns/oauth2/access_token", {
            "appid": settings.WECHAT_APP_ID, "secret": settings.WECHAT_APP_SECRET,
            "code": code, "grant_type": "authorization_code"}))
    except wechat.WechatError as exc:
        logger.warning("wechat oauth unreachable: %s", exc.detail)
        raise WechatLoginError("wechat_unavailable", "暂时连不上微信，请稍后再试或使用手机号登录",
                               status=502) from exc
    errcode = _errcode(answer)
    openid = clean_id(answer.get("openid"))
    if errcode:
        logger.warning("wechat oauth code exchange refused: %s %s", errcode,
                       str(answer.get("errmsg", ""))[:200])
        raise WechatLoginError(
            "wechat_refused", OAUTH_ERRORS.get(
                errcode, f"微信登录失败（微信错误码 {errcode}），请稍后再试或使用手机号登录"),
            status=400 if errcode in (40029, 40163, 41008) else 502)
    if not openid:
        logger.warning("wechat oauth answer without a usable openid")
        raise WechatLoginError("wechat_no_openid",
                               "微信没有返回您的身份信息，请重新发起微信登录或使用手机号登录",
                               status=502)
    identity = WechatIdentity(openid=openid, unionid=clean_id(answer.get("unionid")))
    try:
        info = _object(wechat.get_json("/sns/userinfo", {
            "access_token": str(answer.get("access_token") or ""), "openid": openid,
            "lang": "zh_CN"}))
    except wechat.WechatError as exc:
        logger.warning("wechat userinfo unreachable: %s", exc.detail)
        return identity
    if _errcode(info):
        logger.warning("wechat userinfo refused: %s", _errcode(info))
        return identity
    return WechatIdentity(openid=openid,
                          unionid=clean_id(info.get("unionid")) or identity.unionid,
                          nickname=clean_text(info.get("nickname"), 64),
                          avatar_url=clean_avatar(info.get("headimgurl")))


def account_for_wechat(*, openid: str) -> User | None:
    """The account this openid is bound to, or None. A disabled account is refused, as in
    the SMS login; an erased one has no binding left (``account_delete``)."""
    binding = WechatBinding.objects.select_related("user").filter(openid=openid).first()
    if binding is None:
        return None
    if not binding.user.is_active or binding.user.deleted_at:
        raise WechatLoginError("account_disabled", "该账号已被停用，如有疑问请联系客服",
                               status=403)
    if holds_console_role(binding.user):  # staff sign in with a proof of the phone
        raise WechatLoginError("wechat_staff_refused", STAFF_REFUSED, status=403)
    return binding.user


def session_still_good(*, user, openid: str) -> bool:
    """Whether a session signed in through ``openid`` may go on: the WeChat is still bound
    to this account (解除微信绑定 ends it) and the account is no staff account."""
    return (WechatBinding.objects.filter(openid=openid, user_id=user.pk).exists()
            and not holds_console_role(user))


def pending_keep(*, session, identity: WechatIdentity) -> None:
    session[SESSION_PENDING] = dict(asdict(identity), at=time.time())


def pending_peek(*, session) -> WechatIdentity | None:
    pending = session.get(SESSION_PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    openid = clean_id(pending.get("openid"))
    if not openid:
        return None
    return WechatIdentity(openid=openid, unionid=clean_id(pending.get("unionid")),
                          nickname=clean_text(pending.get("nickname"), 64),
                          avatar_url=clean_avatar(pending.get("avatar_url")))


def pending_take(*, session) -> WechatIdentity | None:
    identity = pending_peek(session=session)
    session.pop(SESSION_PENDING, None)
    return identity


def wechat_bind(*, user: User, identity: WechatIdentity) -> WechatBinding:
    """Bind the openid to ``user``, who has just proved their phone with an SMS code. An
    openid already bound (to another account) is refused: unbinding comes first. Staff
    accounts bind no WeChat. A new binding is told to the phone by SMS (``wechat_bound``),
    so a binding made on a borrowed phone does not go unnoticed."""
    if holds_console_role(user):
        raise ServiceError("wechat_staff_refused", STAFF_REFUSED, status=403)
    try:
        with transaction.atomic():
            binding, created = WechatBinding.objects.get_or_create(
                openid=identity.openid,
                defaults={"user": user, "unionid": identity.unionid,
                          "nickname": identity.nickname, "avatar_url": identity.avatar_url})
    except IntegrityError:  # two binds of one openid racing
        binding, created = WechatBinding.objects.get(openid=identity.openid), False
    if not created and binding.user_id != user.pk:
        raise bound_elsewhere()
    if created and user.phone:
        _tell_bound(user=user, binding=binding)
    return binding


def bound_elsewhere() -> ServiceError:
    return ServiceError("wechat_bound_elsewhere",
                        "这个微信已绑定其他手机号账号，请先在那个账号中解除微信绑定")


def bound_to(*, openid: str) -> int | None:
    """The id of the account ``openid`` is bound to, if any."""
    return WechatBinding.objects.filter(openid=openid).values_list("user_id", flat=True).first()


def _tell_bound(*, user: User, binding: WechatBinding) -> None:
    try:
        sms_send(phone=user.phone, template="wechat_bound",
                 params={"nickname": binding.nickname or "微信用户"})
    except SmsSendError as exc:  # the binding stands; the log says why
        logger.warning("%s: " + str(exc), "wechat_bound SMS not sent", user.pk)


def wechat_unbind(*, user: User) -> int:
    """解除微信绑定: the account's WeChat identities are forgotten; the phone login stays."""
    deleted, _ = WechatBinding.objects.filter(user=user).delete()
    return deleted
