from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from django.db import connection

from rongmei.core.redis import get_redis

_slugs = itertools.count(1)

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: row locks and unique indexes under real concurrency "
           "(CI runs this on PostgreSQL)")
needs_redis = pytest.mark.skipif(
    get_redis() is None,
    reason="needs Redis (REDIS_URL): the read-count hot path and flush live there")
without_redis = pytest.mark.skipif(
    get_redis() is not None, reason="the no-Redis (SQLite demo) variant")


def make_story(title: str = "荷塘镇莲子丰收", **fields):
    """A live page under the tree root: engagement works on any page type."""
    from wagtail.models import Page

    from rongmei.home.services import ensure_resident_site

    root = Page.get_first_root_node()
    if root is None:  # a transactional test flushed what the migrations made
        ensure_resident_site()
        root = Page.get_first_root_node()
    return root.add_child(instance=Page(title=title, slug=f"story-{next(_slugs)}", **fields))


@pytest.fixture
def story(db):
    return make_story()


@pytest.fixture
def people(db, make_user):
    return SimpleNamespace(resident=make_user(), other=make_user(), editor=make_user("editor"),
                           reporter=make_user("reporter"), director=make_user("director"))


@pytest.fixture(autouse=True)
def rules(request):
    """The earning rules engagement pays by (the data migration's, which a transactional
    test's flush removes)."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return {}
    request.getfixturevalue("db")
    from rongmei.points.models import EarningRule

    for action, label, points, cap in (("read_article", "阅读文章", 1, 10),
                                       ("watch_video", "观看视频", 2, 10),
                                       ("share", "分享", 1, 5),
                                       ("comment_approved", "发表评论", 2, 6)):
        EarningRule.objects.get_or_create(action=action, defaults={
            "label": label, "points": points, "daily_cap": cap})
    return {rule.action: rule for rule in EarningRule.objects.all()}


def balance(user) -> int:
    from rongmei.points.models import PointsAccount

    account = PointsAccount.objects.filter(user=user).first()
    return account.balance if account else 0
