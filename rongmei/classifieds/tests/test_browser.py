"""In a real browser: a resident finds 社保 by typing "sb", reads its 办事指南 and comes
back; posts a rental with photos; an operator approves it; another resident filters by
price and reveals the number."""

import io

import pytest
from PIL import Image

from rongmei.browser_testing import (
    assert_accessible,
    assert_no_page_problems,
    login_by_sms,
    login_console,
    open_page,
)
from rongmei.classifieds.models import ContactReveal, Post, PostStatus
from rongmei.tests_support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN",
           "timezone_id": "Asia/Shanghai", "service_workers": "block"}


def _jpeg(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), color).save(buffer, "JPEG")
    return buffer.getvalue()


def test_find_shebao_post_a_rental_approve_filter_and_reveal(live_site, browser,
                                                             browser_context_args):
    from rongmei.classifieds.models import Category

    Category.objects.filter(code="house_rent").update(review_mode="before")
    landlord = make_user(phone="13712345601")
    tenant = make_user(phone="13712345602")
    operator = make_user("operator")

    page = open_page(browser, browser_context_args)
    page.goto(live_site.url("/services/"))
    assert "服务+" in page.locator("main").inner_text() or "政务服务" in page.content()
    page.goto(live_site.url("/directory/"))
    page.get_by_test_id("directory-search").fill("sb")
    with page.expect_navigation():
        page.get_by_test_id("directory-search").press("Enter")
    results = page.locator("main").inner_text()
    assert "社会保险参保登记" in results and "水费查询缴纳" not in results
    assert_accessible(page, "服务搜索结果")
    with page.expect_navigation():
        page.get_by_text("社会保险参保登记").first.click()
    assert "所需材料" in page.get_by_test_id("service-guide").inner_text()
    assert_accessible(page, "办事指南")
    with page.expect_navigation():
        page.get_by_test_id("directory-back").click()
    assert page.url.endswith("/directory/")
    assert_no_page_problems(page)

    login_by_sms(page, live_site, landlord.phone, next_path="/classifieds/new/?category=house_rent")
    page.get_by_label("标题").fill("解放路两室一厅出租，拎包入住")
    page.get_by_label("面积（平方米）").fill("78")
    page.get_by_label("户型").fill("2室1厅")
    page.get_by_label("月租金（元/月）").fill("880")
    page.get_by_label("小区").fill("解放路小区")
    page.set_input_files("#f-photos", files=[
        {"name": "room1.jpg", "mimeType": "image/jpeg", "buffer": _jpeg((200, 120, 40))},
        {"name": "room2.jpg", "mimeType": "image/jpeg", "buffer": _jpeg((40, 120, 200))}])
    page.get_by_label("联系人").fill("王先生")
    page.locator("#f-phone").fill(landlord.phone)
    assert_accessible(page, "发布表单")
    with page.expect_navigation():
        page.get_by_test_id("cl-submit").click()
    assert "审核通过后展示" in page.content()
    post = Post.objects.get(title="解放路两室一厅出租，拎包入住")
    assert post.status == PostStatus.PENDING and post.photos.count() == 2
    assert_no_page_problems(page)
    page.context.close()

    console = open_page(browser, DESKTOP)
    login_console(console, live_site.base_url, operator)
    console.goto(live_site.url("/admin/classifieds_review/"))
    row = console.locator("tr", has_text="解放路两室一厅出租")
    with console.expect_navigation():
        row.get_by_role("button", name="通过").click()
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert_no_page_problems(console)
    console.context.close()

    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, tenant.phone, next_path="/classifieds/?category=house_rent")
    page.get_by_test_id("cl-price-min").fill("800")
    page.get_by_test_id("cl-price-max").fill("900")
    with page.expect_navigation():
        page.get_by_test_id("cl-filter").click()
    listing = page.locator("main").inner_text()
    assert "解放路两室一厅出租" in listing
    assert "荷塘镇新街单间出租" not in listing  # the demo's ¥350 room is filtered out
    with page.expect_navigation():
        page.get_by_test_id(f"cl-post-{post.pk}").click()
    assert page.get_by_test_id("cl-phone-masked").inner_text() == "137****5601"
    assert page.locator(".rm-cl-photos img").count() == 2
    with page.expect_navigation():
        page.get_by_test_id("cl-reveal").click()
    assert page.get_by_test_id("cl-phone").inner_text() == landlord.phone
    assert ContactReveal.objects.filter(post=post, user=tenant).count() == 1
    assert_accessible(page, "信息详情")
    assert_no_page_problems(page)
    page.context.close()
