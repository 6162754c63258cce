"""Judges are named per contest in the console; only they score, only finalists, only their
own scores, through the console's 评委评分 screen (the access module asks the 评委 role and
the contest's list of judges)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rongmei.activities.models import Contest, ContestJudge, Entry, JudgeScore
from rongmei.tests_support import make_user

from .conftest import approved_entries, make_contest

pytestmark = pytest.mark.django_db


def console(contest):
    return f"/admin/activities/contests/{contest.pk}/"


def judging(contest):
    return f"/admin/activities/judging/{contest.pk}/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def final(client, ax):
    """A contest with two entries, the first a finalist, and two judges named."""
    contest = make_contest(ax.operator)
    first, second = approved_entries(ax.operator, contest, ax.people[:2])
    judges = [make_user(phone="13900000001", name="张评委"), make_user(phone="13900000002")]
    client.force_login(ax.operator)
    for judge in judges:
        client.post(console(contest), {"action": "judge_add", "phone": judge.phone})
    client.post(console(contest), {"action": "finalist", "entry": first.pk})
    return contest, first, second, judges


def test_named_judges_score_finalists_and_the_entry_keeps_their_mean(client, ax, final):
    contest, first, second, (one, two) = final
    assert ContestJudge.objects.filter(contest=contest).count() == 2
    client.force_login(one)
    listing = client.get("/admin/activities/judging/").content.decode()
    assert contest.title in listing
    page = client.get(judging(contest)).content.decode()
    assert first.title in page and second.title not in page
    client.post(judging(contest), {"entry": first.pk, "score": "90"})
    client.force_login(two)
    client.post(judging(contest), {"entry": first.pk, "score": "70.5"})
    assert Entry.objects.get(pk=first.pk).judge_score == Decimal("80.25")
    # A judge changes their own score, never another's.
    client.post(judging(contest), {"entry": first.pk, "score": "60"})
    scores = dict(JudgeScore.objects.values_list("judge__phone", "score"))
    assert scores == {"13900000001": Decimal("90.00"), "13900000002": Decimal("60.00")}
    assert Entry.objects.get(pk=first.pk).judge_score == Decimal("75.00")
    # A judge sees only their own score on the screen.
    page = client.get(judging(contest)).content.decode()
    assert 'value="60.00"' in page and "90.00" not in page


def test_only_named_judges_score_and_only_finalists(client, ax, final):
    contest, first, second, (one, _) = final
    outsider_judge = make_user("judge")  # a judge of some other contest
    for person in (ax.operator, ax.people[2], outsider_judge):
        client.force_login(person)
        client.post(judging(contest), {"entry": first.pk, "score": "99"})
    assert not JudgeScore.objects.exists()
    refused = client.post(judging(contest), {"entry": first.pk, "score": "99"}, follow=True)
    assert "您不是本次评选的评委" in refused.content.decode()
    client.force_login(one)
    answer = client.post(judging(contest), {"entry": second.pk, "score": "88"})
    assert "只能给入围决赛的作品打分" in messages_of(answer)
    answer = client.post(judging(contest), {"entry": first.pk, "score": "101"})
    assert "评分须为0至100的数字" in messages_of(answer)
    assert not JudgeScore.objects.exists()
    # Once the results are public, scores are final.
    Contest.objects.filter(pk=contest.pk).update(
        voting_opens=timezone.now() - timedelta(days=3),
        voting_closes=timezone.now() - timedelta(days=2),
        results_at=timezone.now() - timedelta(seconds=1))
    answer = client.post(judging(contest), {"entry": first.pk, "score": "80"})
    assert "结果已公布，评分不能再修改" in messages_of(answer)
    assert not JudgeScore.objects.exists()


def test_judges_are_named_by_operators_only_and_checked(client, ax, final):
    contest, first, _, (one, _) = final
    client.force_login(ax.people[2])
    client.post(console(contest), {"action": "judge_add", "phone": ax.people[2].phone})
    assert ContestJudge.objects.filter(contest=contest).count() == 2
    client.force_login(ax.operator)
    answer = client.post(console(contest), {"action": "judge_add", "phone": "13999999999"})
    assert "该手机号尚未注册，请评委先注册账号" in messages_of(answer)
    answer = client.post(console(contest), {"action": "judge_add", "phone": one.phone})
    assert "此人已是本次评选的评委" in messages_of(answer)
    # Once a judge has scored they stay, and a scored finalist stays in the final.
    client.force_login(one)
    client.post(judging(contest), {"entry": first.pk, "score": "90"})
    client.force_login(ax.operator)
    judge = ContestJudge.objects.get(contest=contest, user=one)
    answer = client.post(console(contest), {"action": "judge_remove", "judge": judge.pk})
    assert "该评委已打分，不能移除" in messages_of(answer)
    answer = client.post(console(contest), {"action": "not_finalist", "entry": first.pk})
    assert "评委已为该作品打分，不能取消入围" in messages_of(answer)
    assert Entry.objects.get(pk=first.pk).finalist
