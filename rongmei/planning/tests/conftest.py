"""Fixtures for 策划指挥 tests: the desk (a dispatcher, an editor), a reporter and a camera
operator, a resident, a vehicle, blocked words and a story to hand in."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest


def _person(groups, role=None, **fields):
    """A user in one role group (cheaper than make_user, which ensures every role each time)."""
    from rongmei.accounts.models import User
    from rongmei.tests_support import PASSWORD, _phones

    user = User.objects.create_user(str(next(_phones)), password=PASSWORD,
                                    is_staff=role is not None, **fields)
    if role is not None:
        user.groups.add(groups[role])
    return user


@pytest.fixture
def desk(db):
    from django.contrib.auth.models import Group

    from rongmei.core import roles
    from rongmei.core.roles import ROLE_BY_CODE, ensure_roles
    from rongmei.planning.models import Resource

    ensure_roles()
    groups = {code: Group.objects.get(name=ROLE_BY_CODE[code].name)
              for code in (roles.DISPATCHER, roles.EDITOR, roles.REPORTER)}
    return SimpleNamespace(
        dispatcher=_person(groups, roles.DISPATCHER, name="调度甲"),
        editor=_person(groups, roles.EDITOR, name="编辑乙"),
        reporter=_person(groups, roles.REPORTER, name="陈思远"),
        camera=_person(groups, roles.REPORTER, name="李摄像"),
        resident=_person(groups),
        vehicle=Resource.objects.create(name="采访车1号", kind="vehicle"),
    )


def api(client, user, method, path, body=None):
    """Call planning's API as ``user`` (signed in through the session)."""
    import json

    client.force_login(user)
    send = getattr(client, method)
    if body is None:
        return send(f"/api/v1/planning{path}")
    return send(f"/api/v1/planning{path}", json.dumps(body, default=str),
                content_type="application/json")


def approved_topic(desk, title="莲花节开幕"):
    from django.utils import timezone

    from rongmei.planning import services

    topic = services.topic_propose(actor=desk.reporter, title=title, angle="现场与游客",
                                   planned_date=timezone.localdate(), outlets=["app"])
    return services.topic_review(actor=desk.editor, topic=topic, decision="approve")


def slot(hours_from_now=1, length=2):
    from django.utils import timezone

    start = timezone.now() + timedelta(hours=hours_from_now)
    return start, start + timedelta(hours=length)


def make_story(title="莲花节开幕了", user=None):
    from rongmei.news import services
    from rongmei.news.models import ArticlePage

    folder = services.ensure_section(None)
    page = ArticlePage(title=title, body=[("paragraph", "<p>荷塘镇莲花节今晚开幕。</p>")],
                       owner=user, live=False)
    folder.add_child(instance=page)
    page.save_revision(user=user)
    return page
