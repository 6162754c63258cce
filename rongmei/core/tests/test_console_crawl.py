"""Every console menu entry opens for every role that sees it, the superuser included.

The entries come from the sidebar Wagtail renders for that person (its menu is JSON inside
the dashboard page), not from a hand-kept list, so a new screen is crawled the day it is
added to the menu.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from rongmei.core.roles import ROLES

CONSOLE_ROLES = [role.code for role in ROLES if role.console]


def menu_urls(dashboard_html: str) -> set[str]:
    """Console addresses in the sidebar's menu (submenus included)."""
    match = re.search(r'<script id="wagtail-sidebar-props"[^>]*>(.*?)</script>',
                      dashboard_html, re.S)
    assert match, "the dashboard carries the sidebar's menu"
    urls: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "url" and isinstance(value, str) and value.startswith("/admin/"):
                    urls.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(match.group(1)))
    return urls


def crawl(client, user) -> dict[str, int]:
    client.force_login(user)
    dashboard = client.get(reverse("wagtailadmin_home"))
    assert dashboard.status_code == 200
    urls = menu_urls(dashboard.content.decode())
    assert urls, "every console role has something in its menu"
    statuses = {url: client.get(url).status_code for url in sorted(urls)}
    return {url: status for url, status in statuses.items() if status >= 400}


@pytest.fixture
def demo(db):
    """The demo county at its smallest: sections, stories, cases, shops to list."""
    import io

    from django.core.management import call_command

    call_command("seed_demo", scale=3, stdout=io.StringIO())


@pytest.mark.django_db
def test_every_console_role_and_the_superuser_open_every_entry_of_their_menu(
        client, demo, make_user):
    """One demo county for all of them (seeding it is the slow part), each in turn."""
    from rongmei.accounts.models import User
    from rongmei.units.models import Unit

    township = Unit.objects.filter(kind="township").first()
    people = {"superuser": User.objects.create_superuser("13812340001",
                                                         password="Test-pass-2026")}
    people.update({role: make_user(role, unit=township) for role in CONSOLE_ROLES})
    broken = {}
    for who, user in people.items():
        client.logout()
        if failures := crawl(client, user):
            broken[who] = failures
    assert broken == {}, broken
