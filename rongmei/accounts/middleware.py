"""Staff sign in as staff: the console needs the staff password.

A resident's SMS-code login (or a clerk's invitation code) proves a phone number, not a staff
member: such a session has ``SMS_CODE_BACKEND`` as its backend, and on the console's paths
it is treated as signed out, so Wagtail asks for the password (with its lockout,
``accounts.forms.StaffLoginForm``). Signing in there turns the same session into a password
session. Every role that may enter the console is covered, superusers included.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.models import AnonymousUser

from .backends import PASSWORD_BACKEND

CONSOLE_PREFIXES = ("/admin/",)


class StaffConsoleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.path.startswith(CONSOLE_PREFIXES)
                and request.session.get(BACKEND_SESSION_KEY) != PASSWORD_BACKEND):
            request.user = AnonymousUser()
        return self.get_response(request)


class WechatSessionMiddleware:
    """A session signed in through WeChat lasts as long as that WeChat stays bound to the
    account and the account holds no staff role: 解除微信绑定 (or becoming staff) ends every
    session that WeChat started, on whichever phone it was opened. One indexed lookup per
    request, for those sessions only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import wechat

        # Only requests carrying a session cookie: the others have no session to end, and
        # reading an empty session would mark every anonymous answer as varying by cookie.
        openid = (request.session.get(wechat.SESSION_VIA)
                  if settings.SESSION_COOKIE_NAME in request.COOKIES else None)
        if openid and request.user.is_authenticated and not wechat.session_still_good(
                user=request.user, openid=openid):
            logout(request)
        return self.get_response(request)
