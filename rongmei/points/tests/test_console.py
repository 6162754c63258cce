"""The 积分 screens of the staff console: rules, manual adjustment, the ledger."""

import json
import re

import pytest

from rongmei.points import services
from rongmei.points.models import EarningRule, PointsAccount, PointsEntry

RULES = "/admin/points_rules/"
ADJUST = "/admin/points_adjust/"
ENTRIES = "/admin/points_entries/"
PHONE = "13912345678"


@pytest.fixture
def operator(make_user):
    return make_user("operator")


@pytest.fixture
def console(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def resident(make_user):
    return make_user(phone=PHONE)


def rule_form(rule, **overrides):
    data = {"action": rule.action, "label": rule.label, "points": rule.points,
            "daily_cap": rule.daily_cap, "is_active": "on" if rule.is_active else "",
            "sort_order": rule.sort_order}
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


# --- rules -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_operator_edits_a_rule_and_earning_follows_it(console, rules, resident):
    rule = rules["read_article"]
    listing = console.get(RULES).content.decode()
    assert "阅读文章" in listing and "每日上限" in listing
    response = console.post(f"{RULES}edit/{rule.pk}/", rule_form(rule, points=3, daily_cap=4,
                                                                 action="hacked"))
    assert response.status_code == 302, response.content.decode()[:3000]
    rule.refresh_from_db()
    assert (rule.action, rule.points, rule.daily_cap) == ("read_article", 3, 4)  # code fixed
    paid = [services.points_earn(user=resident, action="read_article", source=f"article:{n}")
            for n in range(3)]
    assert [e.amount if e else None for e in paid] == [3, 1, None]  # 3, then capped at 4
    assert PointsAccount.objects.get(user=resident).balance == 4


@pytest.mark.django_db
def test_the_action_code_is_read_only_after_creation(console, rules):
    page = console.get(f"{RULES}edit/{rules['quiz'].pk}/").content.decode()
    assert "行为代码创建后不能修改" in page
    action_input = re.search(r'<input[^>]*name="action"[^>]*>', page).group(0)
    assert 'value="quiz"' in action_input and " disabled" in action_input


@pytest.mark.django_db
def test_operator_adds_a_rule_and_switching_it_off_stops_pay(console, rules, resident):
    response = console.post(f"{RULES}new/", {"action": "live_watch", "label": "观看直播",
                                             "points": "2", "daily_cap": "6",
                                             "is_active": "on", "sort_order": "3"})
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = EarningRule.objects.get(action="live_watch")
    assert services.points_earn(user=resident, action="live_watch", source="live:1").amount == 2
    console.post(f"{RULES}edit/{rule.pk}/", rule_form(rule, is_active=""))
    assert services.points_earn(user=resident, action="live_watch", source="live:2") is None


@pytest.mark.django_db
def test_rules_cannot_be_deleted(console, rules):
    assert console.get(f"{RULES}delete/{rules['quiz'].pk}/").status_code == 404


# --- manual adjustment -----------------------------------------------------------------------

@pytest.mark.django_db
def test_operator_grants_points_by_hand_with_a_reason(console, operator, resident):
    response = console.post(ADJUST, {"phone": PHONE, "amount": "50", "note": "线下活动奖励"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "+50" in body and "调整后余额 <strong>50</strong>" in body
    assert "人工调整：线下活动奖励" in body and "139****5678" in body
    entry = PointsEntry.objects.get()
    assert (entry.kind, entry.amount, entry.actor) == ("adjust", 50, operator)


@pytest.mark.django_db
def test_manual_adjustment_needs_a_reason(console, resident):
    response = console.post(ADJUST, {"phone": PHONE, "amount": "50", "note": "  "})
    assert response.status_code == 400 and "请填写调整原因" in response.content.decode()
    assert not PointsEntry.objects.exists()


@pytest.mark.django_db
def test_deducting_below_zero_is_refused_in_chinese(console, operator, resident):
    services.points_adjust(actor=operator, user=resident, amount=10, note="补发")
    response = console.post(ADJUST, {"phone": PHONE, "amount": "-30", "note": "违规扣减"})
    assert response.status_code == 400
    assert "积分不足，当前可用10分" in response.content.decode()
    assert PointsAccount.objects.get(user=resident).balance == 10
    ok = console.post(ADJUST, {"phone": PHONE, "amount": "-4", "note": "违规扣减"})
    assert "调整后余额 <strong>6</strong>" in ok.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("data, message", [
    ({"phone": "123", "amount": "5", "note": "x"}, "请输入正确的11位手机号码"),
    ({"phone": "13900000001", "amount": "5", "note": "x"}, "没有找到这个手机号的用户"),
    ({"phone": PHONE, "amount": "0", "note": "x"}, "调整数量必须是非零整数"),
    ({"phone": PHONE, "amount": "1.5", "note": "x"}, "请填写整数"),
])
def test_adjustment_form_errors(console, resident, data, message):
    response = console.post(ADJUST, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not PointsEntry.objects.exists()


SCREENS = [RULES, f"{RULES}new/", ADJUST, ENTRIES]


@pytest.mark.django_db
@pytest.mark.parametrize("roles", [(), ("reporter",), ("editor",), ("merchant",)])
def test_non_operators_are_denied(client, make_user, rules, resident, roles):
    client.force_login(make_user(*roles))
    for url in SCREENS + [f"{RULES}edit/{rules['quiz'].pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] != url, url
    client.post(ADJUST, {"phone": PHONE, "amount": "500", "note": "自己加分"})
    client.post(f"{RULES}edit/{rules['quiz'].pk}/", rule_form(rules["quiz"], points=99))
    assert not PointsEntry.objects.exists()
    assert EarningRule.objects.get(action="quiz").points == 5
    if roles:
        home = client.get("/admin/").content.decode()  # the menu is JSON in the page
        assert ADJUST not in home and RULES not in home and ENTRIES not in home


@pytest.mark.django_db
def test_operators_and_administrators_see_the_menu(client, make_user, rules):
    for role in ("operator", "administrator"):
        client.force_login(make_user(role))
        home = client.get("/admin/").content.decode()
        assert json.dumps("积分") in home
        for url in (RULES, ADJUST, ENTRIES):
            assert url in home
        for url in SCREENS:
            assert client.get(url).status_code == 200, (role, url)


# --- the ledger ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_entries_list_masks_phones_filters_and_searches(console, operator, rules, resident,
                                                        make_user):
    other = make_user(phone="13700001111")
    services.points_earn(user=resident, action="quiz", source="quiz:1")
    services.points_earn(user=other, action="share", source="article:1")
    services.points_adjust(actor=operator, user=other, amount=8, note="补发")
    listing = console.get(ENTRIES).content.decode()
    assert "139****5678" in listing and "137****1111" in listing
    assert PHONE not in listing and "13700001111" not in listing
    assert "人工调整：补发" in listing and "+8" in listing
    found = console.get(ENTRIES, {"q": "5678"}).content.decode()
    assert "139****5678" in found and "137****1111" not in found
    adjusted = console.get(ENTRIES, {"kind": "adjust"}).content.decode()
    assert "人工调整：补发" in adjusted and "答题" not in adjusted.split("<tbody")[-1]
    quizzes = console.get(ENTRIES, {"action": "quiz"}).content.decode()
    assert "139****5678" in quizzes and "137****1111" not in quizzes


@pytest.mark.django_db
def test_the_ledger_has_no_edit_screens(console, rules, resident):
    entry = services.points_earn(user=resident, action="quiz", source="quiz:1")
    for url in (f"{ENTRIES}new/", f"{ENTRIES}edit/{entry.pk}/", f"{ENTRIES}delete/{entry.pk}/"):
        assert console.get(url).status_code == 404, url


@pytest.mark.django_db
def test_points_screens_are_all_chinese(console, operator, rules, resident):
    from rongmei.core.tests.test_console_chinese import ALLOWED_WORDS, english_words

    services.points_adjust(actor=operator, user=resident, amount=8, note="补发")
    allowed = ALLOWED_WORDS | {r.action for r in rules.values()} | {"adjust"} | set(
        "_".join(rules).split("_"))
    screens = {url: console.get(url) for url in SCREENS + [f"{RULES}edit/{rules['quiz'].pk}/"]}
    screens["adjust errors"] = console.post(ADJUST, {})
    for name, response in screens.items():
        assert response.status_code in (200, 400), name
        assert english_words(response.content.decode(), allowed) == {}, name
