"""微信登录 pages: start 网页授权, WeChat's callback, 解除微信绑定 (accounts.wechat)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from rongmei.core.errors import ServiceError
from rongmei.core.wechat import is_enabled as wechat_on

from . import wechat
from .views import _safe_next, resident_sign_in, safe_local_url


def _failed(request, exc: ServiceError):
    return render(request, "accounts/wechat_error.html", {
        "message": exc.message, "code": exc.code,
        "phone_login": reverse("accounts:login") + "?" + urlencode({"phone": "1"}),
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
    try:
        next_url = safe_local_url(request, wechat.oauth_state_take(
            session=request.session, state=request.GET.get("state", "")))
        code = request.GET.get("code", "")
        if not code:
            raise wechat.WechatLoginError("wechat_denied",
                                          "您没有同意微信授权，可以改用手机号验证码登录")
        identity = wechat.oauth_identity(code=code)
        if request.user.is_authenticated:  # 绑定微信 from the settings: never a switch of
            wechat.wechat_bind(user=request.user, identity=identity)  # account
            messages.success(request, "已绑定微信，下次在微信中打开可直接登录")
            return redirect(next_url)
        user = wechat.account_for_wechat(openid=identity.openid)
    except ServiceError as exc:
        return _failed(request, exc)
    if user is None:
        wechat.pending_keep(session=request.session, identity=identity)
        login_url = reverse("accounts:login")
        return redirect(login_url + "?" + urlencode({"next": next_url}) if next_url
                        else login_url)
    resident_sign_in(request, user)
    return redirect(next_url)


@login_required
@require_POST
def wechat_unbind_view(request):
    if wechat.wechat_unbind(user=request.user):
        messages.success(request, "已解除微信绑定，以后请用手机号验证码登录")
    return redirect("accounts:settings")
