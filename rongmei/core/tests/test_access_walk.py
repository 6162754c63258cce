"""Every staff write path asks the access module: a walk over the console and the API.

Each console screen of a Rongmei app (its own views and the Wagtail view sets it registers)
and each write operation of the JSON API is sent a POST by someone who holds no role. The
request is traced: it must reach a check — a function of the access module
(``rongmei.units.access`` and the layers under and beside it, ``core.access`` and
``merchants.access``), a Django permission other than "may open the console", or one of
Wagtail's permission policies (which the role groups configure). A write view that
reaches none of them is a door anyone with a console login can walk through.

Routes where the signed-in resident acts for themselves (a comment, a grab, an order) ask
nobody's role by design; they are listed in RESIDENT_ACTIONS, each with the reason, so a new
route has to be classified before it lands.
"""

from __future__ import annotations

import io
import re
import sys
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

import rongmei.core.access
import rongmei.merchants.access
import rongmei.units.access

ACCESS_MODULES = (rongmei.core.access, rongmei.units.access, rongmei.merchants.access)
CONSOLE_ONLY = "wagtailadmin.access_admin"

# API write operations (method, path template) where the signed-in person acts for
# themselves; the services check ownership of what they act on instead of a role.
_SIGN_IN = "signing in or out is what makes someone a user at all"
_OWN_ACCOUNT = "the resident's own account and real-name record"
_READER = "a reader's own like, favourite, share, read or report on public content"
_OWN_CASE = "the citizen's own 问政 case (the service checks it is theirs)"
_OWN_ASSIGNMENT = "the assignee's own 派单 (the service checks it is theirs)"
RESIDENT_ACTIONS: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/otp"): _SIGN_IN,
    ("POST", "/api/v1/auth/login"): _SIGN_IN,
    ("POST", "/api/v1/auth/logout"): _SIGN_IN,
    ("PATCH", "/api/v1/me"): _OWN_ACCOUNT,
    ("DELETE", "/api/v1/me"): _OWN_ACCOUNT,
    ("POST", "/api/v1/me/realname"): _OWN_ACCOUNT,
    ("PUT", "/api/v1/engage/pages/{page_id}/like"): _READER,
    ("DELETE", "/api/v1/engage/pages/{page_id}/like"): _READER,
    ("PUT", "/api/v1/engage/pages/{page_id}/favourite"): _READER,
    ("DELETE", "/api/v1/engage/pages/{page_id}/favourite"): _READER,
    ("POST", "/api/v1/engage/pages/{page_id}/share"): _READER,
    ("POST", "/api/v1/engage/pages/{page_id}/read"): _READER,
    ("POST", "/api/v1/engage/pages/{page_id}/watched"): _READER,
    ("POST", "/api/v1/engage/pages/{page_id}/report"): _READER,
    ("POST", "/api/v1/engage/pages/{page_id}/comments"):
        "a comment waits for the newsroom's moderation (先审后发)",
    ("POST", "/api/v1/engage/comments/{comment_id}/report"): _READER,
    ("DELETE", "/api/v1/engage/comments/{comment_id}"): "a resident withdraws their own comment",
    ("POST", "/api/v1/push/subscriptions"): "the resident's own browser subscription",
    ("DELETE", "/api/v1/push/subscriptions"): "the resident's own browser subscription",
    ("POST", "/api/v1/points/checkin"): "the resident's own daily check-in",
    ("POST", "/api/v1/mall/orders"): "the buyer's own order",
    ("POST", "/api/v1/mall/orders/{order_id}/cancel"): "the buyer cancels their own order",
    ("POST", "/api/v1/vouchers/rounds/{round_id}/grab"): "the resident's own claim",
    ("POST", "/api/v1/vouchers/campaigns/{campaign_id}/signup"): "the resident's own sign-up",
    ("POST", "/api/v1/wenzheng/mine"): "a citizen raises a case",
    ("POST", "/api/v1/wenzheng/mine/{case_id}/info"): _OWN_CASE,
    ("POST", "/api/v1/wenzheng/mine/{case_id}/rate"): _OWN_CASE,
    ("POST", "/api/v1/wenzheng/mine/{case_id}/reopen"): _OWN_CASE,
    ("POST", "/api/v1/wenzheng/cases/{case_id}/follow"): "a resident follows a public case",
    ("POST", "/api/v1/wenzheng/cases/{case_id}/report"): "a resident reports a public case",
    ("POST", "/api/v1/notices/{notice_id}/read"): "the person's own inbox",
    ("POST", "/api/v1/directory/services/{service_id}/open"):
        "a resident opens a public service (counted, remembered in their 最近使用)",
    ("PUT", "/api/v1/directory/services/{service_id}/favourite"): "the resident's own 我的常用",
    ("DELETE", "/api/v1/directory/services/{service_id}/favourite"):
        "the resident's own 我的常用",
    ("POST", "/api/v1/classifieds/posts"):
        "a resident's own free post (reviewed before or after, per category)",
    ("PATCH", "/api/v1/classifieds/posts/{post_id}"): "the author edits their own post",
    ("POST", "/api/v1/classifieds/posts/{post_id}/photos"):
        "the author adds photos to their own post",
    ("DELETE", "/api/v1/classifieds/posts/{post_id}/photos/{photo_id}"):
        "the author removes a photo of their own post",
    ("POST", "/api/v1/classifieds/posts/{post_id}/renew"): "the author renews their own post",
    ("POST", "/api/v1/classifieds/posts/{post_id}/close"): "the author closes their own post",
    ("POST", "/api/v1/classifieds/posts/{post_id}/reveal"):
        "a signed-in resident sees a public post's number (logged, rate-limited)",
    ("POST", "/api/v1/classifieds/posts/{post_id}/report"): _READER,
    ("POST", "/api/v1/notices/read-all"): "the person's own inbox",
    ("POST", "/api/v1/live/rooms/{room_id}/comments"):
        "a viewer's comment in a public room (moderated per the room's 先审后发/先发后审)",
    ("POST", "/api/v1/live/rooms/{room_id}/likes"): "a viewer's taps on a public room",
    ("POST", "/api/v1/live/rooms/{room_id}/heartbeat"): "a viewer says they are watching",
    ("PUT", "/api/v1/live/rooms/{room_id}/reminder"): "the resident's own 预约",
    ("DELETE", "/api/v1/live/rooms/{room_id}/reminder"): "the resident's own 预约",
    ("POST", "/api/v1/analytics/devices"):
        "an anonymous device asks for its signed id (limited per address per day)",
    ("POST", "/api/v1/analytics/events"):
        "anyone's own usage events (anonymous device; buffered, never a staff action)",
    ("POST", "/api/v1/volunteers/me"): "the resident's own volunteer registration",
    ("POST", "/api/v1/volunteers/teams/{team_id}/join"):
        "a volunteer asks to join a team (the team's leader approves)",
    ("POST", "/api/v1/volunteers/activities/{activity_id}/signup"): "the volunteer's own sign-up",
    ("POST", "/api/v1/volunteers/activities/{activity_id}/cancel"):
        "the volunteer cancels their own sign-up",
    ("POST", "/api/v1/volunteers/checkin"):
        "the volunteer's own check-in; the leader's signed code proves presence",
    ("POST", "/api/v1/volunteers/orders"): "a resident orders a 文明实践 service for themselves",
    ("POST", "/api/v1/volunteers/orders/{order_id}/rate"): "the resident rates their own order",
    ("POST", "/api/v1/volunteers/signups/{signup_id}/claim"):
        "a volunteer disputes their own recorded hours (the team's leader decides)",
    ("POST", "/api/v1/planning/tips"): "a resident's own 爆料 (the newsroom triages it)",
    ("POST", "/api/v1/planning/assignments/{assignment_id}/accept"): _OWN_ASSIGNMENT,
    ("POST", "/api/v1/planning/assignments/{assignment_id}/decline"): _OWN_ASSIGNMENT,
    ("POST", "/api/v1/planning/assignments/{assignment_id}/progress"): _OWN_ASSIGNMENT,
    ("POST", "/api/v1/planning/assignments/{assignment_id}/hand-in"): _OWN_ASSIGNMENT,
    ("POST", "/api/v1/activities/contests/{contest_id}/register"):
        "a resident's own registration for a contest",
    ("POST", "/api/v1/activities/contests/{contest_id}/register-form"):
        "a resident's own registration for a contest (multipart, with photo fields)",
    ("POST", "/api/v1/activities/contests/{contest_id}/entries"):
        "a registrant's own entry (reviewed by an operator before it is public)",
    ("POST", "/api/v1/activities/entries/{entry_id}/vote"):
        "a resident's own vote, within the contest's per-day limit",
    ("POST", "/api/v1/activities/quizzes/{quiz_id}/attempts"): "a resident's own quiz attempt",
    ("POST", "/api/v1/activities/attempts/{attempt_id}/submit"):
        "a resident hands in their own attempt (the service checks it is theirs)",
    ("POST", "/api/v1/activities/live-quizzes/{live_quiz_id}/answers"):
        "a viewer's own answer to the pushed question, once, inside its window",
}

# Console screens where the signed-in staff member acts on their own things.
OWN_CONSOLE_SCREENS: dict[str, str] = {
    "/admin/notices_inbox/": "a staff member's own 待办与消息 (marking them read)",
    "/admin/login/": _SIGN_IN,
    "/admin/login/code/": _SIGN_IN + " (the console's second factor)",
    "/admin/login/password/": _SIGN_IN + " (设置管理后台密码 by a code texted to the phone)",
}


def _access_codes():
    codes = set()
    for module in ACCESS_MODULES:
        for value in vars(module).values():
            code = getattr(value, "__code__", None)
            if code is not None and value.__module__ == module.__name__:
                codes.add(code)
    return codes


@contextmanager
def traced_checks():
    """Counts access checks made while the block runs (in this thread)."""
    from django.contrib.auth.models import PermissionsMixin

    counted = {"checks": 0}
    codes = _access_codes()
    has_perm, has_perms = PermissionsMixin.has_perm.__code__, PermissionsMixin.has_perms.__code__

    def profile(frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        if code in codes or "wagtail/permission_policies/" in code.co_filename:
            counted["checks"] += 1
        elif code is has_perm and frame.f_locals.get("perm") != CONSOLE_ONLY:
            counted["checks"] += 1
        elif code is has_perms and list(frame.f_locals.get("perm_list") or []) != [CONSOLE_ONLY]:
            counted["checks"] += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield counted
    finally:
        sys.setprofile(previous)


def _walk(resolver, prefix="", namespaces=()):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern, namespaces


def _is_rongmei(callback) -> bool:
    view = getattr(callback, "view_class", None) or callback
    return getattr(view, "__module__", "").startswith("rongmei.")


def _concrete(route: str, pk=1) -> str | None:
    """A request path for a route, with ``pk`` for every parameter; None for regexes."""
    path = re.sub(r"<(?:int:)?\w+>", str(pk), route)
    path = re.sub(r"<(?:slug|str|path):\w+>", "x", path)
    if any(ch in path for ch in "^$()[]\\?*+"):
        path = path.replace("^", "").replace("$", "")
        if any(ch in path for ch in "()[]\\?*+"):
            return None
    return "/" + path


def console_write_routes() -> list[str]:
    """Console paths of Rongmei's own views and view sets; an object's screens are asked
    about an object that exists (its view set's model), else about 1."""
    from wagtail.admin.viewsets import viewsets

    ours = {}
    for vs in viewsets.viewsets:
        model = getattr(vs, "model", None)
        if type(vs).__module__.startswith("rongmei.") or (
                getattr(model, "__module__", "").startswith("rongmei.")):
            first = model.objects.order_by("pk").first() if model is not None else None
            ours[vs.url_namespace] = first.pk if first is not None else None
    routes = set()
    for route, pattern, namespaces in _walk(get_resolver()):
        if not route.startswith("admin/"):
            continue
        known = [ours[ns] for ns in namespaces if ns in ours]
        if known and known[0] is None and "<" in route:
            continue  # no object of this kind in the demo: nothing to act on
        if _is_rongmei(pattern.callback) or known:
            path = _concrete(route, pk=known[0] if known else 1)
            if path:
                routes.add(path)
    return sorted(routes)


def example(schema: dict, request_body: dict | None):
    """A body that satisfies an operation's request schema: every required field with a
    value of its type (so the request reaches the view instead of stopping at validation)."""
    if not request_body:
        return {}
    content = request_body.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    return _value(schema, media.get("schema", {}))


def _value(schema: dict, node: dict):
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _value(schema, schema["components"]["schemas"][name])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return _value(schema, next(n for n in node[key] if n.get("type") != "null"))
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {name: _value(schema, sub) for name, sub in node.get("properties", {}).items()
                if name in node.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if node.get("format") == "date":
        return "2026-12-01"
    if node.get("format") == "date-time":
        return "2026-12-01T10:00:00+08:00"
    return "测试内容" + "字" * max(0, node.get("minLength", 0) - 4)


@pytest.fixture
def demo(db):
    call_command("seed_demo", scale=3, stdout=io.StringIO())


@pytest.fixture
def roleless_console_user(make_user):
    """Someone who may open the console and holds no role at all."""
    user = make_user()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.mark.django_db
def test_every_console_write_view_asks_the_access_module(client, demo, roleless_console_user):
    client.force_login(roleless_console_user)
    unchecked = {}
    routes = console_write_routes()
    assert len(routes) > 30, "the walk finds the apps' console screens"
    for path in routes:
        with traced_checks() as counted:
            response = client.post(path, {})
        if response.status_code == 405 or counted["checks"] or path in OWN_CONSOLE_SCREENS:
            continue
        unchecked[path] = response.status_code
    assert not unchecked, "console views that write without asking anyone's role:\n" + "\n".join(
        f"  POST {path} → {status}" for path, status in sorted(unchecked.items()))


@pytest.mark.django_db
def test_every_api_write_operation_asks_the_access_module_or_acts_for_the_resident(
        client, demo, make_user):
    from rongmei.config.api import api

    schema = api.get_openapi_schema()
    unchecked, stale = {}, set(RESIDENT_ACTIONS)
    for template, operations in schema["paths"].items():
        for method in operations:
            if method not in ("post", "put", "patch", "delete"):
                continue
            key = (method.upper(), template)
            stale.discard(key)
            if key in RESIDENT_ACTIONS:
                continue
            path = re.sub(r"\{\w+\}", "1", template)
            body = example(schema, operations[method].get("requestBody"))
            client.force_login(make_user())  # fresh: an earlier route may have deleted one
            with traced_checks() as counted:
                response = getattr(client, method)(path, body, content_type="application/json")
            if not counted["checks"]:
                unchecked[f"{key[0]} {template}"] = response.status_code
    assert not unchecked, "API writes that ask nobody's role and are not resident actions:\n" + (
        "\n".join(f"  {route} → {status}" for route, status in sorted(unchecked.items())))
    assert stale == set(), "RESIDENT_ACTIONS names routes that no longer exist"
