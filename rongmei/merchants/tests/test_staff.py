"""Merchant staff: owners invite clerks (who accept by SMS code or in the app — nobody gets an
account they did not ask for), remove them, and see who redeemed what; a clerk who was let
go can no longer redeem or verify anything, on any door."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.accounts.models import SmsMessage, User
from rongmei.accounts.services import api_token_issue
from rongmei.core.roles import MERCHANT
from rongmei.mall import services as mall
from rongmei.merchants.models import MerchantInvitation, MerchantStaff, MerchantStaffEvent
from rongmei.tests_support import invitation_code, make_campaign, make_clerk, make_merchant
from rongmei.units.access import has_role
from rongmei.vouchers import codes
from rongmei.vouchers import services as vouchers
from rongmei.vouchers.models import Voucher

STRANGER = "13912348888"


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def shop(db):
    return make_merchant(name="莲城超市")


@pytest.fixture
def owner_client(client, shop):
    client.force_login(shop.applicant)
    return client


@pytest.mark.django_db
def test_inviting_a_number_creates_no_account_until_its_holder_accepts_by_code(
        client, owner_client, shop):
    response = owner_client.post(f"/merchants/mine/{shop.pk}/staff/", {"phone": STRANGER})
    assert response.status_code == 302
    # The number got an invitation SMS; nothing else happened to it.
    sms = SmsMessage.objects.get(phone=STRANGER, template="merchant_invite")
    assert "莲城超市邀请您成为店员" in sms.body
    assert not User.objects.filter(phone=STRANGER).exists()
    assert shop.staff.count() == 1
    page = text(owner_client.get("/merchants/mine/"))
    assert "待接受的邀请" in page and "139****8888" in page

    # Someone without the code gets nowhere, and wrong numbers and codes read the same.
    client.logout()
    wrong_code = client.post("/merchants/join/", {"phone": STRANGER, "code": "000000"})
    wrong_phone = client.post("/merchants/join/", {"phone": "13912340000",
                                                   "code": invitation_code(STRANGER)})
    assert wrong_code.status_code == wrong_phone.status_code == 400
    assert "手机号或邀请码不正确，或邀请已失效" in text(wrong_code)
    assert "手机号或邀请码不正确，或邀请已失效" in text(wrong_phone)
    assert not User.objects.filter(phone=STRANGER).exists()

    # The holder of the number types the code: now, and only now, there is an account.
    joined = client.post("/merchants/join/", {"phone": STRANGER,
                                              "code": invitation_code(STRANGER)}, follow=True)
    assert "您已成为“莲城超市”的店员" in text(joined)
    clerk = User.objects.get(phone=STRANGER)
    assert MerchantStaff.objects.filter(merchant=shop, user=clerk, role="clerk").exists()
    assert has_role(clerk, MERCHANT)
    assert joined.wsgi_request.user == clerk  # accepting signed them in
    # The code is spent.
    client.logout()
    again = client.post("/merchants/join/", {"phone": STRANGER,
                                             "code": invitation_code(STRANGER)})
    assert again.status_code == 400


@pytest.mark.django_db
def test_an_invitation_code_allows_five_wrong_guesses(client, owner_client, shop):
    owner_client.post(f"/merchants/mine/{shop.pk}/staff/", {"phone": STRANGER})
    client.logout()
    right = invitation_code(STRANGER)
    wrong = "111111" if right != "111111" else "222222"
    for _ in range(5):
        assert client.post("/merchants/join/", {"phone": STRANGER,
                                                "code": wrong}).status_code == 400
    assert client.post("/merchants/join/", {"phone": STRANGER, "code": right}).status_code == 400
    assert not User.objects.filter(phone=STRANGER).exists()


@pytest.mark.django_db
def test_a_resident_accepts_or_declines_in_the_app(client, shop, make_user):
    resident = make_user(phone="13912347777")
    other_shop = make_merchant(name="荷塘饭店", category="catering")
    client.force_login(shop.applicant)
    client.post(f"/merchants/mine/{shop.pk}/staff/", {"phone": resident.phone})
    client.force_login(other_shop.applicant)
    client.post(f"/merchants/mine/{other_shop.pk}/staff/", {"phone": resident.phone})

    client.force_login(resident)
    page = text(client.get("/merchants/mine/"))
    assert "莲城超市</strong> 邀请您成为店员" in page and "荷塘饭店</strong> 邀请您成为店员" in page
    first = MerchantInvitation.objects.get(merchant=shop)
    second = MerchantInvitation.objects.get(merchant=other_shop)
    # Someone else cannot answer an invitation that was not sent to their number.
    client.force_login(make_user())
    assert client.post(f"/merchants/invitations/{first.pk}/", {"answer": "accept"},
                       follow=True).status_code == 200
    assert not MerchantStaff.objects.filter(merchant=shop, role="clerk").exists()

    client.force_login(resident)
    client.post(f"/merchants/invitations/{first.pk}/", {"answer": "accept"})
    client.post(f"/merchants/invitations/{second.pk}/", {"answer": "decline"})
    assert MerchantStaff.objects.filter(merchant=shop, user=resident).exists()
    assert not MerchantStaff.objects.filter(merchant=other_shop, user=resident).exists()
    assert [e.action for e in MerchantStaffEvent.objects.filter(merchant=other_shop)] == [
        "declined", "invited"]


@pytest.mark.django_db
def test_an_expired_or_revoked_invitation_cannot_be_accepted(client, owner_client, shop):
    owner_client.post(f"/merchants/mine/{shop.pk}/staff/", {"phone": STRANGER})
    invitation = MerchantInvitation.objects.get()
    code = invitation_code(STRANGER)
    owner_client.post(f"/merchants/mine/{shop.pk}/invitations/{invitation.pk}/revoke/")
    client.logout()
    assert client.post("/merchants/join/", {"phone": STRANGER, "code": code}).status_code == 400

    owner_client.force_login(shop.applicant)
    owner_client.post(f"/merchants/mine/{shop.pk}/staff/", {"phone": STRANGER})
    MerchantInvitation.objects.filter(status="pending").update(
        expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    assert client.post("/merchants/join/", {
        "phone": STRANGER, "code": invitation_code(STRANGER)}).status_code == 400
    assert shop.staff.count() == 1 and not User.objects.filter(phone=STRANGER).exists()


@pytest.mark.django_db
def test_a_removed_clerk_can_redeem_and_verify_nothing_on_any_door(client, shop, make_user):
    clerk = make_clerk(shop)
    clerk_staff = MerchantStaff.objects.get(user=clerk)
    token = api_token_issue(user=clerk)
    campaign = make_campaign(face_value=2000, threshold=0, stock=10)
    # While employed, the clerk redeems one voucher (the owner will see it afterwards).
    done = vouchers.voucher_grab(user=make_user(), round_id=campaign.rounds.get().pk)
    client.force_login(clerk)
    assert client.post("/vouchers/redeem/", {
        "merchant": shop.pk, "bill_amount": "30",
        "token": codes.qr_token(done.pk, done.secret)}).status_code == 200

    # The owner removes the clerk from 我的店铺.
    client.force_login(shop.applicant)
    removed = client.post(f"/merchants/mine/{shop.pk}/staff/{clerk_staff.pk}/remove/")
    assert removed.status_code == 302
    assert not MerchantStaff.objects.filter(user=clerk).exists()
    assert not has_role(clerk, MERCHANT)

    voucher = vouchers.voucher_grab(user=make_user(), round_id=campaign.rounds.get().pk)
    product = mall.product_create(actor=shop.applicant, merchant_id=shop.pk, name="莲子",
                                  stock=5, price_cash=1000)
    mall.product_review(actor=make_user("operator"), product_id=product.pk, decision="approve")
    orders = [mall.order_place(user=make_user(), product_id=product.pk, quantity=1,
                               fulfilment="pickup", key=f"k{i}") for i in range(2)]

    client.force_login(clerk)  # their session is still open
    h5_redeem = client.post("/vouchers/redeem/", {
        "merchant": shop.pk, "bill_amount": "30",
        "token": codes.qr_token(voucher.pk, voucher.secret)})
    assert h5_redeem.status_code == 403
    h5_verify = client.post("/mall/verify/", {"code": orders[0].pickup_code})
    assert h5_verify.status_code in (403, 404)
    client.logout()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    api_redeem = client.post("/api/v1/vouchers/redeem", {
        "merchant_id": shop.pk, "bill_amount": 3000,
        "token": codes.qr_token(voucher.pk, voucher.secret)},
        content_type="application/json", **bearer)
    assert api_redeem.status_code == 403 and api_redeem.json()["code"] == "permission_denied"
    api_verify = client.post("/api/v1/mall/verify", {"code": orders[1].pickup_code},
                             content_type="application/json", **bearer)
    # Someone who works for no shop is refused before any code is looked up.
    assert api_verify.status_code == 403
    voucher.refresh_from_db()
    assert voucher.status == "issued"
    assert {o.status for o in type(orders[0]).objects.filter(pk__in=[o.pk for o in orders])} == {
        "reserved"}

    # The owner still sees who redeemed what, the removed clerk included.
    client.force_login(shop.applicant)
    records = text(client.get("/vouchers/redemptions/"))
    assert done.code in records and clerk.masked_phone in records
    assert "移除" in text(client.get("/merchants/mine/"))  # 店员变动记录


@pytest.mark.django_db
def test_clerks_see_their_own_redemptions_and_may_leave(client, shop, make_user):
    first, second = make_clerk(shop), make_clerk(shop)
    campaign = make_campaign(face_value=2000, threshold=0, stock=10)
    mine = {}
    for clerk in (first, second):
        voucher = vouchers.voucher_grab(user=make_user(), round_id=campaign.rounds.get().pk)
        vouchers.voucher_redeem(actor=clerk, merchant_id=shop.pk, bill_amount=5000,
                                token=codes.qr_token(voucher.pk, voucher.secret))
        mine[clerk.pk] = voucher.code
    client.force_login(first)
    page = text(client.get("/vouchers/redemptions/"))
    assert mine[first.pk] in page and mine[second.pk] not in page
    client.force_login(shop.applicant)
    page = text(client.get("/vouchers/redemptions/"))
    assert mine[first.pk] in page and mine[second.pk] in page
    assert Voucher.objects.filter(redeemed_by=second).count() == 1

    client.force_login(first)
    staff = MerchantStaff.objects.get(user=first)
    assert "退出本店" in text(client.get("/merchants/mine/"))
    # A clerk cannot remove a colleague, nor the owner.
    colleague = MerchantStaff.objects.get(user=second)
    assert client.post(f"/merchants/mine/{shop.pk}/staff/{colleague.pk}/remove/").status_code == 403
    owner = MerchantStaff.objects.get(user=shop.applicant)
    assert client.post(f"/merchants/mine/{shop.pk}/staff/{owner.pk}/remove/").status_code == 403
    client.post(f"/merchants/mine/{shop.pk}/staff/{staff.pk}/remove/")
    assert not MerchantStaff.objects.filter(user=first).exists()
    assert client.get("/vouchers/redemptions/").status_code == 403
    assert MerchantStaffEvent.objects.filter(merchant=shop, action="left").count() == 1
