"""Every resident page opens for every role, the visitor included: no 5xx anywhere, and no
4xx on a page that role should see.

The addresses come from the URL conf (every route without parameters) and from the links
on 首页 and 我的 as each person sees them, not from a hand-kept list, so a new page is
crawled the day it is mounted.
"""

from __future__ import annotations

import io
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from rongmei.core.tests.test_weui_forms import bare_controls

# Not pages: machine endpoints, the console (test_console_crawl.py) and the API.
SKIPPED_PREFIXES = ("/api/", "/admin/", "/django-admin/", "/documents/", "/media/", "/static/",
                    "/open311/", "/metrics", "/_hello", "/healthz", "/readyz", "/draw/",
                    "/sw.js", "/manifest.webmanifest", "/__")
# Pages that only answer a POST, or need a query to mean anything.
POST_ONLY = {"/logout/", "/me/elder-mode/"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def routed_pages() -> set[str]:
    """Every route of the URL conf that takes no parameters, as a path."""
    paths = set()
    for route in _walk(get_resolver().url_patterns):
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue
        path = "/" + route.lstrip("^").rstrip("$")
        if path.startswith(SKIPPED_PREFIXES) or path in POST_ONLY:
            continue
        paths.add(path)
    return paths


SECTION = re.compile(r'<h2 class="rm-cells__title">(.*?)</h2>\s*<ul class="rm-cells">(.*?)</ul>',
                     re.DOTALL)
LINK = re.compile(r'href="(/[^"#?]*)(?:\?[^"#]*)?"')


def linked_pages(html: str) -> set[str]:
    return {path for path in LINK.findall(html) if not path.startswith(SKIPPED_PREFIXES)}


@pytest.fixture
def demo(db):
    from django.core.management import call_command

    call_command("seed_demo", scale=3, stdout=io.StringIO())


def me_sections(html: str) -> dict[str, set[str]]:
    """我的's sections as this person sees them: title → the addresses its cells lead to."""
    sections = {}
    for title, body in re.findall(SECTION, html):
        sections[title] = linked_pages(body)
    return sections


def crawl(client, bare: dict[str, list[str]] | None = None
          ) -> tuple[dict[str, int], set[str], dict[str, set[str]]]:
    """(status of every page, the pages linked for this person, 我的's sections); ``bare``
    collects the pages that show a select, file input or fieldset outside a WeUI cell."""
    linked = linked_pages(client.get("/").content.decode())
    me = client.get("/me/")
    sections = me_sections(me.content.decode()) if me.status_code == 200 else {}
    if me.status_code == 200:
        linked |= linked_pages(me.content.decode())
    paths = routed_pages() | linked
    statuses = {}
    for path in sorted(paths):
        response = client.get(path)
        statuses[path] = response.status_code
        if (bare is not None and response.status_code == 200
                and response.get("Content-Type", "").startswith("text/html")):
            controls = bare_controls(response.content.decode())
            if controls:
                bare[path] = controls
    return statuses, linked, sections


def demo_logins() -> list[tuple[str, str | None]]:
    """The people ``rongmei demo`` prints (role code, phone), a visitor and a resident."""
    from rongmei.units.demo import STAFF

    return [("visitor", None), ("resident", "15200000001"),
            *((code, phone) for code, phone, _, _ in STAFF)]


# 我的 leads every resident to 我的问政, 我的收藏 and 消息.
RESIDENT_CELLS = {"/wenzheng/mine/", "/engage/favourites/", "/notices/"}
# Roles whose work is done on the phone: 我的 leads them to it (我的工作).
WORKSPACE_ROLES = {"unit_handler", "grid_leader", "merchant", "volunteer_leader"}
# The module that gives each of those roles its workspace: without it, it has none yet.
WORKSPACE_MODULE = {"unit_handler": "wenzheng", "grid_leader": "wenzheng",
                    "merchant": "merchants", "volunteer_leader": "volunteers"}


@pytest.mark.django_db
def test_every_demo_login_opens_every_resident_page_it_should(client, demo):
    """Each person the demo prints: every page linked for them on 首页 and 我的 opens; no
    route answers 5xx or 404 to anyone (403 and 405 only where nothing links them there);
    the roles that work on the phone find their work under 我的工作; no page shows a
    select, file input or fieldset outside a WeUI cell."""
    from django.apps import apps

    from rongmei.accounts.models import User

    problems: dict[str, object] = {}
    for role, phone in demo_logins():
        client.logout()
        if phone:
            user, _ = User.objects.get_or_create(phone=phone)
            client.force_login(user)
        bare: dict[str, list[str]] = {}
        statuses, linked, sections = crawl(client, bare)
        if bare:  # issue 11: resident forms are WeUI cells, no bare picker or file input
            problems[f"{role}: controls outside a WeUI cell"] = bare
        broken = {path: status for path, status in statuses.items()
                  if status >= 500 or status == 404
                  or (status >= 400 and (path in linked or status not in (403, 405)))}
        if broken:
            problems[role] = broken
        if role == "resident" and not RESIDENT_CELLS <= sections.get("我的", set()):
            problems["resident 我的"] = f"missing {RESIDENT_CELLS - sections.get('我的', set())}"
        if role in WORKSPACE_ROLES and apps.is_installed(f"rongmei.{WORKSPACE_MODULE[role]}"):
            work = sections.get("我的工作", set())
            if not work:
                problems[role] = "我的 has no 我的工作 section"
            elif any(statuses.get(path, client.get(path).status_code) != 200 for path in work):
                problems[role] = f"我的工作 links that do not open: {work}"
    assert problems == {}
