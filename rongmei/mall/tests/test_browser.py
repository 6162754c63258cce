"""In a real browser, the "看新闻, 兑奖品" loop: a resident earns points (by reading a newsroom
article, or by the daily check-in), redeems a local specialty with them, shows the pickup QR,
and the merchant verifies the code at the counter."""

import pytest

from rongmei.browser_testing import assert_accessible, assert_no_page_problems, login_by_sms, open_page
from rongmei.mall import services as mall
from rongmei.mall.models import Order
from rongmei.points.models import EarningRule, PointsAccount
from rongmei.tests_support import make_merchant, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_in_redeem_show_pickup_qr_and_merchant_verifies(live_site, browser,
                                                              browser_context_args):
    EarningRule.objects.update_or_create(action="checkin", defaults={
        "label": "每日签到", "points": 20, "daily_cap": 0, "is_active": True})
    merchant = make_merchant(name="莲子特产店", category="agriculture")
    owner = merchant.staff.get().user
    operator = make_user("operator")
    product = mall.product_create(actor=owner, merchant_id=merchant.pk, name="白莲子（500克）",
                                  stock=3, price_points=20, description="本地去芯白莲")
    mall.product_review(actor=operator, product_id=product.pk, decision="approve")
    resident = make_user(phone="13712340002")

    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, resident.phone, next_path="/points/")
    with page.expect_navigation():
        page.get_by_test_id("checkin").click()
    assert PointsAccount.objects.get(user=resident).balance == 20
    assert "20" in page.locator("main").inner_text()
    assert_accessible(page, "积分页")

    page.goto(live_site.url(f"/mall/products/{product.pk}/"))
    assert "白莲子（500克）" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_test_id("order").click()
    order = Order.objects.get(user=resident)
    page.goto(live_site.url("/mall/orders/"))
    assert page.get_by_test_id("pickup-code").inner_text() == order.pickup_code
    assert page.locator("[data-testid=mall-order] svg").count() == 1
    assert_accessible(page, "我的订单")
    assert PointsAccount.objects.get(user=resident).balance == 0
    assert_no_page_problems(page)

    counter = open_page(browser, browser_context_args)
    login_by_sms(counter, live_site, owner.phone, next_path="/mall/verify/")
    counter.get_by_label("提货码").fill(order.pickup_code.lower())
    with counter.expect_navigation():
        counter.get_by_test_id("verify").click()
    assert "核销成功" in counter.get_by_test_id("verified").inner_text()
    order.refresh_from_db()
    assert order.status == "completed"
    assert_no_page_problems(counter)
    counter.context.close()
    page.context.close()


def test_read_an_article_earn_points_redeem_and_merchant_verifies(live_site, browser,
                                                                  browser_context_args):
    """看新闻, 兑奖品: reading a newsroom article pays points, which buy a specialty."""
    from rongmei.news.models import ArticlePage
    from rongmei.news.services import archive_for, ensure_section

    EarningRule.objects.update_or_create(action="read_article", defaults={
        "label": "阅读文章", "points": 5, "daily_cap": 10, "is_active": True})
    folder = archive_for(ensure_section(None))
    article = ArticlePage(title="莲乡白莲开始采收", live=False,
                          body=[("paragraph", "<p>荷塘镇万亩莲田进入采收期。</p>")])
    folder.add_child(instance=article)
    article.save_revision().publish()
    article.refresh_from_db()
    merchant = make_merchant(name="荷塘莲子铺", category="agriculture")
    owner = merchant.staff.get().user
    operator = make_user("operator")
    product = mall.product_create(actor=owner, merchant_id=merchant.pk, name="莲子茶（一盒）",
                                  stock=2, price_points=5, description="荷塘镇自产")
    mall.product_review(actor=operator, product_id=product.pk, decision="approve")
    resident = make_user(phone="13712340003")

    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, resident.phone, next_path=article.url)
    assert "莲乡白莲开始采收" in page.locator("h1").inner_text()
    # The read beacon pays once the reader has stayed on the story.
    for _ in range(100):
        account = PointsAccount.objects.filter(user=resident).first()
        if account and account.balance:
            break
        page.wait_for_timeout(100)
    assert PointsAccount.objects.get(user=resident).balance == 5
    page.goto(live_site.url("/points/"))
    assert "阅读文章" in page.locator("main").inner_text()

    page.goto(live_site.url(f"/mall/products/{product.pk}/"))
    with page.expect_navigation():
        page.get_by_test_id("order").click()
    order = Order.objects.get(user=resident)
    page.goto(live_site.url("/mall/orders/"))
    assert page.get_by_test_id("pickup-code").inner_text() == order.pickup_code
    assert page.locator("[data-testid=mall-order] svg").count() == 1
    assert PointsAccount.objects.get(user=resident).balance == 0

    counter = open_page(browser, browser_context_args)
    login_by_sms(counter, live_site, owner.phone, next_path="/mall/verify/")
    counter.get_by_label("提货码").fill(order.pickup_code)
    with counter.expect_navigation():
        counter.get_by_test_id("verify").click()
    assert "核销成功" in counter.get_by_test_id("verified").inner_text()
    order.refresh_from_db()
    assert order.status == "completed"
    assert_no_page_problems(page)
    counter.context.close()
    page.context.close()
