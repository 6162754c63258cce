"""In a real browser, on a newsroom article: a resident reads, likes and comments, sees the
comment marked 审核中, an editor approves it, and after a reload it is public."""

import pytest

from rongmei.browser_testing import (
    assert_accessible,
    assert_no_page_problems,
    login_by_sms,
    open_page,
    screenshot,
)
from rongmei.engage import counters, services
from rongmei.engage.models import Comment, CommentStatus, PageReaction, PageStats
from rongmei.points.models import PointsEntry
from rongmei.tests_support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def publish_article():
    from rongmei.news.models import ArticlePage
    from rongmei.news.services import archive_for, ensure_section

    folder = archive_for(ensure_section(None))
    page = ArticlePage(title="荷塘镇莲子喜获丰收", live=False,
                       body=[("paragraph", "<p>今年荷塘镇莲子喜获丰收，亩产再创新高。</p>")])
    folder.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_read_like_comment_pending_then_approved_after_reload(live_site, browser,
                                                              browser_context_args, tmp_path):
    article = publish_article()
    resident = make_user(phone="13712345678", nickname="荷塘老李")
    editor = make_user("editor")

    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, resident.phone, next_path=article.url)
    bar = page.locator("[data-engage]")
    like = bar.get_by_role("button", name="点赞")
    like.wait_for()
    page.wait_for_function("() => !document.querySelector('[data-engage-form]').hidden")

    like.click()
    liked = bar.locator('[data-engage-toggle="like"][aria-pressed="true"]')
    liked.wait_for()
    assert liked.locator('[data-count="likes"]').inner_text() == "1"
    assert PageReaction.objects.filter(user=resident, page_id=article.pk).count() == 1

    page.get_by_label("写评论").fill("莲子真甜，给家乡点赞！")
    page.get_by_role("button", name="发表评论").click()
    mine = page.locator("[data-engage-mine] li")
    mine.first.wait_for()
    assert "审核中" in mine.first.inner_text() and "莲子真甜" in mine.first.inner_text()
    assert not page.locator("[data-engage-empty]").is_visible()
    assert_accessible(page, "稿件页互动栏")
    screenshot(page, tmp_path / "engage-pending.png")
    comment = Comment.objects.get(author=resident)
    assert comment.status == CommentStatus.PENDING

    # Read once (the beacon), and paid once for it.
    counters.reads_flush()
    assert PageStats.objects.get(pk=article.pk).reads == 1
    assert PointsEntry.objects.filter(account__user=resident, action="read_article").count() == 1

    services.comment_moderate(actor=editor, comment_ids=[comment.pk], decision="approve")
    page.reload()
    public = page.locator("[data-engage-list] li", has_text="莲子真甜")
    public.wait_for()
    assert "荷塘老李" in public.inner_text() and "审核中" not in public.inner_text()
    # The reader's own state arrives from /state after the (shared) HTML: wait for it.
    page.locator('[data-engage-toggle="like"][aria-pressed="true"]').wait_for()
    assert page.locator("[data-engage-mine] li").count() == 0
    assert_no_page_problems(page)

    # A visitor who is not signed in sees the same comment, and is asked to sign in.
    visitor = open_page(browser, browser_context_args)
    visitor.goto(live_site.url(article.url))
    visitor.locator("[data-engage-list] li", has_text="莲子真甜").wait_for()
    visitor.locator("[data-engage-login]:not([hidden])").wait_for()
    assert_no_page_problems(visitor)
    visitor.context.close()
    page.context.close()
