"""公开摇号: draws on core.draw — commitment, the sealed list, the public value."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from rongmei.core import draw as draw_engine
from rongmei.core.crypto import keyed_hash
from rongmei.core.errors import NotFoundError, ServiceError

from ..models import (
    Attempt,
    DrawEntrant,
    DrawStatus,
    PublicDraw,
    Quiz,
)
from .common import ImportReport, check_link, check_operator, gate_texts

# --- public draws -------------------------------------------------------------------------------

DRAW_COLUMNS = ("编号", "姓名")


def draw_create(*, actor, title: str, quota: int, description: str = "",
                public_value_source: str = "", public_value_on=None, live_url: str = "",
                quiz_id: int | None = None, now: datetime | None = None) -> PublicDraw:
    """A draw whose seed is chosen now; only its SHA-256 (the commitment) is public, with the
    public draw that will supply the public value — its name and its day, after today.

    Both are fixed here because the seed sits in the database: whoever can read it and may
    pick the public value, or seal the list once that value is known, picks the winners.
    So the list is sealed before that day and the value entered after it (``draw_close``,
    ``draw_run``), as the vouchers' lottery does."""
    check_operator(actor, "只有运营人员可以发起公开摇号")
    title = (title or "").strip()
    if not 2 <= len(title) <= 60:
        raise ServiceError("title_required", "请填写2至60个字的摇号名称", field="title")
    if not 1 <= int(quota) <= 100_000:
        raise ServiceError("invalid_quota", "名额须在1至100000之间", field="quota")
    public_value_source = (public_value_source or "").strip()
    if not 2 <= len(public_value_source) <= 100:
        raise ServiceError("public_source_required", "请事先写明公开随机数的来源，"
                           "如某期福彩3D开奖号码（2至100字）", field="public_value_source")
    today = timezone.localdate(now or timezone.now())
    if not isinstance(public_value_on, date):
        raise ServiceError("public_value_on_required", "请填写这一期公开随机数的开奖日期",
                           field="public_value_on")
    if public_value_on <= today:
        raise ServiceError("public_value_on_too_early", "开奖日期须在今天之后：名单要在开奖日"
                           "之前封存", field="public_value_on")
    live_url = check_link(live_url, field="live_url")
    gate_texts(title=title, description=description, public_value_source=public_value_source)
    quiz = None
    if quiz_id is not None:
        quiz = Quiz.objects.filter(pk=quiz_id).first()
        if quiz is None:
            raise ServiceError("quiz_not_found", "所选答题活动不存在", field="quiz_id")
    seed = secrets.token_hex(16)
    return PublicDraw.objects.create(
        title=title, quota=int(quota), description=description.strip(), seed=seed,
        commitment=draw_engine.commitment(seed), public_value_source=public_value_source,
        public_value_on=public_value_on, live_url=live_url, quiz=quiz, created_by=actor)


def quiz_entrant_code(quiz_id: int, user_id: int) -> str:
    """A player's number in their quiz's prize draw: keyed, so the published list neither
    gives away account ids nor lets one quiz's list be matched with another's. The player
    sees theirs on the quiz page; the console finds a winner's account from it."""
    digest = keyed_hash(f"{quiz_id}:{user_id}", purpose="quiz-draw-code")
    return "Q" + digest[:10].upper()


def quiz_qualifiers(quiz: Quiz) -> list[tuple[str, str]]:
    """(code, name) of each person with an attempt at or above the pass mark: the list of a
    prize draw among a quiz's players (one place per person, however many attempts)."""
    users = (Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False,
                                    score__gte=max(quiz.pass_score, 1))
             .values_list("user_id", "user__nickname").distinct().order_by("user_id"))
    return sorted((quiz_entrant_code(quiz.pk, user_id), (nickname or "居民")[:20])
                  for user_id, nickname in users)


def quiz_winner_accounts(draw: PublicDraw) -> dict[str, int]:
    """code → account id of a quiz prize draw's winners (for the console to reach them)."""
    if draw.quiz_id is None or not draw.winners:
        return {}
    players = (Attempt.objects.filter(quiz_id=draw.quiz_id, submitted_at__isnull=False)
               .values_list("user_id", flat=True).distinct())
    codes = {quiz_entrant_code(draw.quiz_id, user_id): user_id for user_id in players}
    return {code: codes[code] for code in draw.winners if code in codes}


def _locked_draw(draw_id) -> PublicDraw:
    found = PublicDraw.objects.select_for_update().filter(pk=draw_id).first()
    if found is None:
        raise NotFoundError("摇号不存在")
    return found


def entrants_import(*, actor, draw_id: int, data: bytes) -> ImportReport:
    """The entrant list from .xlsx (编号, 姓名), while the list is open. All or nothing."""
    from rongmei.core.excel import read_sheet

    check_operator(actor, "只有运营人员可以导入摇号名单")
    workbook, header, rows, value = read_sheet(data, DRAW_COLUMNS, field="file")
    report = ImportReport()
    parsed = []
    try:
        missing = [c for c in DRAW_COLUMNS if c not in header]
        if missing:
            raise ServiceError("invalid_excel", "表头缺少列：" + "、".join(missing), field="file")
        existing = set(DrawEntrant.objects.filter(draw_id=draw_id).values_list("code", flat=True))
        seen: set[str] = set()
        for number, row in enumerate(rows, start=2):
            if not any(c not in (None, "") for c in row):
                continue
            problems = []
            code, name = value(row, "编号"), value(row, "姓名")
            if not code or len(code) > 20 or not code.isprintable() or code != code.strip():
                problems.append("编号不能为空，且不超过20个字符")
            elif code in seen or code in existing:
                problems.append(f"编号“{code}”重复")
            if not 1 <= len(name) <= 20:
                problems.append("姓名须为1至20个字")
            if problems:
                report.errors.append(f"第{number}行：" + "；".join(problems))
                continue
            seen.add(code)
            parsed.append((code, name))
    finally:
        workbook.close()
    if report.errors:
        return report
    if not parsed:
        report.errors.append("表格中没有数据行")
        return report
    with transaction.atomic():
        draw = _locked_draw(draw_id)
        if draw.status != DrawStatus.OPEN:
            raise ServiceError("list_closed", "名单已封存，不能再导入", status=409)
        DrawEntrant.objects.bulk_create([DrawEntrant(draw=draw, code=c, name=n)
                                         for c, n in parsed])
    report.created = len(parsed)
    return report


def draw_close(*, actor, draw_id: int, now: datetime | None = None) -> PublicDraw:
    """封存: the list is final; its digest is published."""
    check_operator(actor, "只有运营人员可以封存摇号名单")
    with transaction.atomic():
        draw = _locked_draw(draw_id)
        if draw.status != DrawStatus.OPEN:
            raise ServiceError("list_closed", "名单已封存", status=409)
        today = timezone.localdate(now or timezone.now())
        if draw.public_value_on is not None and today >= draw.public_value_on:
            raise ServiceError("sealed_too_late",
                               f"约定的开奖日期{draw.public_value_on:%Y-%m-%d}已到，名单须在"
                               "此之前封存；本次摇号不能再封存，请重新发起", status=409)
        if draw.quiz_id is not None:  # the players who qualified by now, fixed at sealing
            DrawEntrant.objects.bulk_create(
                [DrawEntrant(draw=draw, code=c, name=n) for c, n in quiz_qualifiers(draw.quiz)],
                ignore_conflicts=True)
        codes = list(draw.entrants.values_list("code", flat=True))
        if not codes:
            raise ServiceError("no_entrants", "名单为空，不能封存", status=409)
        draw.entries_digest = draw_engine.entries_digest(codes)
        draw.status, draw.closed_at = DrawStatus.CLOSED, now or timezone.now()
        draw.save(update_fields=["entries_digest", "status", "closed_at"])
        return draw


def _check_value_window(draw: PublicDraw, now: datetime) -> None:
    """The public value exists only after its day, and the list was sealed before that day
    (the rule of ``rongmei.vouchers.services.lottery``). A draw made before the day was asked
    for: at least a day after the seal."""
    today = timezone.localdate(now)
    sealed_on = timezone.localdate(draw.closed_at)
    draw_on = draw.public_value_on
    if draw_on is None:
        if today <= sealed_on:
            raise ServiceError("public_value_too_early", "公开随机数须在名单封存之后的日子录入",
                               field="public_value")
        return
    if sealed_on >= draw_on:
        raise ServiceError("sealed_too_late",
                           f"名单封存于{sealed_on:%Y-%m-%d}，不早于约定的开奖日期"
                           f"{draw_on:%Y-%m-%d}，不能用这一期号码摇号", status=409)
    if today <= draw_on:
        raise ServiceError("public_value_too_early",
                           f"“{draw.public_value_source}”{draw_on:%Y年%-m月%-d日}开奖，"
                           f"请在{draw_on + timedelta(days=1):%Y年%-m月%-d日}以后录入",
                           field="public_value")


def draw_run(*, actor, draw_id: int, public_value: str,
             now: datetime | None = None) -> PublicDraw:
    """摇号: the public value fixed after the close (e.g. a lottery number entered by the
    notary) completes the key; the engine orders the sealed list; the seed is revealed."""
    check_operator(actor, "只有运营人员可以执行摇号")
    public_value = (public_value or "").strip()
    if not public_value or len(public_value) > 100:
        raise ServiceError("public_value_required", "请填写封存后产生的公开随机数（不超过100字）",
                           field="public_value")
    with transaction.atomic():
        draw = _locked_draw(draw_id)
        if draw.status == DrawStatus.OPEN:
            raise ServiceError("list_open", "请先封存名单，再录入公开随机数", status=409)
        if draw.status == DrawStatus.DRAWN:
            raise ServiceError("already_drawn", "已经摇过号，结果不能重摇", status=409)
        _check_value_window(draw, now or timezone.now())
        codes = list(draw.entrants.values_list("code", flat=True))
        if draw_engine.entries_digest(codes) != draw.entries_digest:
            raise ServiceError("list_changed", "名单与封存时的指纹不一致，不能摇号", status=409)
        order = draw_engine.draw_order(seed=draw.seed, entries=codes, public_value=public_value)
        draw.winners = draw_engine.winners(order, draw.quota)
        draw.public_value, draw.status = public_value, DrawStatus.DRAWN
        draw.drawn_at = now or timezone.now()
        draw.save(update_fields=["winners", "public_value", "status", "drawn_at"])
        if draw.quiz_id is not None:
            _tell_quiz_winners(draw)
        return draw


def _tell_quiz_winners(draw: PublicDraw) -> None:
    """A quiz prize draw's winners hear it in their 消息 (their number alone means nothing
    to them until they look it up on the quiz page)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from rongmei.notices.services import notify

    accounts = quiz_winner_accounts(draw)
    winners = get_user_model().objects.filter(pk__in=accounts.values())
    notify(users=list(winners), kind="activities_prize",
           title=f"您在“{draw.quiz.title}”答题抽奖中中签",
           body=f"{draw.title}：您已中签，请留意主办方的领奖通知。",
           link=reverse("activities:draw", args=[draw.pk]), about=f"activities:draw:{draw.pk}")
