"""The 问政 board (page and API) runs as many queries for 50 public cases as for 5."""

from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import submit

pytestmark = pytest.mark.django_db
_fresh = count()


def queries(client, url: str) -> int:
    joiner = "&" if "?" in url else "?"
    client.get(f"{url}{joiner}_={next(_fresh)}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{url}{joiner}_={next(_fresh)}")
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def test_board_costs_the_same_for_5_and_50_cases(wz, client, make_user):
    from rongmei.wenzheng.models import Case, PublicStatus

    def add(n):
        for i in range(n):
            case = submit(wz, user=make_user(nickname="居民"), title=f"路灯坏了第{i}处",
                          key=f"read-{next(_fresh)}")
            Case.objects.filter(pk=case.pk).update(
                is_public=True, public_status=PublicStatus.ANSWERED,
                reply_text="已安排维修。", reply_unit=wz.county.housing)

    urls = ["/api/v1/wenzheng/cases", "/wenzheng/"]
    add(5)
    small = {url: queries(client, url) for url in urls}
    add(45)
    large = {url: queries(client, url) for url in urls}
    assert large == small
