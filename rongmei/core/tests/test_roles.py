"""ensure_roles: every role's group with its permissions, idempotent, and cheap when the
roles are already there (every test's make_user asks for them first)."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from rongmei.core.roles import ADMINISTRATOR, OPERATOR, ROLE_BY_CODE, ROLES, ensure_roles


@pytest.mark.django_db
def test_roles_are_made_with_their_permissions_idempotently_in_few_queries():
    Group.objects.filter(name__in=[r.name for r in ROLES]).delete()
    assert len(ensure_roles()) == len(ROLES)
    operator = Group.objects.get(name=ROLE_BY_CODE[OPERATOR].name)
    administrator = Group.objects.get(name=ROLE_BY_CODE[ADMINISTRATOR].name)
    assert operator.permissions.exists()
    assert GroupPagePermission.objects.filter(group=administrator).count() == 6
    assert GroupCollectionPermission.objects.exists()
    before = (GroupPagePermission.objects.count(), GroupCollectionPermission.objects.count(),
              sum(g.permissions.count() for g in Group.objects.all()))
    with CaptureQueriesContext(connection) as queries:
        assert ensure_roles() == []
    after = (GroupPagePermission.objects.count(), GroupCollectionPermission.objects.count(),
             sum(g.permissions.count() for g in Group.objects.all()))
    assert before == after
    assert len(queries) <= 5 * len(ROLES)
