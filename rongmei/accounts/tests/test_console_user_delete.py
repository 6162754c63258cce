"""Deleting an account in the console: one that other records point at (points, orders,
cases — PROTECT in the database) is kept with a Chinese explanation, never a 500; the bulk
删除 likewise deletes none of the selection."""

from __future__ import annotations

import pytest
from django.apps import apps

from rongmei.accounts.models import User
from rongmei.tests_support import make_user

pytestmark = pytest.mark.django_db


def resident_with_points():
    resident = make_user(password=None)
    apps.get_model("points", "PointsAccount").objects.create(user=resident, balance=5)
    return resident


def test_deleting_an_account_that_has_records_says_why_and_keeps_it(client):
    resident = resident_with_points()
    client.force_login(make_user("administrator"))
    answer = client.post(f"/admin/users/delete/{resident.pk}/", follow=True)
    assert answer.status_code == 200
    assert "不能删除" in answer.content.decode() and "注销" in answer.content.decode()
    assert User.objects.filter(pk=resident.pk).exists()


def test_bulk_deleting_accounts_with_records_deletes_none(client):
    kept, plain = resident_with_points(), make_user(password=None)
    client.force_login(make_user("administrator"))
    answer = client.post(f"/admin/bulk/accounts/user/delete/?id={kept.pk}&id={plain.pk}",
                         follow=True)
    assert answer.status_code == 200
    assert "不能删除" in answer.content.decode()
    assert User.objects.filter(pk__in=[kept.pk, plain.pk]).count() == 2


def test_an_account_without_records_is_still_deleted(client):
    plain = make_user(password=None)
    client.force_login(make_user("administrator"))
    assert client.post(f"/admin/users/delete/{plain.pk}/").status_code == 302
    assert not User.objects.filter(pk=plain.pk).exists()
