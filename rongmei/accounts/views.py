"""The resident app's account pages: SMS login, 我的, settings, real name, deletion."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from rongmei.core.context_processors import ELDER_COOKIE
from rongmei.core.errors import ServiceError
from rongmei.core.http import client_ip
from rongmei.core.wechat import is_enabled as wechat_on

from . import selectors, services, wechat
from .backends import SMS_CODE_BACKEND

logger = logging.getLogger("rongmei.accounts")


def _safe_next(request, fallback="/me/") -> str:
    return safe_local_url(request, request.POST.get("next") or request.GET.get("next") or "",
                          fallback)


def safe_local_url(request, target: str, fallback: str = "/me/") -> str:
    """``target`` if it is a page of this site, else ``fallback`` (no open redirect)."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def resident_sign_in(request, user) -> None:
    """The one way a resident's session starts, whether they proved their phone by SMS code
    or came back through a bound WeChat: a session that never opens the staff console, and
    长辈模式 chosen on this device carried onto the account."""
    login(request, user, backend=SMS_CODE_BACKEND)
    if request.COOKIES.get(ELDER_COOKIE) == "1" and not user.elder_mode:
        services.profile_update(user=user, elder_mode=True)


def login_view(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    pending = wechat.pending_peek(session=request.session) if wechat_on() else None
    # Inside WeChat the login page offers 微信登录 beside the phone form but never starts it
    # by itself: after 退出登录 the resident stays signed out until they choose.
    context = {"phone": "", "step": "phone", "next": _safe_next(request, ""),
               "wechat_pending": pending,
               "wechat_button": wechat_on() and in_wechat(request) and pending is None,
               "wechat_start": _wechat_start_url(_safe_next(request, ""))}
    if request.method == "POST":
        phone = request.POST.get("phone", "").strip()
        context["phone"] = phone
        action = request.POST.get("action", "send")
        try:
            if action == "send":
                services.otp_request(phone=phone, ip=client_ip(request))
                context["step"] = "code"
                context["notice"] = "验证码已发送，5分钟内有效"
            else:
                context["step"] = "code"
                user = services.login_with_otp(phone=phone, code=request.POST.get("code", ""),
                                               ip=client_ip(request))
                resident_sign_in(request, user)
                _bind_pending_wechat(request, user)
                return redirect(_safe_next(request))
        except ServiceError as exc:
            context["error"] = exc.message
            context["error_field"] = exc.field
            status = exc.status
            if exc.code in {"invalid_phone", "otp_daily_limit"}:
                context["step"] = "phone"
            return render(request, "accounts/login.html", _with_demo_code(context), status=status)
    return render(request, "accounts/login.html", _with_demo_code(context))


def in_wechat(request) -> bool:
    return "micromessenger" in request.headers.get("User-Agent", "").lower()


def _wechat_start_url(next_url: str) -> str:
    from django.urls import reverse
    from django.utils.http import urlencode

    url = reverse("accounts:wechat-login")
    return url + ("?" + urlencode({"next": next_url}) if next_url else "")


def _bind_pending_wechat(request, user) -> None:
    """After the SMS login: the WeChat identity that was waiting for a phone gets bound.
    The login has succeeded whatever happens here: a failed binding is a notice on the next
    page, never an error page over a signed-in resident."""
    identity = wechat.pending_take(session=request.session) if wechat_on() else None
    if identity is None:
        return
    try:
        wechat.wechat_bind(user=user, identity=identity)
    except ServiceError as exc:
        messages.warning(request, f"已登录，但微信未绑定：{exc.message}")
    except Exception:
        logger.exception("binding a WeChat after the SMS login failed")
        messages.warning(request, "已登录，但微信未绑定：微信返回的资料无法保存，"
                                  "请稍后在“设置”中重新绑定微信")
    else:
        messages.success(request, "已绑定微信，下次在微信中打开可直接登录")


def _with_demo_code(context: dict) -> dict:
    """In the development demo the SMS 'outbox' provider sends nothing; show the code."""
    if settings.DEBUG and settings.SMS_PROVIDER == "outbox" and context["step"] == "code":
        from .validators import normalize_phone

        try:
            context["demo_code"] = selectors.outbox_latest_code(
                phone=normalize_phone(context["phone"]))
        except Exception:  # noqa: BLE001 - an invalid phone simply shows no code
            context["demo_code"] = None
    return context


@require_POST
def logout_view(request):
    logout(request)
    return redirect("/")


@login_required
def me_view(request):
    from .me import me_sections

    return render(request, "accounts/me.html", {
        "me": selectors.me(user=request.user),
        "sections": me_sections(request),  # what the modules that are on offer this person
    })


@login_required
def settings_view(request):
    if request.method == "POST":
        try:
            services.profile_update(user=request.user,
                                    nickname=request.POST.get("nickname", ""),
                                    elder_mode=request.POST.get("elder_mode") == "on")
        except ServiceError as exc:
            return render(request, "accounts/settings.html",
                          {"error": exc.message, **_wechat_settings(request)}, status=400)
        messages.success(request, "设置已保存")
        response = redirect("accounts:me")
        _remember_elder(response, request.user.elder_mode)
        return response
    return render(request, "accounts/settings.html", _wechat_settings(request))


def _wechat_settings(request) -> dict:
    if not wechat_on():
        return {}
    return {"wechat_on": True, "in_wechat": in_wechat(request),
            "wechat_bindings": selectors.wechat_bindings_of(user=request.user),
            "wechat_start": _wechat_start_url("/me/settings/")}


@login_required
def realname_view(request):
    record = selectors.realname_of(user=request.user)
    context = {"record": record}
    if request.method == "POST" and record is None:
        try:
            services.realname_register(user=request.user, name=request.POST.get("name", ""),
                                       id_number=request.POST.get("id_number", ""))
        except ServiceError as exc:
            context.update(error=exc.message, error_field=exc.field,
                           name=request.POST.get("name", ""))
            return render(request, "accounts/realname.html", context, status=400)
        messages.success(request, "实名登记成功")
        return redirect("accounts:me")
    return render(request, "accounts/realname.html", context)


@login_required
def delete_view(request):
    if request.method == "POST":
        if request.POST.get("confirm") != "确认注销":
            return render(request, "accounts/delete.html",
                          {"error": "请输入“确认注销”四个字以确认"}, status=400)
        try:
            services.account_delete(user=request.user)
        except ServiceError as exc:
            return render(request, "accounts/delete.html", {"error": exc.message}, status=400)
        logout(request)
        return render(request, "accounts/deleted.html")
    return render(request, "accounts/delete.html")


@csrf_exempt
@require_POST
def elder_mode_view(request):
    """Turn 长辈模式 on or off: remembered on the account, and on this device by cookie.

    Visitors switch it from the header of any page, before signing in. Those pages are
    shared by every visitor (the page cache) and so carry no CSRF token; for a visitor the
    switch only sets a display cookie. A signed-in person's account setting is changed only
    through a CSRF-checked request.
    """
    if request.user.is_authenticated:
        return csrf_protect(_elder_mode_switch)(request)
    return _elder_mode_switch(request)


def _elder_mode_switch(request):
    enabled = request.POST.get("enabled") == "1"
    if request.user.is_authenticated:
        services.profile_update(user=request.user, elder_mode=enabled)
    response = redirect(_safe_next(request, "/"))
    _remember_elder(response, enabled)
    return response


def _remember_elder(response, enabled: bool) -> None:
    response.set_cookie(ELDER_COOKIE, "1" if enabled else "0", max_age=365 * 86400,
                        samesite="Lax", secure=not settings.DEBUG and settings.PRODUCTION,
                        httponly=True)
