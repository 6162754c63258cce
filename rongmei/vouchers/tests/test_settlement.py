"""Settlement pays what was spent: a voucher takes off min(face value, bill), government and
merchant vouchers are settled apart, and the till, the statements, their Excel files and the
dashboard agree to the 分 — all through the doors merchants and operators use."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from rongmei.tests_support import make_campaign, make_merchant
from rongmei.vouchers import codes, services
from rongmei.vouchers.models import SettlementStatement, Voucher


def issue(campaign, resident):
    return services.voucher_grab(user=resident, round_id=campaign.rounds.first().pk)


def till(client, merchant, voucher, bill: str):
    """The merchant scans the customer's QR and types the bill in yuan at /vouchers/redeem/."""
    return client.post("/vouchers/redeem/", {
        "merchant": merchant.pk, "bill_amount": bill,
        "token": codes.qr_token(voucher.pk, voucher.secret)})


@pytest.fixture
def county_shops(make_user):
    shop = make_merchant(name="莲城超市")
    corner = make_merchant(name="荷塘便利店")
    return shop, corner


@pytest.mark.django_db
def test_mixed_funders_thresholds_and_small_bills_settle_to_the_fen(
        client, make_user, county_shops):
    shop, corner = county_shops
    operator = make_user("operator")
    # Government: 20 元 without threshold; 满100减30; 50 元 that refuses bills below 50 元.
    twenty = make_campaign(creator=operator, face_value=2000, threshold=0, stock=10)
    full_cut = make_campaign(creator=operator, face_value=3000, threshold=10000, stock=10)
    strict = make_campaign(creator=operator, face_value=5000, threshold=0, stock=10,
                           refuse_below_face_value=True)
    # The supermarket's own 10 元 voucher, paid for by the supermarket.
    own = make_campaign(creator=operator, face_value=1000, threshold=0, stock=10,
                        issuer="merchant", issuer_merchant=shop)
    residents = [make_user() for _ in range(8)]
    client.force_login(shop.staff.get().user)

    # A 20 元 voucher on a 5 元 bill takes off 5 元: the customer pays 0, never -15.
    small = till(client, shop, issue(twenty, residents[0]), "5")
    body = small.content.decode()
    assert small.status_code == 200 and "核销成功" in body
    assert "消费 5 元，优惠 5 元，顾客实付 0 元" in body and "-" not in body.split("顾客实付")[1][:4]
    assert "消费 35.55 元，优惠 20 元，顾客实付 15.55 元" in till(
        client, shop, issue(twenty, residents[1]), "35.55").content.decode()
    # Thresholds still hold; a bill of 100.01 gets the full 30 元 off.
    below = till(client, shop, issue(full_cut, residents[2]), "99.99")
    assert below.status_code == 400 and "消费满100元才能使用本券" in below.content.decode()
    assert "优惠 30 元，顾客实付 70.01 元" in till(
        client, shop, Voucher.objects.get(user=residents[2]), "100.01").content.decode()
    # The operator chose to refuse bills below face value for this campaign.
    refused = till(client, shop, issue(strict, residents[3]), "49.99")
    assert refused.status_code == 400 and "消费金额不能低于面额" in refused.content.decode()
    assert "优惠 50 元，顾客实付 0 元" in till(
        client, shop, Voucher.objects.get(user=residents[3]), "50").content.decode()
    # The supermarket's own voucher on a 7.30 元 bill.
    assert "优惠 7.30 元，顾客实付 0 元" in till(
        client, shop, issue(own, residents[4]), "7.3").content.decode()
    # The corner shop takes a 20 元 voucher on a one-fen bill.
    client.force_login(corner.staff.get().user)
    assert "优惠 0.01 元，顾客实付 0 元" in till(
        client, corner, issue(twenty, residents[5]), "0.01").content.decode()

    today = timezone.localdate()
    client.force_login(operator)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        made = client.post("/admin/voucher_statements/new/", {
            "period_start": f"{today:%Y-%m-%d}", "period_end": f"{today:%Y-%m-%d}"},
            follow=True)
    assert "已生成3张结算单" in made.content.decode()
    statements = {(s.merchant.name, s.funder): s for s in SettlementStatement.objects.all()}
    government = statements[("莲城超市", "government")]
    # 5 + 20 + 30 + 50 元 taken off; bills 5 + 35.55 + 100.01 + 50 元.
    assert (government.voucher_count, government.subsidy_total, government.bill_total) == (
        4, 500 + 2000 + 3000 + 5000, 500 + 3555 + 10001 + 5000)
    assert government.government_owes == 10500
    own_statement = statements[("莲城超市", "merchant")]
    assert (own_statement.voucher_count, own_statement.subsidy_total,
            own_statement.bill_total, own_statement.government_owes) == (1, 730, 730, 0)
    corner_statement = statements[("荷塘便利店", "government")]
    assert (corner_statement.subsidy_total, corner_statement.government_owes) == (1, 1)
    assert not Voucher.objects.filter(status="redeemed", statement__isnull=True).exists()

    # The statement's Excel file lists each voucher's own discount, and its totals agree.
    export = client.get(f"/admin/voucher_statements/export/{government.pk}/")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "财政补贴结算单"
    facts = {row[0]: row[1] for row in rows[1:9]}
    assert float(facts["抵扣金额合计（元）"]) == 105.0 and float(facts["财政应付（元）"]) == 105.0
    assert float(facts["带动消费（元）"]) == 190.56
    header = rows.index(("券号", "活动", "核销时间", "消费金额（元）", "抵扣金额（元）"))
    lines = sorted((round(float(bill) * 100), round(float(off) * 100))
                   for *_, bill, off in rows[header + 1:])
    assert lines == [(500, 500), (3555, 2000), (5000, 5000), (10001, 3000)]
    own_export = client.get(f"/admin/voucher_statements/export/{own_statement.pk}/")
    own_rows = list(load_workbook(io.BytesIO(own_export.content)).active.iter_rows(
        values_only=True))
    assert own_rows[0][0] == "商户自发券对账单"
    assert float(dict(r[:2] for r in own_rows[1:9])["财政应付（元）"]) == 0.0

    # The dashboard adds up the same stored discounts: government and merchant apart.
    dashboard = client.get("/admin/voucher_dashboard/")
    total = dashboard.context["dashboard"].total
    assert (total.subsidy, total.merchant_discount) == (10501, 730)
    assert total.spending == 19056 + 730 + 1
    by_merchant = {row.label: (row.subsidy, row.merchant_discount)
                   for row in dashboard.context["dashboard"].by_merchant}
    assert by_merchant == {"莲城超市": (10500, 730), "荷塘便利店": (1, 0)}
    page = dashboard.content.decode()
    assert "105.01" in page and "7.30" in page

    # The merchant's own statements page says who pays what.
    client.force_login(shop.staff.get().user)
    mine = client.get("/vouchers/statements/").content.decode()
    assert "财政补贴 105 元" in mine and "本店让利 7.30 元" in mine


@pytest.mark.django_db
def test_the_api_till_reports_the_discount_and_what_the_customer_pays(client, make_user):
    shop = make_merchant()
    owner = shop.staff.get().user
    campaign = make_campaign(face_value=2000, threshold=0)
    voucher = issue(campaign, make_user())
    from rongmei.accounts.services import api_token_issue

    token = api_token_issue(user=owner)
    response = client.post("/api/v1/vouchers/redeem", {
        "merchant_id": shop.pk, "bill_amount": 1234,
        "token": codes.qr_token(voucher.pk, voucher.secret)},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    data = response.json()
    assert (data["bill_amount"], data["discount"], data["customer_pays"]) == (1234, 1234, 0)


@pytest.mark.django_db
def test_the_database_refuses_a_discount_larger_than_the_bill(make_user):
    from django.db import IntegrityError, transaction

    campaign = make_campaign(face_value=2000, threshold=0)
    shop = make_merchant()
    voucher = issue(campaign, make_user())
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(
            status="redeemed", merchant=shop, bill_amount=500, discount=2000,
            redeemed_at=timezone.now())
