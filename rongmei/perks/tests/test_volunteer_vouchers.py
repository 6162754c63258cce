"""志愿者礼遇券: a voucher campaign only volunteers of a star level may take (issue 20's
礼遇), set in the vouchers console and enforced on every way in (the page, the API's grab,
the lottery sign-up)."""

from __future__ import annotations

import pytest

from rongmei.tests_support import make_campaign, make_user
from rongmei.vouchers.models import Voucher, VoucherCampaign
from rongmei.volunteers.models import Volunteer

CAMPAIGNS = "/admin/voucher_campaigns/"


def volunteer(phone, hours):
    user = make_user(phone=phone)
    Volunteer.objects.create(user=user, real_name="李志愿", total_minutes=hours * 60)
    return user


@pytest.mark.django_db
def test_only_volunteers_of_the_star_level_take_a_volunteer_voucher(client):
    campaign = make_campaign(stock=5, volunteer_min_stars=2)
    round_id = campaign.rounds.get().pk
    page = client.get(f"/vouchers/c/{campaign.pk}/").content.decode()
    assert "仅限2星及以上志愿者" in page
    assert "仅限2星及以上志愿者" in client.get("/vouchers/").content.decode()
    api = client.get(f"/api/v1/vouchers/campaigns/{campaign.pk}").json()
    assert api["volunteer_min_stars"] == 2 and api["audience"] == "仅限2星及以上志愿者"

    client.force_login(make_user(phone="13912345001"))
    resident = client.post(f"/api/v1/vouchers/rounds/{round_id}/grab")
    assert resident.status_code == 403 and resident.json()["code"] == "volunteers_only"
    assert resident.json()["message"] == "本券为志愿者礼遇，注册志愿者后才能领取"

    client.force_login(volunteer("13912345002", hours=150))  # one star
    one_star = client.post(f"/api/v1/vouchers/rounds/{round_id}/grab")
    assert one_star.status_code == 403
    assert one_star.json()["message"] == "本券限2星及以上志愿者领取，您目前是1星志愿者"
    page_try = client.post(f"/vouchers/r/{round_id}/grab/", {"campaign": campaign.pk},
                           follow=True)
    assert "本券限2星及以上志愿者领取" in page_try.content.decode()
    assert not Voucher.objects.exists()

    client.force_login(volunteer("13912345003", hours=300))  # two stars
    taken = client.post(f"/api/v1/vouchers/rounds/{round_id}/grab")
    assert taken.status_code == 200, taken.content
    assert Voucher.objects.count() == 1
    assert campaign.rounds.get().remaining == 4


@pytest.mark.django_db
def test_a_lottery_for_registered_volunteers_refuses_other_residents(client):
    from datetime import timedelta

    from django.utils import timezone

    campaign = make_campaign(volunteer_min_stars=0, distribution="lottery",
                             lottery_signup_until=timezone.now() + timedelta(days=3))
    client.force_login(make_user(phone="13912345004"))
    refused = client.post(f"/api/v1/vouchers/campaigns/{campaign.pk}/signup")
    assert refused.status_code == 403 and refused.json()["code"] == "volunteers_only"
    client.force_login(volunteer("13912345005", hours=0))  # registered, no stars yet
    assert client.post(f"/api/v1/vouchers/campaigns/{campaign.pk}/signup").status_code == 200


@pytest.mark.django_db
def test_the_console_sets_the_star_level_between_zero_and_five(client):
    client.force_login(make_user("operator"))
    form = {
        "title": "志愿者礼遇券", "description": "", "issuer": "government",
        "issuer_merchant": "", "category": "furniture", "face_value": "20",
        "threshold": "100", "per_person_limit": "1", "distribution": "grab",
        "lottery_signup_until": "", "valid_from": "", "valid_until": "", "valid_days": "30",
        "all_merchants_in_category": "on", "per_merchant_daily_limit": "",
    }
    bad = client.post(f"{CAMPAIGNS}new/", {**form, "volunteer_min_stars": "6"})
    assert bad.status_code == 200 and "最低星级须在0至5之间" in bad.content.decode()
    assert not VoucherCampaign.objects.exists()
    good = client.post(f"{CAMPAIGNS}new/", {**form, "volunteer_min_stars": "3"})
    assert good.status_code == 302, good.content.decode()[:2000]
    assert VoucherCampaign.objects.get().volunteer_min_stars == 3


@pytest.mark.django_db
def test_the_perks_page_points_volunteers_to_their_vouchers(client):
    assert "志愿者专享消费券" in client.get("/perks/").content.decode()
