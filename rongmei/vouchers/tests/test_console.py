"""The 消费券 screens of the staff console: what operators do, and who may not."""

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from rongmei.tests_support import make_campaign, make_merchant
from rongmei.vouchers import codes, services
from rongmei.vouchers.models import (
    SettlementStatement,
    Voucher,
    VoucherCampaign,
    VoucherRound,
    VoucherStatus,
)

CAMPAIGNS = "/admin/voucher_campaigns/"


@pytest.fixture
def operator(make_user):
    return make_user("operator")


@pytest.fixture
def console(client, operator):
    client.force_login(operator)
    return client


def campaign_form(**overrides):
    data = {
        "title": "莲乡家电惠民券", "description": "", "issuer": "government", "issuer_merchant": "",
        "category": "furniture", "face_value": "20", "threshold": "100", "per_person_limit": "1",
        "require_realname": "on", "distribution": "grab", "lottery_signup_until": "",
        "valid_from": "", "valid_until": "", "valid_days": "30",
        "all_merchants_in_category": "on", "per_merchant_daily_limit": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def local(text):
    """A wall-clock time in the county, as operators type it."""
    from datetime import datetime

    return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))


def draft_campaign(operator, **fields):
    defaults = {"title": "莲乡惠民消费券", "issuer": "government", "category": "retail",
                "face_value": 2000, "threshold": 10000, "valid_days": 30, "require_realname": False,
                "created_by": operator}
    defaults.update(fields)
    return VoucherCampaign.objects.create(**defaults)


def redeem(voucher, merchant, bill):
    owner = merchant.staff.get().user
    return services.voucher_redeem(actor=owner, merchant_id=merchant.pk, bill_amount=bill,
                                   token=codes.qr_token(voucher.pk, voucher.secret))


# --- campaigns -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_operator_creates_a_campaign_with_amounts_in_yuan(console, operator):
    response = console.post(f"{CAMPAIGNS}new/", campaign_form(face_value="15.5",
                                                              threshold="100.00元"))
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = VoucherCampaign.objects.get()
    assert campaign.face_value == 1550 and campaign.threshold == 10000
    assert campaign.created_by == operator and campaign.status == "draft"
    assert response["Location"] == f"{CAMPAIGNS}inspect/{campaign.pk}/"
    page = console.get(response["Location"]).content.decode()
    assert "满100减15.50" in page and "批量添加场次" in page
    # Editing shows the amounts in yuan again.
    edit = console.get(f"{CAMPAIGNS}edit/{campaign.pk}/").content.decode()
    assert 'value="15.50"' in edit and 'value="100"' in edit


@pytest.mark.django_db
def test_no_threshold_is_stored_as_zero(console):
    response = console.post(f"{CAMPAIGNS}new/", campaign_form(face_value="10", threshold=""))
    assert response.status_code == 302
    assert VoucherCampaign.objects.get().threshold == 0


@pytest.mark.django_db
@pytest.mark.parametrize("face, threshold, message", [
    ("abc", "100", "请输入正确的金额（元）"),
    ("-1", "100", "金额不能为负数"),
    ("0", "100", "金额须大于0元"),
    ("20.001", "100", "金额最多精确到分"),
    ("1e3", "", "请输入正确的金额（元）"),
    ("20", "20", "使用门槛须高于面额"),
    ("20", "15", "使用门槛须高于面额"),
    ("20", "abc", "请输入正确的金额（元）"),
])
def test_bad_amounts_are_chinese_form_errors_and_nothing_is_saved(console, face, threshold,
                                                                   message):
    response = console.post(f"{CAMPAIGNS}new/", campaign_form(face_value=face,
                                                              threshold=threshold))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VoucherCampaign.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, message", [
    ({"valid_days": ""}, "请填写有效期"),
    ({"valid_from": "2026-05-01 00:00", "valid_until": "2026-06-01 00:00"},
     "只能选一种"),
    ({"valid_days": "", "valid_from": "2026-06-01 00:00", "valid_until": "2026-05-01 00:00"},
     "有效期结束须晚于开始"),
    ({"distribution": "lottery"}, "须填写报名截止时间"),
    ({"issuer": "merchant"}, "请选择发放商户"),
    ({"all_merchants_in_category": None}, "请勾选可以核销的商户"),
    ({"per_person_limit": "0"}, "每人限领至少1张"),
])
def test_campaign_rules_are_checked_in_chinese(console, overrides, message):
    response = console.post(f"{CAMPAIGNS}new/", campaign_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VoucherCampaign.objects.exists()


@pytest.mark.django_db
def test_published_campaign_keeps_its_rules(console, operator):
    campaign = make_campaign(creator=operator)
    response = console.post(f"{CAMPAIGNS}edit/{campaign.pk}/", campaign_form(
        title="改名后的消费券", face_value="50", threshold="60", category="retail"))
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign.refresh_from_db()
    assert campaign.title == "改名后的消费券"
    assert campaign.face_value == 2000 and campaign.threshold == 10000


@pytest.mark.django_db
def test_batch_rounds_ten_oclock_daily_for_five_days(console, operator):
    campaign = draft_campaign(operator)
    response = console.post(f"{CAMPAIGNS}inspect/{campaign.pk}/rounds/", {
        "first_start": "2030-05-01 10:00", "minutes": "120", "days": "5", "stock": "500"})
    assert response.status_code == 302
    rounds = list(campaign.rounds.order_by("starts_at"))
    assert len(rounds) == 5
    assert [timezone.localtime(r.starts_at).strftime("%m-%d %H:%M") for r in rounds] == [
        "05-01 10:00", "05-02 10:00", "05-03 10:00", "05-04 10:00", "05-05 10:00"]
    assert all(r.ends_at - r.starts_at == timedelta(hours=2) for r in rounds)
    assert all(r.stock == 500 and r.remaining == 500 for r in rounds)
    page = console.get(f"{CAMPAIGNS}inspect/{campaign.pk}/").content.decode()
    assert "2030-05-05 10:00" in page and "已添加5个场次" in page


@pytest.mark.django_db
def test_overlapping_rounds_add_nothing(console, operator):
    campaign = draft_campaign(operator)
    services.round_add(campaign=campaign, starts_at=local("2030-05-03 11:00"),
                       ends_at=local("2030-05-03 12:00"), stock=10)
    response = console.post(f"{CAMPAIGNS}inspect/{campaign.pk}/rounds/", {
        "first_start": "2030-05-01 10:00", "minutes": "120", "days": "5", "stock": "500"})
    assert response.status_code == 200
    assert "与已有场次（2030-05-03 11:00）时间重叠" in response.content.decode()
    assert campaign.rounds.count() == 1


@pytest.mark.django_db
def test_bad_round_input_is_a_form_error(console, operator):
    campaign = draft_campaign(operator)
    response = console.post(f"{CAMPAIGNS}inspect/{campaign.pk}/rounds/", {
        "first_start": "明天", "minutes": "0", "days": "61", "stock": "0"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "每场至少1分钟" in body and "一次最多添加60天" in body and "每场至少发放1张" in body
    assert not campaign.rounds.exists()


@pytest.mark.django_db
def test_publish_needs_a_round(console, operator):
    campaign = draft_campaign(operator)
    response = console.post(f"{CAMPAIGNS}inspect/{campaign.pk}/publish/", follow=True)
    assert "请先添加至少一个发放场次" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    services.round_add(campaign=campaign, starts_at=local("2030-05-01 10:00"),
                       ends_at=local("2030-05-01 12:00"), stock=10)
    response = console.post(f"{CAMPAIGNS}inspect/{campaign.pk}/publish/", follow=True)
    assert "已发布" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == "published"
    assert console.get(f"{CAMPAIGNS}inspect/{campaign.pk}/publish/").status_code == 405


# --- dashboard -------------------------------------------------------------------------------

@pytest.fixture
def activity(operator, make_user):
    """Two rounds of a retail campaign: 3 claimed in the first (2 redeemed at two shops,
    1 expired), 1 claimed in the second; and a catering campaign with one redemption."""
    shop = make_merchant(name="莲城超市")
    other_shop = make_merchant(name="荷塘便利店")
    restaurant = make_merchant(name="荷塘饭店", category="catering")
    retail = make_campaign(creator=operator, stock=10, rounds=2, face_value=2000,
                           threshold=10000)
    first, second = retail.rounds.order_by("starts_at")
    vouchers = [services.voucher_grab(user=make_user(), round_id=first.pk) for _ in range(3)]
    redeem(vouchers[0], shop, 12000)
    redeem(vouchers[1], other_shop, 15000)
    Voucher.objects.filter(pk=vouchers[2].pk).update(valid_until=timezone.now())
    VoucherRound.objects.filter(pk=second.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1))
    services.voucher_grab(user=make_user(), round_id=second.pk)
    catering = make_campaign(creator=operator, stock=5, category="catering", face_value=5000,
                             threshold=0)
    meal = services.voucher_grab(user=make_user(), round_id=catering.rounds.get().pk)
    redeem(meal, restaurant, 8800)
    return retail, catering, shop, other_shop, restaurant


@pytest.mark.django_db
def test_dashboard_for_one_campaign_counts_per_round_and_merchant(console, activity):
    retail, _catering, shop, other_shop, _restaurant = activity
    response = console.get(f"/admin/voucher_dashboard/?campaign={retail.pk}")
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    total = dashboard.total
    assert (total.claimed, total.redeemed, total.expired) == (4, 2, 1)
    assert total.subsidy == 4000 and total.spending == 27000 and total.stock == 20
    first, second = dashboard.by_round
    assert (first.claimed, first.redeemed, first.expired, first.remaining) == (3, 2, 1, 7)
    assert (second.claimed, second.redeemed, second.expired, second.unused) == (1, 0, 0, 1)
    assert [(r.label, r.redeemed, r.spending) for r in dashboard.by_merchant] == [
        ("荷塘便利店", 1, 15000), ("莲城超市", 1, 12000)]
    assert [(r.label, r.claimed) for r in dashboard.by_category] == [("零售", 4)]
    body = response.content.decode()
    assert 'id="voucher-dashboard-data"' in body and "vendor/echarts/echarts.min.js" in body
    assert "vouchers/admin/dashboard.js" in body
    assert "<td>270</td>" in body or ">270<" in body  # spending driven, in yuan
    assert response.context["chart_data"]["slices"]["claimed"] == [3, 1]


@pytest.mark.django_db
def test_dashboard_overall_counts_per_campaign_and_category(console, activity):
    retail, catering, *_ = activity
    dashboard = console.get("/admin/voucher_dashboard/").context["dashboard"]
    assert dashboard.campaign is None
    assert (dashboard.total.claimed, dashboard.total.redeemed) == (5, 3)
    assert dashboard.total.subsidy == 2 * 2000 + 5000
    assert dashboard.total.spending == 12000 + 15000 + 8800
    by_campaign = {row.key: row for row in dashboard.by_campaign}
    assert by_campaign[retail.pk].claimed == 4 and by_campaign[catering.pk].redeemed == 1
    by_category = {row.label: (row.claimed, row.redeemed, row.subsidy) for row in
                   dashboard.by_category}
    assert by_category == {"零售": (4, 2, 4000), "餐饮住宿": (1, 1, 5000)}
    assert dashboard.by_merchant[0].label == "荷塘便利店"


@pytest.mark.django_db
def test_dashboard_static_files_are_found():
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/echarts/echarts.min.js")
    assert finders.find("vouchers/admin/dashboard.js")


# --- settlement ------------------------------------------------------------------------------

@pytest.fixture
def next_day():
    """Call to move the clock to the same time tomorrow, for the rest of the test."""
    traveller = time_machine.travel(timezone.now() + timedelta(days=1))
    yield traveller.start
    traveller.stop()


@pytest.mark.django_db
def test_statements_are_generated_and_exported_to_excel(console, activity, next_day):
    _retail, _catering, shop, other_shop, restaurant = activity
    today = timezone.localdate()
    next_day()  # a day is settled once it is over
    response = console.post("/admin/voucher_statements/new/", {
        "period_start": f"{today - timedelta(days=30):%Y-%m-%d}",
        "period_end": f"{today:%Y-%m-%d}"}, follow=True)
    assert "已生成3张结算单" in response.content.decode()
    assert SettlementStatement.objects.count() == 3
    redeemed = Voucher.objects.filter(status=VoucherStatus.REDEEMED)
    assert not redeemed.filter(statement__isnull=True).exists()

    again = console.post("/admin/voucher_statements/new/", {
        "period_start": f"{today - timedelta(days=30):%Y-%m-%d}",
        "period_end": f"{today:%Y-%m-%d}"}, follow=True)
    assert "没有待结算的核销记录" in again.content.decode()
    assert SettlementStatement.objects.count() == 3

    statement = SettlementStatement.objects.get(merchant=shop)
    listing = console.get("/admin/voucher_statements/").content.decode()
    assert "莲城超市" in listing and "荷塘饭店" in listing
    filtered = console.get(f"/admin/voucher_statements/?merchant={shop.pk}")
    assert [s.merchant for s in filtered.context["object_list"]] == [shop]
    assert "12001" not in console.get(
        f"/admin/voucher_statements/inspect/{statement.pk}/").content.decode()

    export = console.get(f"/admin/voucher_statements/export/{statement.pk}/")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = [tuple(c for c in row) for row in sheet.iter_rows(values_only=True)]
    assert ("商户", "莲城超市") == rows[1][:2]
    assert rows[3][1] == f"{today - timedelta(days=30):%Y-%m-%d} 至 {today:%Y-%m-%d}"
    assert rows[4][:2] == ("核销张数", 1)
    assert rows[5][0] == "抵扣金额合计（元）" and float(rows[5][1]) == 20.0
    assert rows[6][0] == "财政应付（元）" and float(rows[6][1]) == 20.0
    assert float(rows[7][1]) == 120.0
    header = rows.index(("券号", "活动", "核销时间", "消费金额（元）", "抵扣金额（元）"))
    voucher = Voucher.objects.get(statement=statement)
    code, title, when, bill, subsidy = rows[header + 1]
    assert (code, title) == (voucher.code, "莲乡惠民消费券")
    assert float(bill) == 120.0 and float(subsidy) == 20.0 and when is not None
    assert len(rows) == header + 2

    listing_export = console.get(f"/admin/voucher_statements/export/?merchant={other_shop.pk}")
    sheet = load_workbook(io.BytesIO(listing_export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("类型", "商户", "统一社会信用代码") and len(rows) == 2
    assert rows[1][:2] == ("财政补贴结算单", "荷塘便利店") and float(rows[1][8]) == 150.0


@pytest.mark.django_db
def test_statement_period_must_be_ordered_and_not_in_the_future(console):
    today = timezone.localdate()
    response = console.post("/admin/voucher_statements/new/", {
        "period_start": f"{today:%Y-%m-%d}", "period_end": f"{today - timedelta(days=1):%Y-%m-%d}"})
    assert "结算结束日不能早于开始日" in response.content.decode()
    response = console.post("/admin/voucher_statements/new/", {
        "period_start": f"{today:%Y-%m-%d}", "period_end": f"{today + timedelta(days=1):%Y-%m-%d}"})
    assert "只能结算已经结束的日期" in response.content.decode()
    response = console.post("/admin/voucher_statements/new/", {
        "period_start": f"{today:%Y-%m-%d}", "period_end": f"{today:%Y-%m-%d}"})
    assert "只能结算已经结束的日期" in response.content.decode()
    assert not SettlementStatement.objects.exists()


# --- suspicious claims -----------------------------------------------------------------------

@pytest.mark.django_db
def test_suspicious_report_finds_an_ip_shared_by_six_accounts(console, operator, make_user):
    campaign = make_campaign(creator=operator, stock=50)
    round_id = campaign.rounds.get().pk
    crowd = [make_user() for _ in range(6)]
    for person in crowd:
        services.voucher_grab(user=person, round_id=round_id, ip="203.0.113.7",
                              device="dev-A" if person is crowd[0] else "")
    for _ in range(5):  # five accounts on one device: not more than five
        services.voucher_grab(user=make_user(), round_id=round_id, ip="198.51.100.1",
                              device="dev-B")
    old_hand = make_user()
    old_hand.date_joined = timezone.now() - timedelta(days=3)
    old_hand.save(update_fields=["date_joined"])
    services.voucher_grab(user=old_hand, round_id=round_id, ip="192.0.2.9")

    response = console.get(f"/admin/voucher_suspicious/?campaign={campaign.pk}")
    assert response.status_code == 200
    report = response.context["report"]
    assert [(s.value, s.accounts) for s in report.ips] == [("203.0.113.7", 6)]
    assert report.devices == []
    assert report.new_accounts_total == 11
    assert old_hand.masked_phone not in {c.phone for c in report.new_accounts}
    body = response.content.decode()
    assert "203.0.113.7" in body
    for person in crowd:
        assert person.masked_phone in body and person.phone not in body

    stricter = console.get(f"/admin/voucher_suspicious/?campaign={campaign.pk}&n=4").context
    assert {s.value for s in stricter["report"].devices} == {"dev-B"}
    assert {s.value for s in stricter["report"].ips} == {"203.0.113.7", "198.51.100.1"}
    bad = console.get(f"/admin/voucher_suspicious/?campaign={campaign.pk}&n=abc")
    assert "report" not in bad.context and "请输入整数" in bad.content.decode()


# --- who may -----------------------------------------------------------------------------------

SCREENS = ["/admin/voucher_campaigns/", "/admin/voucher_campaigns/new/",
           "/admin/voucher_dashboard/", "/admin/voucher_statements/",
           "/admin/voucher_statements/new/", "/admin/voucher_statements/export/",
           "/admin/voucher_suspicious/"]


@pytest.mark.django_db
@pytest.mark.parametrize("roles", [(), ("reporter",), ("editor",), ("merchant",)])
def test_only_operators_and_administrators_get_in(client, make_user, operator, roles):
    campaign = make_campaign(creator=operator)
    outsider = make_user(*roles)
    client.force_login(outsider)
    for url in SCREENS + [f"/admin/voucher_campaigns/inspect/{campaign.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] != url
    response = client.post("/admin/voucher_campaigns/new/", campaign_form())
    assert response.status_code == 302
    client.post(f"/admin/voucher_campaigns/inspect/{campaign.pk}/rounds/", {
        "first_start": "2030-05-01 10:00", "minutes": "60", "days": "3", "stock": "5"})
    assert VoucherCampaign.objects.count() == 1 and campaign.rounds.count() == 1
    if roles:
        home = client.get("/admin/").content.decode()  # the menu is JSON in the page
        assert "/admin/voucher_campaigns/" not in home
        assert "/admin/voucher_suspicious/" not in home


@pytest.mark.django_db
def test_administrators_and_operators_see_the_menu(client, make_user):
    for role in ("operator", "administrator"):
        client.force_login(make_user(role))
        home = client.get("/admin/").content.decode()  # the menu is JSON in the page
        for url in ("voucher_campaigns", "voucher_dashboard", "voucher_statements",
                    "voucher_suspicious"):
            assert f"/admin/{url}/" in home
        assert json.dumps("消费券") in home
        for url in SCREENS:
            assert client.get(url).status_code == 200, (role, url)
