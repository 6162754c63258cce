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

    root = Page.get_first_root_node()
    return root.add_child(instance=Page(title=title, slug=f"story-{next(_slugs)}", **fields))


@pytest.fixture
def story(db):
    return make_story()


@pytest.fixture
def people(db, make_user):
    return SimpleNamespace(resident=make_user(), other=make_user(), editor=make_user("editor"),
                           reporter=make_user("reporter"), director=make_user("director"))


@pytest.fixture
def rules(db):
    from rongmei.points.models import EarningRule

    return {rule.action: rule for rule in EarningRule.objects.all()}


def balance(user) -> int:
    from rongmei.points.models import PointsAccount

    account = PointsAccount.objects.filter(user=user).first()
    return account.balance if account else 0
