"""The console's sign-in, with an optional second factor (``STAFF_SECOND_FACTOR``).

With ``STAFF_SECOND_FACTOR = "sms"`` the staff password alone does not sign anyone in: it
texts a code to the staff member's own phone (the SMS login's limits apply: one code a
minute, ten a day, five guesses, five minutes) and the session is signed in — as a password
session, so the console opens — only when the code is entered at ``/admin/login/code/``.
The password step is remembered for ``PENDING_SECONDS`` in the session, nothing else.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from wagtail.admin.views.account import LoginView

from rongmei.core.errors import ServiceError
from rongmei.core.http import client_ip
from rongmei.core.masking import mask_phone

from . import services
from .backends import PASSWORD_BACKEND
from .models import OtpPurpose, User

PENDING_KEY = "rongmei_staff_second_factor"
PENDING_SECONDS = 5 * 60


def second_factor_required() -> bool:
    return settings.STAFF_SECOND_FACTOR == "sms"


class StaffLoginView(LoginView):
    def form_valid(self, form):
        if not second_factor_required():
            return super().form_valid(form)
        user = form.get_user()
        try:
            services.otp_request(phone=user.phone, ip=client_ip(self.request),
                                 purpose=OtpPurpose.STAFF)
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk, "at": time.time(), "next": self.get_success_url(),
            "remember": bool(form.cleaned_data.get("remember")),
        }
        return redirect("rongmei_staff_login_code")


def _pending(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING_KEY) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, pending


@csrf_protect
@never_cache
def login_code(request):
    """Step two: the code texted to the staff member's phone."""
    user, pending = _pending(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect(settings.WAGTAILADMIN_LOGIN_URL)
    error = ""
    notice = f"验证码已发送至 {mask_phone(user.phone)}，5分钟内有效。"
    if request.method == "POST":
        ip = client_ip(request)
        try:
            if request.POST.get("action") == "resend":
                services.otp_request(phone=user.phone, ip=ip, purpose=OtpPurpose.STAFF)
                notice = f"已重新发送验证码至 {mask_phone(user.phone)}。"
            else:
                services.otp_check(phone=user.phone, code=request.POST.get("code", ""), ip=ip,
                                   purpose=OtpPurpose.STAFF)
                del request.session[PENDING_KEY]
                auth_login(request, user, backend=PASSWORD_BACKEND)
                request.session.set_expiry(settings.SESSION_COOKIE_AGE
                                           if pending.get("remember") else 0)
                target = pending.get("next") or "/admin/"
                if not url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                       require_https=request.is_secure()):
                    target = "/admin/"
                return redirect(target)
        except ServiceError as exc:
            error = exc.message
    return render(request, "accounts/staff_login_code.html",
                  {"notice": notice, "error": error}, status=400 if error else 200)


PASSWORD_PHONE_KEY = "rongmei_staff_password_phone"


@csrf_protect
@never_cache
def password_set(request):
    """设置管理后台密码 by a code texted to the staff member's own phone (a 评委 or handler
    named from a resident account has never had one; anyone may have forgotten theirs).
    Superusers are not served here: ``services.staff_password_account``."""
    ip = client_ip(request)
    phone = request.POST.get("phone", request.session.get(PASSWORD_PHONE_KEY, ""))
    errors: dict[str, str] = {}
    notice = ""
    sent = PASSWORD_PHONE_KEY in request.session
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send":
                services.staff_password_request(phone=phone, ip=ip)
                request.session[PASSWORD_PHONE_KEY] = phone = services._clean_phone(phone)
                sent = True
                notice = (f"如 {mask_phone(phone)} 是工作人员账号（非系统管理员），验证码已发送，"
                          "5分钟内有效。")
            else:
                if request.POST.get("password", "") != request.POST.get("password2", ""):
                    raise ServiceError("password_mismatch", "两次输入的密码不一致",
                                       field="password2")
                services.staff_password_set(phone=phone, code=request.POST.get("code", ""),
                                            password=request.POST.get("password", ""), ip=ip)
                request.session.pop(PASSWORD_PHONE_KEY, None)
                from django.contrib import messages

                messages.success(request, "密码已设置，请用手机号和新密码登录管理后台")
                return redirect(settings.WAGTAILADMIN_LOGIN_URL)
        except ServiceError as exc:
            errors[exc.field or "code"] = exc.message
    demo_code = None
    if sent and settings.DEBUG and settings.SMS_PROVIDER == "outbox":  # the demo sends nothing
        from .selectors import outbox_latest_code

        try:
            demo_code = outbox_latest_code(phone=services._clean_phone(phone),
                                           template="staff_password_code")
        except ServiceError:
            demo_code = None
    return render(request, "accounts/staff_password.html", {
        "phone": phone, "sent": sent, "notice": notice, "errors": errors,
        "demo_code": demo_code}, status=400 if errors else 200)
