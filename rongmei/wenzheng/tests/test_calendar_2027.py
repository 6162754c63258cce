"""Deadlines right in 2027 and after: chinese-calendar knows nothing past 2026, so without an
entered 节假日安排 January and February 2027 count Monday to Friday (and the console says
so from 1 November); an operator enters the year from Excel, and the deadlines already
running move later — never earlier — with the move logged on each case."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command

from rongmei.core.roles import OPERATOR
from rongmei.wenzheng.models import CaseDeadline, CaseEvent, DeadlineStep, EventKind

from .conftest import SCHEDULE_2027, at, dispatch_simple, local_day, notices_of, submit, xlsx

pytestmark = pytest.mark.django_db


def due(case, step) -> str:
    return local_day(CaseDeadline.objects.filter(case=case, step=step).latest("pk").due_at)


def import_schedule(client, user, rows=SCHEDULE_2027):
    client.force_login(user)
    return client.post("/admin/wenzheng_holidays/", {"action": "import", "file": xlsx(rows)},
                       follow=True)


def test_without_a_schedule_2027_counts_monday_to_friday_and_the_console_warns(client, wz,
                                                                             make_user):
    operator = make_user(OPERATOR)
    with time_machine.travel(at("2026-10-31", "09:00"), tick=False) as clock:
        call_command("wenzheng_tick")
        assert not notices_of(operator, "wenzheng_calendar").exists()
        client.force_login(operator)
        assert 'data-testid="calendar-warning"' not in client.get("/admin/").content.decode()

        clock.move_to(at("2026-11-01", "09:00"))  # from 1 November: warn, once
        call_command("wenzheng_tick")
        call_command("wenzheng_tick")
        todo = notices_of(operator, "wenzheng_calendar", open_todo=True).get()
        assert "2027年节假日安排" in todo.title
        home = client.get("/admin/").content.decode()
        assert 'data-testid="calendar-warning"' in home and "2027年" in home
        screen = client.get("/admin/wenzheng_holidays/?year=2027").content.decode()
        assert "未录入：按周一至周五计算" in screen

        clock.move_to(at("2026-12-31", "10:00"))  # Thursday
        case = submit(wz)
        assert due(case, DeadlineStep.REVIEW) == "2027-01-01"  # 元旦, counted as a Friday
        clock.move_to(at("2027-02-05", "10:00"))  # Friday before the Spring Festival
        later = submit(wz, title="春节前反映的问题")
        assert due(later, DeadlineStep.REVIEW) == "2027-02-08"  # inside the holiday

        import_schedule(client, operator)
        todo.refresh_from_db()
        assert todo.done_at is not None  # entering the year closes the reminder
        client.force_login(operator)
        assert 'data-testid="calendar-warning"' not in client.get("/admin/").content.decode()


def test_an_imported_2027_schedule_moves_running_deadlines_later_never_earlier(client, wz,
                                                                             make_user):
    operator = make_user(OPERATOR)
    with time_machine.travel(at("2027-01-28", "10:00"), tick=False) as clock:  # Thursday
        early, _ = dispatch_simple(client, wz, wz.county.housing)
        # Reply, simple and normal: 7 working days. Monday to Friday: 29 Jan, 1–5 Feb, 8 Feb.
        assert due(early, DeadlineStep.REPLY) == "2027-02-08"

        clock.move_to(at("2027-02-04", "10:00"))  # Thursday
        late, _ = dispatch_simple(client, wz, wz.county.baishui, title="春节前转办的问题")
        assert due(late, DeadlineStep.REPLY) == "2027-02-15"

        clock.move_to(at("2027-02-05", "10:00"))  # Friday: not triaged in time...
        waiting = submit(wz, title="节前最后一天提交的问题")
        assert due(waiting, DeadlineStep.REVIEW) == "2027-02-08"
        clock.move_to(at("2027-02-09", "00:10"))  # ...so a breach lands in the holiday
        call_command("wenzheng_tick")
        review = CaseDeadline.objects.get(case=waiting, step=DeadlineStep.REVIEW)
        assert review.breached_at is not None

        clock.move_to(at("2027-02-10", "09:00"))  # the schedule is entered mid-holiday
        page = import_schedule(client, operator).content.decode()
        assert "已导入2027年节假日安排，共14天" in page

        # With the make-up Sunday (31 Jan) the first case would be due on 5 Feb: it stays
        # on 8 Feb, the date already given; its close deadline, counted from there across
        # the holiday, moves from 11 to 17 Feb.
        assert due(early, DeadlineStep.REPLY) == "2027-02-08"
        assert due(early, DeadlineStep.CLOSE) == "2027-02-17"
        # 5 Feb, then 15–19 Feb, and the make-up Saturday 20 Feb.
        assert due(late, DeadlineStep.REPLY) == "2027-02-20"
        review.refresh_from_db()
        assert local_day(review.due_at) == "2027-02-15" and review.breached_at is None
        logged = CaseEvent.objects.get(case=late, kind=EventKind.DEADLINES_RECOMPUTED)
        assert "答复期限由2027-02-15顺延至2027-02-20" in logged.note
        assert logged.actor == operator and not logged.public
        early_log = CaseEvent.objects.get(case=early, kind=EventKind.DEADLINES_RECOMPUTED)
        assert "答复期限" not in early_log.note
        assert "办结期限由2027-02-11顺延至2027-02-17" in early_log.note
        # The citizen sees the date they were promised.
        client.force_login(wz.resident)
        assert "2027年2月20日" in client.get(f"/wenzheng/mine/{late.pk}/").content.decode()

        # A deadline that now falls after the holiday is not breached again during it.
        clock.move_to(at("2027-02-12", "00:10"))
        call_command("wenzheng_tick")
        review.refresh_from_db()
        assert review.breached_at is None


def test_with_the_schedule_entered_new_deadlines_skip_2027_holidays(client, wz, make_user):
    operator = make_user(OPERATOR)
    with time_machine.travel(at("2026-12-20", "10:00"), tick=False) as clock:
        import_schedule(client, operator)
        clock.move_to(at("2026-12-31", "10:00"))
        case = submit(wz)
        assert due(case, DeadlineStep.REVIEW) == "2027-01-04"  # after 元旦 (1–3 January)
        clock.move_to(at("2027-01-29", "10:00"))  # Friday; Sunday 31 January is a work day
        case = submit(wz, title="一月底提交的问题")
        assert due(case, DeadlineStep.REVIEW) == "2027-01-31"
        clock.move_to(at("2027-02-05", "10:00"))
        case = submit(wz, title="春节前提交的问题")
        assert due(case, DeadlineStep.REVIEW) == "2027-02-15"
        client.force_login(operator)
        screen = client.get("/admin/wenzheng_holidays/?year=2027").content.decode()
        assert "已录入" in screen and "2027-02-20" in screen


def test_a_day_is_entered_and_removed_by_hand(client, wz, make_user):
    operator = make_user(OPERATOR)
    with time_machine.travel(at("2027-03-01", "10:00"), tick=False):  # Monday
        case = submit(wz)
        assert due(case, DeadlineStep.REVIEW) == "2027-03-02"
        client.force_login(operator)
        client.post("/admin/wenzheng_holidays/?year=2027", {
            "action": "add", "day": "2027-03-02", "kind": "holiday", "name": "测试假日"})
        assert due(case, DeadlineStep.REVIEW) == "2027-03-03"
        from rongmei.wenzheng.holidays import HolidayDay

        entry = HolidayDay.objects.get(day="2027-03-02")
        client.post("/admin/wenzheng_holidays/?year=2027", {"action": "delete",
                                                            "entry": entry.pk})
        assert not HolidayDay.objects.exists()
        assert due(case, DeadlineStep.REVIEW) == "2027-03-03"  # never earlier


def test_bad_sheets_are_refused_with_row_numbers_and_nothing_is_written(client, wz, make_user):
    from rongmei.wenzheng.holidays import HolidayDay, HolidaySchedule

    operator = make_user(OPERATOR)
    page = import_schedule(client, operator, rows=[
        ("2027-01-01", "放假", "元旦"), ("2027-13-01", "放假", ""), ("2027-01-31", "加班", "")
    ]).content.decode()
    assert "第3行" in page and "第4行" in page
    assert not HolidaySchedule.objects.exists() and not HolidayDay.objects.exists()
    client.force_login(operator)
    answer = client.post("/admin/wenzheng_holidays/", {
        "action": "import", "file": xlsx([("2027-01-01", "放假")], header=("日子", "类型"))},
        follow=True)
    assert "缺少“日期”列" in answer.content.decode()
    # Only operators and the newsroom keep the calendar.
    client.force_login(wz.unit_handler)
    assert client.get("/admin/wenzheng_holidays/").status_code in (302, 403)
    client.force_login(wz.propaganda)
    assert client.get("/admin/wenzheng_holidays/").status_code == 302
