"""微信登录 pages: start 网页授权, WeChat's callback, 绑定微信 (with the phone's SMS code),
解除微信绑定 (accounts.wechat)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from rongmei.core import ratelimit
from rongmei.core.errors import ServiceError
from rongmei.core.http import client_ip
from rongmei.core.wechat import is_enabled as wechat_on

from . import services, wechat
from .views import _safe_next, resident_sign_in, safe_local_url

CALLBACKS_PER_MINUTE = 20  # per address: each one costs a code exchange with WeChat
SETTINGS_URL = "/me/settings/"


def _failed(request, exc: ServiceError, *, next_url: str = ""):
    binding = request.user.is_authenticated
    again = reverse("accounts:wechat-login") + (
        "?" + urlencode({"next": next_url}) if next_url else "")
    return render(request, "accounts/wechat_error.html", {
        "message": exc.message, "code": exc.code, "binding": binding, "again": again,
        "phone_login": reverse("accounts:login") + "?" + urlencode(
            {"phone": "1", **({"next": next_url} if next_url else {})}),
        "settings_url": SETTINGS_URL,
    }, status=exc.status)


@require_GET
def wechat_login_view(request):
    """微信登录: to WeChat's authorize page; without a 公众号 AppID, the phone login."""
    if not wechat_on():
        return redirect("accounts:login")
    return redirect(wechat.oauth_start(session=request.session,
                                       next_url=_safe_next(request, "")))


@require_GET
def wechat_callback_view(request):
    """WeChat sends the resident back here with ``code`` and ``state`` (no code: they
    refused). Every failure is a Chinese page with a way on (the phone login)."""
    if not wechat_on():
        return redirect("accounts:login")
    next_url = ""
    try:
        ratelimit.hit("wechat-callback", client_ip(request) or "-",
                      limit=CALLBACKS_PER_MINUTE, window=60,
                      message="微信登录尝试过于频繁，请稍后再试或使用手机号登录")
        next_url = safe_local_url(request, wechat.oauth_state_take(
            session=request.session, state=request.GET.get("state", "")))
        code = request.GET.get("code", "")
        if not code:
            raise wechat.WechatLoginError("wechat_denied",
                                          "您没有同意微信授权，可以改用手机号验证码登录")
        identity = wechat.oauth_identity(code=code)
        if request.user.is_authenticated:
            # 绑定微信 from the settings: never a switch of account, and never without the
            # phone's SMS code (someone holding an unlocked phone is not its owner).
            if wechat.holds_console_role(request.user):
                raise ServiceError("wechat_staff_refused", wechat.STAFF_REFUSED, status=403)
            owner = wechat.bound_to(openid=identity.openid)
            if owner == request.user.pk:
                messages.info(request, "这个微信已绑定您的账号")
                return redirect(next_url or SETTINGS_URL)
            if owner is not None:
                raise wechat.bound_elsewhere()
            wechat.pending_keep(session=request.session, identity=identity)
            return redirect(reverse("accounts:wechat-bind") + "?" + urlencode(
                {"next": next_url or SETTINGS_URL}))
        user = wechat.account_for_wechat(openid=identity.openid)
    except ServiceError as exc:
        return _failed(request, exc, next_url=next_url)
    if user is None:
        wechat.pending_keep(session=request.session, identity=identity)
        login_url = reverse("accounts:login")
        return redirect(login_url + "?" + urlencode({"next": next_url}) if next_url
                        else login_url)
    resident_sign_in(request, user)
    request.session[wechat.SESSION_VIA] = identity.openid  # 解除微信绑定 ends this session
    return redirect(next_url)


@login_required
@require_http_methods(["GET", "POST"])
def wechat_bind_view(request):
    """绑定微信 while signed in: the WeChat WeChat just confirmed waits in the session until
    the account's phone is proved with an SMS code."""
    next_url = _safe_next(request, SETTINGS_URL)
    pending = wechat.pending_peek(session=request.session) if wechat_on() else None
    if pending is None:
        messages.warning(request, "绑定微信的请求已过期，请重新点击“绑定微信”")
        return redirect(SETTINGS_URL)
    phone = request.user.phone or ""
    context = {"pending": pending, "next": next_url, "step": "phone",
               "masked_phone": phone[:3] + "****" + phone[-4:] if phone else ""}
    if request.method == "POST":
        try:
            if not phone:
                raise ServiceError("no_phone", "账号没有手机号，无法验证，请联系客服")
            if request.POST.get("action") == "verify":
                context["step"] = "code"
                services.otp_check(phone=phone, code=request.POST.get("code", ""),
                                   ip=client_ip(request))
                wechat.pending_take(session=request.session)
                wechat.wechat_bind(user=request.user, identity=pending)
                messages.success(request, "已绑定微信，下次在微信中打开可直接登录")
                return redirect(next_url)
            services.otp_request(phone=phone, ip=client_ip(request))
            context["step"] = "code"
            context["notice"] = "验证码已发送，5分钟内有效"
        except ServiceError as exc:
            if exc.code.startswith("wechat_"):  # the code was right; the WeChat cannot be bound
                return _failed(request, exc, next_url=next_url)
            context["error"] = exc.message
            return render(request, "accounts/wechat_bind.html", context, status=exc.status)
    return render(request, "accounts/wechat_bind.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def wechat_unbind_view(request):
    """解除微信绑定 (POST). Sessions signed in through that WeChat end with it
    (``WechatSessionMiddleware``). A GET (a link followed after signing in) goes to the
    settings, where the button is."""
    if request.method == "GET":
        return redirect("accounts:settings")
    if wechat.wechat_unbind(user=request.user):
        messages.success(request, "已解除微信绑定，以后请用手机号验证码登录")
    return redirect("accounts:settings")
