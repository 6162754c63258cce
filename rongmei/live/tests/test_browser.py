"""A resident in a real browser: opens a live room, sees the player, comments (shown after
approval, 先审后发), likes, and sees the viewer count."""

import pytest

from rongmei.browser_testing import assert_accessible, login_by_sms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_watches_comments_after_approval_and_likes(live_site, browser_page):
    from datetime import timedelta

    from django.utils import timezone

    from rongmei.accounts.models import User
    from rongmei.core import roles
    from rongmei.live.models import LiveComment
    from rongmei.live.services.comments import comment_moderate
    from rongmei.live.services.rooms import room_create
    from rongmei.live.tests.conftest import go_live
    from rongmei.tests_support import make_user

    editor = make_user(roles.EDITOR)
    room = go_live(room_create(actor=editor, title="莲花节开幕式晚会",
                               starts_at=timezone.now() - timedelta(minutes=1)))
    page = browser_page
    resident = User.objects.filter(is_staff=False).exclude(phone=None).first()
    login_by_sms(page, live_site, resident.phone)
    page.goto(live_site.url(f"/live/{room.pk}/"))
    assert page.locator("#live-video").count() == 1  # the player
    page.wait_for_selector("#live-form:not([hidden])")
    page.fill("#live-body", "开幕式真精彩")
    page.click("#live-form button[type=submit]")
    page.wait_for_selector("#live-mine li")
    assert "审核中" in page.inner_text("#live-mine")

    comment = LiveComment.objects.get(room=room)
    comment_moderate(actor=editor, room_id=room.pk, comment_ids=[comment.pk], decision="approve")
    page.wait_for_selector(f'#live-comments [data-cid="{comment.pk}"]', timeout=10000)
    assert "开幕式真精彩" in page.inner_text("#live-comments")

    before = int(page.inner_text("#live-likes"))
    page.click("#live-like")
    page.click("#live-like")
    page.wait_for_function(f"parseInt(document.getElementById('live-likes').textContent) >= {before + 2}")
    page.wait_for_function("parseInt(document.getElementById('live-viewers').textContent) >= 1",
                           timeout=30000)
    assert_accessible(page, "直播间")
