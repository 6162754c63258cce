"""Voucher pages and API through the test client: what residents and merchants click."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.tests_support import give_realname, make_campaign, make_merchant
from rongmei.vouchers import codes
from rongmei.vouchers.models import Voucher, VoucherStatus


@pytest.mark.django_db
def test_campaign_list_and_page_for_anonymous_visitors(client):
    campaign = make_campaign(stock=7)
    listing = client.get("/vouchers/").content.decode()
    assert campaign.title in listing and "满100减20" in listing and "剩余 7 张" in listing
    page = client.get(f"/vouchers/c/{campaign.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "登录后抢券" in body
    assert page["X-Page-Cache"] == "miss"  # anonymous pages come from the page cache


@pytest.mark.django_db
def test_resident_grabs_from_the_campaign_page_and_sees_the_qr(client, make_user):
    resident = make_user()
    client.force_login(resident)
    campaign = make_campaign(stock=3)
    page = client.get(f"/vouchers/c/{campaign.pk}/").content.decode()
    assert "立即抢券" in page
    round_id = campaign.rounds.get().pk
    response = client.post(f"/vouchers/r/{round_id}/grab/", {"campaign": campaign.pk})
    voucher = Voucher.objects.get(user=resident)
    assert response.status_code == 302 and response["Location"] == f"/vouchers/wallet/{voucher.code}/"
    qr_page = client.get(response["Location"]).content.decode()
    assert "<svg" in qr_page and voucher.code in qr_page and "动态码" in qr_page
    data = client.get(f"/vouchers/wallet/{voucher.code}/qr.json").json()
    assert data["token"].startswith(f"RMV1.{voucher.pk}.") and len(data["dynamic_code"]) == 6
    wallet = client.get("/vouchers/wallet/").content.decode()
    assert voucher.code in client.get(f"/vouchers/wallet/{voucher.code}/").content.decode()
    assert campaign.title in wallet
    # Grabbing again: a clear message on the campaign page, nothing more issued.
    again = client.post(f"/vouchers/r/{round_id}/grab/", {"campaign": campaign.pk}, follow=True)
    assert "每人限领1张" in again.content.decode()
    assert Voucher.objects.count() == 1


@pytest.mark.django_db
def test_realname_campaign_sends_the_resident_to_register(client, make_user):
    client.force_login(make_user())
    campaign = make_campaign(require_realname=True)
    response = client.post(f"/vouchers/r/{campaign.rounds.get().pk}/grab/")
    assert response["Location"] == "/me/realname/"


@pytest.mark.django_db
def test_other_people_cannot_see_my_voucher(client, make_user):
    campaign = make_campaign()
    owner = make_user()
    client.force_login(owner)
    client.post(f"/vouchers/r/{campaign.rounds.get().pk}/grab/")
    code = Voucher.objects.get().code
    client.force_login(make_user())
    assert client.get(f"/vouchers/wallet/{code}/").status_code == 404
    assert client.get(f"/vouchers/wallet/{code}/qr.json").status_code == 404


@pytest.mark.django_db
def test_merchant_redeems_at_the_till_page(client, make_user):
    merchant = make_merchant()
    resident = make_user()
    campaign = make_campaign(threshold=10000)
    client.force_login(resident)
    client.post(f"/vouchers/r/{campaign.rounds.get().pk}/grab/")
    voucher = Voucher.objects.get()
    client.force_login(merchant.staff.get().user)
    assert client.get("/vouchers/redeem/").status_code == 200
    low = client.post("/vouchers/redeem/", {"merchant": merchant.pk, "bill_amount": "80",
                                            "token": codes.qr_token(voucher.pk, voucher.secret)})
    assert low.status_code == 400 and "消费满100元" in low.content.decode()
    bad = client.post("/vouchers/redeem/", {"merchant": merchant.pk, "bill_amount": "12.345",
                                            "token": codes.qr_token(voucher.pk, voucher.secret)})
    assert bad.status_code == 400 and "消费金额" in bad.content.decode()
    done = client.post("/vouchers/redeem/", {"merchant": merchant.pk, "bill_amount": "128.50",
                                             "code": voucher.code,
                                             "dynamic": codes.dynamic_code(voucher.secret)})
    assert done.status_code == 200
    text = done.content.decode()
    assert "核销成功" in text and "顾客实付 108.50 元" in text
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.REDEEMED and voucher.bill_amount == 12850


@pytest.mark.django_db
def test_residents_are_not_tills(client, make_user):
    client.force_login(make_user())
    assert client.get("/vouchers/redeem/").status_code == 403


@pytest.mark.django_db
def test_api_grab_wallet_qr_and_redeem(client, make_user):
    from rongmei.accounts.services import api_token_issue

    resident = make_user()
    give_realname(resident)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=resident)}"}
    campaign = make_campaign(stock=2, require_realname=True, threshold=0)
    listing = client.get("/api/v1/vouchers/campaigns").json()
    assert listing[0]["rule_text"] == "20元无门槛" and listing[0]["rounds"][0]["state"] == "open"
    round_id = listing[0]["rounds"][0]["id"]
    got = client.post(f"/api/v1/vouchers/rounds/{round_id}/grab", **auth)
    assert got.status_code == 200
    code = got.json()["code"]
    again = client.post(f"/api/v1/vouchers/rounds/{round_id}/grab", **auth)
    assert again.status_code == 409 and again.json()["code"] == "over_limit"
    qr = client.get(f"/api/v1/vouchers/wallet/{code}/qr", **auth).json()
    merchant = make_merchant()
    till = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=merchant.staff.get().user)}"}
    for absurd in (100_000_001, 2**63 - 1):  # past the till's 1,000,000 元: refused, unused
        refused = client.post("/api/v1/vouchers/redeem", json.dumps(
            {"merchant_id": merchant.pk, "bill_amount": absurd, "token": qr["token"]}),
            content_type="application/json", **till)
        assert refused.status_code in (400, 422), absurd
        assert refused.json()["field"] == "bill_amount", absurd
    redeemed = client.post("/api/v1/vouchers/redeem", json.dumps(
        {"merchant_id": merchant.pk, "bill_amount": 5000, "token": qr["token"]}),
        content_type="application/json", **till)
    assert redeemed.status_code == 200 and redeemed.json()["status"] == "redeemed"
    replay = client.post("/api/v1/vouchers/redeem", json.dumps(
        {"merchant_id": merchant.pk, "bill_amount": 5000, "token": qr["token"]}),
        content_type="application/json", **till)
    assert replay.status_code == 409 and replay.json()["code"] == "already_redeemed"


@pytest.mark.django_db
def test_api_early_grab_says_when_it_opens(client, make_user):
    from rongmei.accounts.services import api_token_issue

    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=make_user())}"}
    campaign = make_campaign(starts_at=timezone.now() + timedelta(minutes=10))
    response = client.post(f"/api/v1/vouchers/rounds/{campaign.rounds.get().pk}/grab", **auth)
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "round_not_open" and "starts_at" in payload
    assert client.post("/api/v1/vouchers/rounds/999999/grab", **auth).status_code == 404
    assert client.post(f"/api/v1/vouchers/rounds/{campaign.rounds.get().pk}/grab").status_code == 401


