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
import secrets
import time
from dataclasses import asdict, dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import IntegrityError, transaction

from rongmei.core import wechat
from rongmei.core.errors import ServiceError

from .models import User, WechatBinding

logger = logging.getLogger("rongmei.accounts")

SESSION_STATE = "wechat_oauth"
SESSION_PENDING = "wechat_pending"
STATE_SECONDS = 600  # from the authorize redirect to the callback
PENDING_SECONDS = 900  # from WeChat's answer to the SMS login that binds it

OAUTH_ERRORS = {
    40029: "微信授权码无效或已过期，请重新发起微信登录",
    40163: "这次微信授权已经用过了，请重新发起微信登录",
    41008: "微信没有返回授权码，请重新发起微信登录",
    40013: "本站的公众号设置有误（AppID 无效），请联系客服",
    40125: "本站的公众号设置有误（AppSecret 无效），请联系客服",
    40164: "本站服务器不在公众号的 IP 白名单中，请联系客服",
    10003: "授权回调域名与公众号设置不符，请联系客服",
}


class WechatLoginError(ServiceError):
    """Why a WeChat sign-in stopped, for the resident (a Chinese page, never a 500)."""


@dataclass(frozen=True)
class WechatIdentity:
    openid: str
    unionid: str = ""
    nickname: str = ""
    avatar_url: str = ""


def redirect_uri() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/login/wechat/callback/"


def oauth_start(*, session, next_url: str) -> str:
    """Remember a fresh state (and where to go afterwards); the authorize URL to send the
    resident to. A new start replaces any state not yet used."""
    state = secrets.token_urlsafe(24)
    session[SESSION_STATE] = {"state": state, "next": next_url, "at": time.time()}
    query = urlencode({"appid": settings.WECHAT_APP_ID, "redirect_uri": redirect_uri(),
                       "response_type": "code", "scope": "snsapi_userinfo", "state": state},
                      quote_via=quote)
    return (settings.WECHAT_OPEN_BASE.rstrip("/") + "/connect/oauth2/authorize?" + query
            + "#wechat_redirect")


def oauth_state_take(*, session, state: str) -> str:
    """Use up the session's state: the ``next`` it was started with, if ``state`` is the
    one issued, unexpired. Whatever the answer, the state is gone (single use)."""
    issued = session.pop(SESSION_STATE, None)
    if (not issued or not state or not secrets.compare_digest(str(issued.get("state")), state)
            or time.time() - float(issued.get("at", 0)) > STATE_SECONDS):
        raise WechatLoginError("wechat_bad_state",
                               "登录链接已失效或已使用过，请重新发起微信登录", field="state")
    return issued.get("next") or ""


def oauth_identity(*, code: str) -> WechatIdentity:
    """Exchange the code for the resident's openid, then read their nickname and avatar."""
    try:
        answer = wechat.get_json("/sns/oauth2/access_token", {
            "appid": settings.WECHAT_APP_ID, "secret": settings.WECHAT_APP_SECRET,
            "code": code, "grant_type": "authorization_code"})
        errcode = answer.get("errcode") or 0
        if errcode or not answer.get("openid"):
            logger.warning("wechat oauth code exchange refused: %s %s", errcode,
                           answer.get("errmsg", ""))
            raise WechatLoginError(
                "wechat_refused", OAUTH_ERRORS.get(
                    errcode, f"微信登录失败（微信错误码 {errcode}），请稍后再试或使用手机号登录"),
                status=400 if errcode in (40029, 40163, 41008) else 502)
        identity = WechatIdentity(openid=str(answer["openid"])[:64],
                                  unionid=str(answer.get("unionid") or "")[:64])
        info = wechat.get_json("/sns/userinfo", {"access_token": answer.get("access_token", ""),
                                                 "openid": identity.openid, "lang": "zh_CN"})
    except wechat.WechatError as exc:
        logger.warning("wechat oauth unreachable: %s", exc.detail)
        raise WechatLoginError("wechat_unavailable", "暂时连不上微信，请稍后再试或使用手机号登录",
                               status=502) from exc
    if info.get("errcode"):  # the name and picture are a nicety: sign in without them
        logger.warning("wechat userinfo refused: %s", info.get("errcode"))
        return identity
    avatar = str(info.get("headimgurl") or "")
    return WechatIdentity(
        openid=identity.openid, unionid=str(info.get("unionid") or identity.unionid)[:64],
        nickname=str(info.get("nickname") or "")[:64],
        avatar_url=avatar if avatar.startswith(("https://", "http://")) and len(avatar) <= 500
        else "")


def account_for_wechat(*, openid: str) -> User | None:
    """The account this openid is bound to, or None. A disabled account is refused, as in
    the SMS login; an erased one has no binding left (``account_delete``)."""
    binding = WechatBinding.objects.select_related("user").filter(openid=openid).first()
    if binding is None:
        return None
    if not binding.user.is_active or binding.user.deleted_at:
        raise WechatLoginError("account_disabled", "该账号已被停用，如有疑问请联系客服",
                               status=403)
    return binding.user


def pending_keep(*, session, identity: WechatIdentity) -> None:
    session[SESSION_PENDING] = dict(asdict(identity), at=time.time())


def pending_peek(*, session) -> WechatIdentity | None:
    pending = session.get(SESSION_PENDING)
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    return WechatIdentity(**{key: pending.get(key, "") for key in
                             ("openid", "unionid", "nickname", "avatar_url")})


def pending_take(*, session) -> WechatIdentity | None:
    identity = pending_peek(session=session)
    session.pop(SESSION_PENDING, None)
    return identity


def wechat_bind(*, user: User, identity: WechatIdentity) -> WechatBinding:
    """Bind the openid to ``user``, who has just proved their phone. An openid already bound
    (to another account) is refused: unbinding comes first."""
    try:
        with transaction.atomic():
            binding, created = WechatBinding.objects.get_or_create(
                openid=identity.openid,
                defaults={"user": user, "unionid": identity.unionid,
                          "nickname": identity.nickname, "avatar_url": identity.avatar_url})
    except IntegrityError:  # two binds of one openid racing
        binding, created = WechatBinding.objects.get(openid=identity.openid), False
    if not created and binding.user_id != user.pk:
        raise ServiceError("wechat_bound_elsewhere",
                           "这个微信已绑定其他手机号账号，请先在那个账号中解除微信绑定")
    return binding


def wechat_unbind(*, user: User) -> int:
    """解除微信绑定: the account's WeChat identities are forgotten; the phone login stays."""
    deleted, _ = WechatBinding.objects.filter(user=user).delete()
    return deleted
