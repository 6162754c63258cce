"""In a real browser: a resident grabs a voucher the moment the round opens and shows its
QR; a merchant redeems it at the till; the settlement statement lists it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.browser_testing import (
    assert_accessible, assert_no_page_problems, login_by_sms, open_page,
)
from rongmei.tests_support import give_realname, make_campaign, make_merchant, make_user
from rongmei.vouchers import services
from rongmei.vouchers.models import Voucher, VoucherStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grab_at_opening_show_qr_redeem_and_settle(live_site, browser, browser_context_args,
                                                   tmp_path):
    resident = make_user(phone="13712340001")
    give_realname(resident)
    merchant = make_merchant()
    owner = merchant.staff.get().user
    opens_at = timezone.now() + timedelta(seconds=6)
    campaign = make_campaign(stock=5, threshold=10000, require_realname=True,
                             starts_at=opens_at)

    # The resident waits on the campaign page; the button opens by the server's clock.
    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, resident.phone, next_path=f"/vouchers/c/{campaign.pk}/")
    assert f"/vouchers/c/{campaign.pk}/" in page.url
    button = page.get_by_test_id("grab")
    assert button.is_disabled()
    assert "距开抢还有" in page.locator(".rm-grab__countdown").inner_text()
    assert_accessible(page, "消费券活动页")
    page.wait_for_function("() => !document.querySelector('[data-testid=grab]').disabled",
                           timeout=15_000)
    assert timezone.now() >= opens_at - timedelta(seconds=1)
    with page.expect_navigation():
        button.click()
    assert "领取成功" in page.content()
    assert page.locator("[data-testid=voucher-qr] svg").count() == 1
    code = page.get_by_test_id("voucher-code").inner_text()
    dynamic = page.get_by_test_id("dynamic-code").inner_text()
    voucher = Voucher.objects.get(user=resident)
    assert code == voucher.code and len(dynamic) == 6
    page.screenshot(path=str(tmp_path / "voucher-qr.png"), full_page=True)
    assert_accessible(page, "券二维码页")
    assert_no_page_problems(page)

    # The merchant's clerk types the number and dynamic code the customer reads out.
    till_page = open_page(browser, browser_context_args)
    login_by_sms(till_page, live_site, owner.phone, next_path="/vouchers/redeem/")
    till_page.get_by_label("券号").fill(code)
    till_page.get_by_label("动态码").fill(dynamic)
    till_page.get_by_label("消费金额（元）").fill("168")
    with till_page.expect_navigation():
        till_page.get_by_test_id("redeem").click()
    assert till_page.get_by_test_id("redeemed").inner_text() == "核销成功"
    assert "顾客实付 148 元" in till_page.content()
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.REDEEMED and voucher.merchant == merchant

    # The operator settles the day; the merchant sees the statement.
    today = timezone.localdate()
    services.statement_generate(actor=make_user("operator"), merchant=merchant,
                                period_start=today, period_end=today,
                                today=today + timedelta(days=1))  # the day after

    till_page.goto(live_site.url("/vouchers/statements/"))
    text = till_page.locator("main").inner_text()
    assert merchant.name in text and "1 张" in text and "补贴 20 元" in text
    assert_no_page_problems(till_page)
    till_page.context.close()
    page.context.close()
