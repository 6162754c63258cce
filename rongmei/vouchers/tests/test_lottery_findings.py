"""The adversarial review of the 报名摇号 (issue 15), through the console and the public
record: a public source already drawn is refused (its date must follow the sign-up close
and is published); the live entry list is not published while sign-up is open; the public
value is entered only after the named draw day, by a recorded person, and the draw runs
only when a second staff member — not the seed's committer — confirms it."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from rongmei.tests_support import make_campaign
from rongmei.vouchers.models import LotteryEntry, Voucher, VoucherCampaign

CAMPAIGNS = "/admin/voucher_campaigns/"
SEED = "县公证处见证-2030-家电券-9c1e"
SOURCE = "福彩3D开奖号码"

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user):
    return make_user("operator")


def draft_lottery(operator):
    campaign = make_campaign(creator=operator, stock=2, distribution="lottery",
                             lottery_signup_until=timezone.now() + timedelta(days=1))
    VoucherCampaign.objects.filter(pk=campaign.pk).update(status="draft")
    campaign.refresh_from_db()
    return campaign


def test_a_public_source_already_drawn_or_drawn_before_the_close_is_refused(client, operator):
    campaign = draft_lottery(operator)
    url = f"{CAMPAIGNS}inspect/{campaign.pk}/lottery/commit/"
    client.force_login(operator)
    today = timezone.localdate()
    for day in (today - timedelta(days=30), today, today + timedelta(days=1)):
        answer = client.post(url, {"seed": SEED, "public_source": f"{day:%Y年%-m月%-d日}福彩3D"
                                   "开奖号码（已开奖）", "public_draw_on": day.isoformat()})
        assert "公开号码须在报名截止之后才开奖" in answer.content.decode(), day
    assert "请填写这一期公开号码的开奖日期" in client.post(
        url, {"seed": SEED, "public_source": SOURCE}).content.decode()
    assert VoucherCampaign.objects.get().lottery_commitment == ""
    day = today + timedelta(days=3)
    client.post(url, {"seed": SEED, "public_source": SOURCE, "public_draw_on": day.isoformat()})
    campaign.refresh_from_db()
    assert campaign.lottery_public_draw_on == day and campaign.lottery_committed_by == operator
    client.post(f"{CAMPAIGNS}inspect/{campaign.pk}/publish/")
    client.logout()
    page = client.get(f"/vouchers/c/{campaign.pk}/lottery/").content.decode()
    assert f"{day.year}年{day.month}月{day.day}日（报名截止之后）" in page
    record = client.get(f"/vouchers/c/{campaign.pk}/lottery/record.json").json()
    assert record["public_draw_on"] == day.isoformat()


def test_the_entry_list_is_published_only_when_sealed(client, operator, make_user):
    campaign = draft_lottery(operator)
    client.force_login(operator)
    client.post(f"{CAMPAIGNS}inspect/{campaign.pk}/lottery/commit/", {
        "seed": SEED, "public_source": SOURCE,
        "public_draw_on": (timezone.localdate() + timedelta(days=3)).isoformat()})
    client.post(f"{CAMPAIGNS}inspect/{campaign.pk}/publish/")
    people = [make_user() for _ in range(3)]
    for person in people:
        client.force_login(person)
        client.post(f"/vouchers/c/{campaign.pk}/signup/")
    numbers = [str(n) for n in LotteryEntry.objects.values_list("number", flat=True)]
    client.logout()
    during = client.get(f"/vouchers/c/{campaign.pk}/lottery/record.json").json()
    assert "entries" not in during and during["entry_count"] == 3
    page = client.get(f"/vouchers/c/{campaign.pk}/lottery/").content.decode()
    verify = client.get(f"/vouchers/c/{campaign.pk}/lottery/verify/").content.decode()
    assert "已有 3 人报名" in page
    for number in numbers:
        assert number not in page and number not in verify
    VoucherCampaign.objects.filter(pk=campaign.pk).update(
        lottery_signup_until=timezone.now() - timedelta(minutes=2))
    client.force_login(operator)
    client.post(f"{CAMPAIGNS}inspect/{campaign.pk}/lottery/close/")
    client.logout()
    sealed = client.get(f"/vouchers/c/{campaign.pk}/lottery/record.json").json()
    assert sorted(sealed["entries"]) == sorted(numbers) and sealed["entries_digest"]


def test_the_public_value_waits_for_its_day_and_a_second_person_confirms_it(
        client, operator, make_user):
    notary, clerk = make_user("operator"), make_user("operator")
    campaign = draft_lottery(operator)
    inspect = f"{CAMPAIGNS}inspect/{campaign.pk}/"
    day = timezone.localdate() + timedelta(days=3)
    client.force_login(operator)
    client.post(f"{inspect}lottery/commit/", {"seed": SEED, "public_source": SOURCE,
                                              "public_draw_on": day.isoformat()})
    client.post(f"{inspect}publish/")
    for _ in range(4):
        client.force_login(make_user())
        client.post(f"/vouchers/c/{campaign.pk}/signup/")
    VoucherCampaign.objects.filter(pk=campaign.pk).update(
        lottery_signup_until=timezone.now() - timedelta(minutes=2))
    client.force_login(operator)
    client.post(f"{inspect}lottery/close/")

    # Before the named draw day is over, no value can be entered, let alone drawn.
    early = client.post(f"{inspect}lottery/value/", {"public_value": "3 0 7"})
    assert "以后录入" in early.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        assert "以后录入" in client.post(f"{inspect}lottery/value/",
                                      {"public_value": "3 0 7"}).content.decode()
    assert VoucherCampaign.objects.get().lottery_public_value == ""

    with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
        # The operator who knows the seed cannot draw alone: the draw needs a value first…
        alone = client.post(f"{inspect}lottery/draw/", {"seed": SEED, "public_value": "3 0 7"},
                            follow=True)
        assert "请先录入公开随机数" in alone.content.decode()
        client.force_login(clerk)
        client.post(f"{inspect}lottery/value/", {"public_value": "3 0 7"})
        campaign.refresh_from_db()
        assert campaign.lottery_value_entered_by == clerk
        assert campaign.lottery_value_entered_at is not None
        screen = client.get(inspect).content.decode()
        assert "3 0 7" not in screen  # the confirmer types it from the announcement
        # …and neither the committer nor the one who entered it may confirm it.
        for person in (operator, clerk):
            client.force_login(person)
            refused = client.post(f"{inspect}lottery/draw/",
                                  {"seed": SEED, "public_value": "3 0 7"}, follow=True)
            assert "开奖须由另一位工作人员复核" in refused.content.decode()
        client.force_login(notary)
        mismatch = client.post(f"{inspect}lottery/draw/", {"seed": SEED, "public_value": "3 0 8"})
        assert "与录入的公开随机数不一致" in mismatch.content.decode()
        assert not Voucher.objects.exists()
        drawn = client.post(f"{inspect}lottery/draw/", {"seed": SEED, "public_value": "3 0 7"},
                            follow=True)
        assert "开奖完成：2人中签" in drawn.content.decode()
    campaign.refresh_from_db()
    assert campaign.lottery_drawn_by == notary and campaign.lottery_public_value == "3 0 7"
    assert Voucher.objects.filter(campaign=campaign).count() == 2


def test_a_list_sealed_on_or_after_the_named_draw_day_cannot_be_drawn(client, operator,
                                                                       make_user):
    """Moving the sign-up deadline past the named draw (after the commit) does not help:
    the value of a draw held before the list was sealed is refused."""
    notary = make_user("operator")
    campaign = draft_lottery(operator)
    inspect = f"{CAMPAIGNS}inspect/{campaign.pk}/"
    day = timezone.localdate() + timedelta(days=3)
    client.force_login(operator)
    client.post(f"{inspect}lottery/commit/", {"seed": SEED, "public_source": SOURCE,
                                              "public_draw_on": day.isoformat()})
    client.post(f"{inspect}publish/")
    client.force_login(make_user())
    client.post(f"/vouchers/c/{campaign.pk}/signup/")
    later = timezone.now() + timedelta(days=5)
    with time_machine.travel(later, tick=False):
        VoucherCampaign.objects.filter(pk=campaign.pk).update(
            lottery_signup_until=later - timedelta(minutes=2))
        client.force_login(operator)
        client.post(f"{inspect}lottery/close/")
        refused = client.post(f"{inspect}lottery/value/", {"public_value": "5 8 1"}, follow=True)
        assert "本次摇号不能用这一期号码开奖" in refused.content.decode()
        client.force_login(notary)
        assert "请先录入公开随机数" in client.post(
            f"{inspect}lottery/draw/", {"seed": SEED, "public_value": "5 8 1"},
            follow=True).content.decode()
    assert not Voucher.objects.exists()
