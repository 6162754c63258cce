"""报名摇号 nobody can predict: random entry numbers, a list sealed at the close (closed
accounts left out), randomness fixed only after the close from a public value, and a result
anyone reproduces with the downloaded standard-library script from the published inputs."""

import hashlib
import json
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from rongmei.accounts.services import account_delete
from rongmei.core import draw
from rongmei.tests_support import make_campaign
from rongmei.vouchers import services
from rongmei.vouchers.models import LotteryEntry, Voucher, VoucherCampaign

CAMPAIGNS = "/admin/voucher_campaigns/"
SEED = "县公证处见证-2030-家电券-9c1e"
SOURCE = "2030年5月1日 福彩3D 第2030115期开奖号码"


@pytest.fixture
def operator(make_user):
    return make_user("operator")


@pytest.fixture
def notary(make_user):
    """The second pair of eyes: another operator, who confirms the public value."""
    return make_user("operator")


def draw_day():
    """The named public draw's day: after sign-up (which these tests close within a day)."""
    return timezone.localdate() + timedelta(days=3)


def after_draw_day():
    return timezone.now() + timedelta(days=4)


def commit(operator, campaign, seed=SEED):
    return services.lottery_commit(actor=operator, campaign=campaign, seed=seed,
                                   public_source=SOURCE, public_draw_on=draw_day())


def enter_and_draw(campaign, entered_by, confirmer, value, seed=SEED):
    later = after_draw_day()
    services.lottery_public_value_enter(actor=entered_by, campaign=campaign,
                                        public_value=value, now=later)
    return services.lottery_draw(actor=confirmer, campaign=campaign, seed=seed,
                                 public_value=value, now=later)


def draft_lottery(operator, **fields):
    campaign = make_campaign(creator=operator, stock=3, distribution="lottery",
                             lottery_signup_until=timezone.now() + timedelta(days=1), **fields)
    VoucherCampaign.objects.filter(pk=campaign.pk).update(status="draft")
    campaign.refresh_from_db()
    return campaign


def close_signup(campaign):
    """Move the deadline back past the minute's grace the seal waits for."""
    VoucherCampaign.objects.filter(pk=campaign.pk).update(
        lottery_signup_until=timezone.now() - timedelta(minutes=2))
    campaign.refresh_from_db()


def sign_up(client, campaign, person):
    client.force_login(person)
    return client.post(f"/vouchers/c/{campaign.pk}/signup/")


@pytest.mark.django_db
def test_the_draw_through_the_console_from_commitment_to_winners(client, operator, notary,
                                                                  make_user):
    campaign = draft_lottery(operator)
    inspect = f"{CAMPAIGNS}inspect/{campaign.pk}/"
    client.force_login(operator)
    # The commitment names the public draw that will supply the public value.
    missing = client.post(f"{inspect}lottery/commit/", {"seed": SEED, "public_source": "",
                                                        "public_draw_on": draw_day()})
    assert "请写明开奖时使用的公开随机数来源" in missing.content.decode()
    shown = client.post(f"{inspect}lottery/commit/", {"seed": SEED, "public_source": SOURCE,
                                                      "public_draw_on": draw_day()})
    body = shown.content.decode()
    assert shown.status_code == 200 and SEED in body and "离开本页后无法再次查看" in body
    campaign.refresh_from_db()
    assert campaign.lottery_commitment == hashlib.sha256(SEED.encode()).hexdigest()
    assert campaign.lottery_public_source == SOURCE and campaign.lottery_seed == ""
    client.post(f"{inspect}publish/")

    people = [make_user() for _ in range(8)]
    for person in people:
        assert sign_up(client, campaign, person).status_code == 302
    client.force_login(operator)
    early = client.post(f"{inspect}lottery/close/", follow=True)
    assert "报名截止1分钟后才能封存名单" in early.content.decode()
    close_signup(campaign)
    # No draw before the list is sealed.
    unsealed = client.post(f"{inspect}lottery/draw/", {"seed": SEED, "public_value": "5 8 1"},
                           follow=True)
    assert "请先在报名截止后封存报名名单" in unsealed.content.decode()
    sealed = client.post(f"{inspect}lottery/close/", follow=True)
    assert "名单已封存并公布指纹，8人参加摇号" in sealed.content.decode()
    campaign.refresh_from_db()
    numbers = [str(n) for n in LotteryEntry.objects.values_list("number", flat=True)]
    assert campaign.lottery_entries_digest == draw.entries_digest(numbers)
    assert campaign.lottery_quota == 3
    # Sign-up is over for good once sealed.
    client.force_login(make_user())
    late = client.post(f"/vouchers/c/{campaign.pk}/signup/", follow=True)
    assert "报名已截止" in late.content.decode()
    assert LotteryEntry.objects.count() == 8

    client.force_login(operator)
    traveller = time_machine.travel(after_draw_day(), tick=False)
    traveller.start()
    no_value = client.post(f"{inspect}lottery/value/", {"public_value": ""})
    assert "请录入公开随机数" in no_value.content.decode()
    client.post(f"{inspect}lottery/value/", {"public_value": "5 8 1"})
    client.force_login(notary)
    wrong = client.post(f"{inspect}lottery/draw/", {"seed": "not-the-seed-0123456789",
                                                    "public_value": "5 8 1"})
    assert "种子与事先公布的承诺不一致" in wrong.content.decode()
    assert not Voucher.objects.exists()

    drawn = client.post(f"{inspect}lottery/draw/", {"seed": SEED, "public_value": "5 8 1"},
                        follow=True)
    traveller.stop()
    assert "开奖完成：3人中签" in drawn.content.decode()
    expected = draw.winners(draw.draw_order(seed=SEED, entries=numbers, public_value="5 8 1"), 3)
    winners = LotteryEntry.objects.filter(won=True).select_related("user")
    assert sorted(str(w.number) for w in winners) == sorted(expected)
    assert {v.user for v in Voucher.objects.filter(campaign=campaign)} == {w.user for w in winners}


@pytest.mark.django_db
def test_entry_numbers_are_random_not_the_order_of_signing_up(client, operator, make_user):
    campaign = make_campaign(creator=operator, stock=3, distribution="lottery",
                             lottery_signup_until=timezone.now() + timedelta(days=1))
    commit(operator, campaign)
    people = [make_user() for _ in range(20)]
    for person in people:
        sign_up(client, campaign, person)
    numbers = [LotteryEntry.objects.get(user=person).number for person in people]
    assert len(set(numbers)) == 20
    assert all(10_000_000 <= n <= 99_999_999 for n in numbers)
    assert numbers != sorted(numbers)  # signing up later does not mean a larger number
    assert sum(1 for a, b in zip(numbers, numbers[1:]) if b == a + 1) < 3
    # The resident sees their number on the campaign page.
    client.force_login(people[0])
    page = client.get(f"/vouchers/c/{campaign.pk}/").content.decode()
    assert f"报名编号 {numbers[0]}（随机分配）" in page


@pytest.mark.django_db
def test_the_result_depends_on_the_public_value_nobody_knows_at_the_close():
    """Knowing the seed and the sealed list is not enough: until the public value exists,
    an insider cannot tell who wins."""
    entries = [str(10_000_000 + 7919 * i) for i in range(50)]
    outcomes = {tuple(sorted(draw.winners(draw.draw_order(
        seed=SEED, entries=entries, public_value=value), 5))) for value in ("581", "582", "583")}
    assert len(outcomes) == 3
    # And the same inputs always give the same order, whatever order the list is read in.
    assert draw.draw_order(seed=SEED, entries=entries, public_value="581") == draw.draw_order(
        seed=SEED, entries=list(reversed(entries)), public_value=" 581 ")
    with pytest.raises(draw.DrawError):
        draw.draw_order(seed=SEED, entries=[*entries, entries[0]], public_value="581")


@pytest.mark.django_db
def test_the_commitment_cannot_change_once_sign_up_has_started(operator, make_user):
    campaign = make_campaign(creator=operator, stock=3, distribution="lottery",
                             lottery_signup_until=timezone.now() + timedelta(days=1))
    commit(operator, campaign)
    services.lottery_signup(user=make_user(), campaign_id=campaign.pk)
    from rongmei.core.errors import ServiceError

    with pytest.raises(ServiceError) as exc:
        commit(operator, campaign, seed="another-seed-0123456789")
    assert exc.value.code in ("already_committed", "signup_started")


@pytest.mark.django_db
def test_closed_accounts_are_left_out_at_the_seal_and_forfeit_a_win_after_it(
        client, operator, notary, make_user):
    campaign = make_campaign(creator=operator, stock=2, distribution="lottery",
                             lottery_signup_until=timezone.now() + timedelta(days=1))
    commit(operator, campaign)
    people = [make_user() for _ in range(10)]
    for person in people:
        services.lottery_signup(user=person, campaign_id=campaign.pk)
    account_delete(user=people[0])  # 注销 before the close
    people[1].is_active = False  # disabled by an administrator
    people[1].save(update_fields=["is_active"])
    close_signup(campaign)
    call_command("vouchers_lottery_close", stdout=open("/dev/null", "w"))  # the timer
    campaign.refresh_from_db()
    excluded = set(LotteryEntry.objects.filter(excluded=True).values_list("user", flat=True))
    assert excluded == {people[0].pk, people[1].pk}
    sealed = [str(e.number) for e in LotteryEntry.objects.filter(excluded=False)]
    assert campaign.lottery_entries_digest == draw.entries_digest(sealed) and len(sealed) == 8

    # The first in the draw order closes their account after the list was sealed: the win is
    # forfeited and nobody moves up — so disabling accounts after the public value is known
    # cannot promote anyone.
    order = draw.draw_order(seed=SEED, entries=sealed, public_value="0 7 3")
    first = LotteryEntry.objects.get(number=int(order[0])).user
    account_delete(user=first)
    winners = enter_and_draw(campaign, operator, notary, "0 7 3")
    assert sorted(str(w.number) for w in winners) == sorted(order[:2])
    assert LotteryEntry.objects.get(number=int(order[0])).forfeited
    assert not LotteryEntry.objects.filter(number=int(order[2])).get().won
    assert Voucher.objects.filter(campaign=campaign).count() == 1
    assert not Voucher.objects.filter(user__in=[people[0], people[1], first]).exists()

    page = client.get(f"/vouchers/c/{campaign.pk}/lottery/").content.decode()
    assert page.count("未参加（账号已注销或停用）") == 2
    assert "中签（账号已注销，券未发放）" in page and page.count("<td>中签</td>") == 1


@pytest.mark.django_db
def test_the_seal_waits_a_minute_past_the_deadline(operator, make_user):
    from rongmei.core.errors import ServiceError

    campaign = make_campaign(creator=operator, stock=2, distribution="lottery",
                             lottery_signup_until=timezone.now() - timedelta(seconds=20))
    with pytest.raises(ServiceError) as exc:
        services.lottery_close(actor=operator, campaign=campaign)
    assert exc.value.code == "signup_open"
    assert services.lotteries_close_due() == 0
    assert services.lotteries_close_due(now=timezone.now() + timedelta(minutes=1)) == 1


@pytest.mark.django_db
def test_anyone_reproduces_the_draw_with_the_downloaded_script(client, operator, notary,
                                                               make_user, tmp_path):
    campaign = make_campaign(creator=operator, stock=3, distribution="lottery",
                             lottery_signup_until=timezone.now() + timedelta(days=1))
    commit(operator, campaign)
    for _ in range(12):
        services.lottery_signup(user=make_user(), campaign_id=campaign.pk)
    close_signup(campaign)
    services.lottery_close(actor=operator, campaign=campaign)
    # Before the draw the published inputs carry no seed and no result.
    before = client.get(f"/vouchers/c/{campaign.pk}/lottery/record.json").json()
    assert "seed" not in before and "winners" not in before and len(before["entries"]) == 12
    enter_and_draw(campaign, operator, notary, "9 2 6")

    client.logout()
    script = client.get("/draw/rongmei_draw.py")
    assert script["Content-Disposition"] == 'attachment; filename="rongmei_draw.py"'
    record = client.get(f"/vouchers/c/{campaign.pk}/lottery/record.json")
    (tmp_path / "rongmei_draw.py").write_bytes(script.content)
    (tmp_path / "record.json").write_bytes(record.content)
    published = json.loads(record.content)
    assert published["seed"] == SEED and published["public_value"] == "9 2 6"

    # -I: isolated mode, no site-packages and not this project — the standard library only.
    run = subprocess.run([sys.executable, "-I", "rongmei_draw.py", "record.json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    printed = run.stdout.split("中签编号：")[1].splitlines()[0].split()
    won = [str(n) for n in LotteryEntry.objects.filter(won=True).values_list("number", flat=True)]
    assert sorted(printed) == sorted(won)
    assert "核验通过" in run.stdout

    # A forged result does not pass.
    forged = dict(published, winners=published["entries"][:3])
    if sorted(forged["winners"]) == sorted(won):
        forged["winners"] = published["entries"][3:6]
    (tmp_path / "forged.json").write_text(json.dumps(forged, ensure_ascii=False), "utf-8")
    bad = subprocess.run([sys.executable, "-I", "rongmei_draw.py", "forged.json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "核验不通过" in bad.stdout


@pytest.mark.django_db
def test_the_record_page_explains_in_plain_words_and_the_formula_has_its_own_page(
        client, operator, make_user):
    campaign = make_campaign(creator=operator, stock=1, distribution="lottery",
                             lottery_signup_until=timezone.now() + timedelta(days=1))
    commit(operator, campaign)
    services.lottery_signup(user=make_user(), campaign_id=campaign.pk)
    record = client.get(f"/vouchers/c/{campaign.pk}/lottery/").content.decode()
    assert "这次摇号为什么谁也做不了手脚" in record and "报名编号是随机的" in record
    assert SOURCE in record and SEED not in record
    assert "HMAC" not in record  # the formula is on the verification page
    assert f"/vouchers/c/{campaign.pk}/lottery/verify/" in record
    verify = client.get(f"/vouchers/c/{campaign.pk}/lottery/verify/").content.decode()
    assert "HMAC-SHA256" in verify and "rongmei-draw-v1" in verify
    assert "/draw/rongmei_draw.py" in verify and "lottery/record.json" in verify
    assert campaign.__class__.objects.get().lottery_commitment in verify and SEED not in verify


@pytest.mark.django_db
def test_a_blank_seed_is_generated_and_shown_once_and_bad_seeds_are_refused(client, operator):
    campaign = draft_lottery(operator)
    url = f"{CAMPAIGNS}inspect/{campaign.pk}/lottery/commit/"
    client.force_login(operator)
    assert "种子须为16到64个字符" in client.post(url, {
        "seed": "short", "public_source": SOURCE, "public_draw_on": draw_day()}).content.decode()
    assert "种子最多64个字符" in client.post(url, {
        "seed": "x" * 65, "public_source": SOURCE, "public_draw_on": draw_day()}).content.decode()
    assert VoucherCampaign.objects.get().lottery_commitment == ""
    response = client.post(url, {"seed": "", "public_source": SOURCE,
                                 "public_draw_on": draw_day()})
    seed = response.context["seed"]
    assert len(seed) == 32 and seed in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert VoucherCampaign.objects.get().lottery_commitment == draw.commitment(seed)
    assert seed not in client.get(f"{CAMPAIGNS}inspect/{campaign.pk}/").content.decode()
