"""Each role's console home shows its own work (rongmei.core.dashboard and the apps'
``construct_homepage_panels`` hooks): counted tiles that lead to where the work is done."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse


@pytest.fixture
def demo(db):
    from django.core.management import call_command

    call_command("seed_demo", scale=3, stdout=io.StringIO())


def tiles(html: str) -> dict[str, tuple[int, str]]:
    """我的工作台's tiles: label → (count, link)."""
    return {label: (int(count), url) for url, count, label in re.findall(
        r'<a class="rm-work__tile[^"]*" href="([^"]*)"><span class="rm-work__num">(\d+)</span>'
        r'<span class="rm-work__label">([^<]+)</span>', html)}


@pytest.mark.django_db
def test_each_role_sees_its_own_work_on_the_console_home(client, demo):
    from rongmei.accounts.models import User
    from rongmei.units.demo import STAFF
    from rongmei.wenzheng.models import Case, CaseState

    expected = {
        "reporter": {"我的草稿", "审核中", "退回修改"},
        "editor": {"待我审核的稿件", "待审评论"},
        "chief_editor": {"待我审核的稿件"},
        "director": {"待我审核的稿件", "待分拣问政", "今日到期"},
        "wenzheng_handler": {"待分拣问政", "待转办", "答复与进展待审", "今日到期", "已超期"},
        "operator": {"待审商户", "待审商品", "待审评论"},
        "propaganda": {"待下发转办告知单", "告知单办理中", "告知单已超期"},
    }
    phones = {code: phone for code, phone, _, _ in STAFF}
    seen = {}
    for role, labels in expected.items():
        client.force_login(User.objects.get(phone=phones[role]))
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        assert "我的工作台" in html, role
        seen[role] = tiles(html)
        assert labels <= set(seen[role]), (role, sorted(seen[role]))
        for label, (_, url) in seen[role].items():
            if not url.startswith("#"):
                assert client.get(url).status_code == 200, (role, label, url)
    waiting = Case.objects.filter(state__in=[CaseState.SUBMITTED, CaseState.NEEDS_INFO]).count()
    assert seen["wenzheng_handler"]["待分拣问政"][0] == waiting
    # Work that is not theirs stays off their desk.
    assert "待分拣问政" not in seen["reporter"] and "待审商户" not in seen["editor"]
    assert "待分拣问政" not in seen["propaganda"]
    assert "待下发转办告知单" not in seen["wenzheng_handler"]
    from rongmei.wenzheng.models import Briefing, DocumentStatus

    assert seen["propaganda"]["待下发转办告知单"][0] == Briefing.objects.filter(
        status=DocumentStatus.SUBMITTED, case__state=CaseState.BRIEFING).count()
