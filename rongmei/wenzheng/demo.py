"""Demo 问政 cases for the demo county: a few hundred across categories, tracks and statuses,
driven through the real services (so every event, deadline and assignment is consistent),
then spread over the past months so the dashboard and league table mean something.

``seed_cases(county, count=300, rng=random.Random(…))`` is idempotent: it tops the demo
cases up to ``count`` and does nothing when they are already there.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

CATEGORIES = [
    ("城乡建设", "县住房和城乡建设局", [{"name": "since", "label": "发生日期", "type": "date"}]),
    ("交通出行", "县交通运输局", [{"name": "plate", "label": "车牌号（如涉及）", "type": "text"}]),
    ("环境保护", "县生态环境局", []),
    ("市容城管", "县城市管理局", []),
    ("教育医疗", "县教育体育局", []),
    ("社会保障", "县人力资源和社会保障局", []),
    ("水电燃气", "县自来水公司", [{"name": "account", "label": "户号", "type": "text"}]),
    ("农业农村", "县农业农村局", []),
]
PROBLEMS = {
    "城乡建设": [("小区路灯坏了很久", "晚上出行很不安全，几盏路灯一直不亮，希望尽快修复。"),
             ("老旧小区外墙脱落", "外墙瓷砖经常掉落，楼下有小孩玩耍，存在安全隐患。")],
    "交通出行": [("公交站台缺少遮雨棚", "下雨天等车没有地方躲雨，老人小孩很不方便。"),
             ("路口红绿灯时间太短", "行人过马路时间不够，经常走到一半就变灯。")],
    "环境保护": [("河道有垃圾漂浮", "河里塑料袋和垃圾很多，气味难闻，希望定期清理。"),
             ("夜间工地噪音扰民", "晚上十点以后还在施工，影响周边居民休息。")],
    "市容城管": [("人行道被占道经营", "摊贩占用人行道，行人只能走机动车道，很危险。"),
             ("垃圾桶清运不及时", "垃圾桶满了好几天没人清运，苍蝇很多。")],
    "教育医疗": [("学校门口上下学拥堵", "接送车辆乱停，孩子过马路不安全，希望安排人员疏导。"),
             ("卫生院缺少儿科医生", "孩子看病要跑到县城，希望乡镇卫生院能有儿科门诊。")],
    "社会保障": [("养老金认证操作不会", "老人不会用手机认证，希望社区能上门帮忙。"),
             ("医保报销进度太慢", "材料交了一个多月还没有报销，不知道进度如何。")],
    "水电燃气": [("自来水经常停水", "最近一周停水三次，也没有提前通知。"),
             ("水压太低楼上没水", "五楼以上白天基本没有水，生活很不方便。")],
    "农业农村": [("村里机耕道损坏", "机耕道塌了一段，收割机进不了田。"),
             ("灌溉水渠堵塞", "水渠被淤泥堵住，下游的田放不了水。")],
}
REPLIES = ["经核实，已安排人员处理完毕，今后将加强日常巡查。",
           "已联系相关责任人现场查看，问题已整改到位，感谢您的监督。",
           "已纳入近期工作计划，预计两周内完成，届时将在此公布进展。"]


def ensure_categories(units_by_name) -> list:
    from .models import CaseCategory

    categories = []
    for order, (name, unit_name, fields) in enumerate(CATEGORIES):
        category, _ = CaseCategory.objects.get_or_create(name=name, defaults={
            "fields": fields, "sort_order": order * 10,
            "default_unit": units_by_name.get(unit_name)})
        categories.append(category)
    return categories


def seed_cases(county, count: int = 300, rng: random.Random | None = None) -> int:
    """Top the demo cases up to ``count``; ``county`` is the root unit. Returns the total."""
    from rongmei.accounts.models import User
    from rongmei.core.roles import GRID_LEADER, UNIT_HANDLER
    from rongmei.units.models import Unit, UnitKind, UnitMembership
    from rongmei.units.services import membership_add

    from . import services
    from .models import Case

    rng = rng or random.Random(20261126)
    have = Case.objects.filter(idempotency_key__startswith="demo-").count()
    if have >= count:
        return have
    units = list(Unit.objects.filter(path__startswith=county.path, is_active=True))
    by_name = {u.name: u for u in units}
    categories = ensure_categories(by_name)
    villages = [u for u in units if u.kind == UnitKind.COMMUNITY]
    departments = [u for u in units if u.kind in (UnitKind.DEPARTMENT, UnitKind.ENTERPRISE)]
    handler = User.objects.filter(groups__name="问政专员").first()
    propaganda = User.objects.filter(groups__name="宣传部").first()
    reviewer = User.objects.filter(groups__name="总编辑（终审）").first()
    if not (handler and propaganda and reviewer and villages and departments):
        return have
    residents = list(User.objects.filter(phone__startswith="152").order_by("pk")[:count * 2])
    if not residents:
        return have
    count = min(count, len(residents) * 4)  # stays under the per-resident submission limit
    # Every unit that may get cases needs someone to act for it (demo staff only).
    worker = {}

    def worker_for(unit, role):
        key = (unit.pk, role)
        if key not in worker:
            member = UnitMembership.objects.filter(unit=unit, role=role).select_related(
                "user").first()
            if member is None:
                user, _ = User.objects.get_or_create(
                    phone=f"1590{unit.pk:03d}{0 if role == UNIT_HANDLER else 1}{len(worker):03d}"[:11],
                    defaults={"name": f"{unit.display_name}{'办理员' if role == UNIT_HANDLER else '三长'}",
                              "password": "!demo-staff"})
                from django.contrib.auth.models import Group

                from rongmei.core.roles import ROLE_BY_CODE

                user.groups.add(Group.objects.get(name=ROLE_BY_CODE[role].name))
                membership_add(unit=unit, user=user, role=role)
                worker[key] = user
            else:
                worker[key] = member.user
        return worker[key]

    now = timezone.now()
    for i in range(have, count):
        resident = residents[i % len(residents)]
        category = rng.choice(categories)
        title, text = rng.choice(PROBLEMS[category.name])
        village = rng.choice(villages)
        track = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        outcome = rng.choices(["pending", "rejected", "processing", "answered", "closed"],
                              weights=[4, 3, 12, 8, 73])[0]
        with transaction.atomic():
            case = services.case_submit(
                user=resident, category_id=category.pk, title=f"{village.name}{title}",
                description=f"{village.name}：{text}", key=f"demo-{i}", area_id=village.pk,
                address=f"{village.name}{rng.randint(1, 90)}号附近",
                latitude=f"{26.8 + rng.random() * 0.4:.6f}",
                longitude=f"{116.1 + rng.random() * 0.5:.6f}",
                wants_public=rng.random() < 0.85, contact_preference="app",
                contact_name=resident.nickname)
            if outcome == "pending":
                pass
            elif outcome == "rejected":
                services.case_reject(actor=handler, case_id=case.pk,
                                     reason="反映的问题属于司法程序，不属于问政受理范围",
                                     referral="请向县人民法院咨询")
            else:
                services.case_accept(actor=handler, case_id=case.pk, track=track,
                                     priority=rng.choice(["normal", "normal", "urgent"]))
                if track == 1:
                    unit = category.default_unit or rng.choice(departments)
                    a = services.dispatch_to_unit(actor=handler, case_id=case.pk,
                                                  unit_id=unit.pk, contact_note="电话通知")
                    actor = worker_for(unit, UNIT_HANDLER)
                elif track == 2:
                    worker_for(village, GRID_LEADER)
                    a = services.dispatch_to_grid(actor=handler, case_id=case.pk)
                    actor = worker_for(village, GRID_LEADER)
                else:
                    b = services.briefing_draft(actor=handler, case_id=case.pk,
                                                title=f"关于{title}的舆情", body=text)
                    services.briefing_send_for_review(actor=handler, briefing_id=b.pk)
                    services.briefing_review(actor=reviewer, briefing_id=b.pk, approve=True)
                    services.briefing_submit(actor=handler, briefing_id=b.pk)
                    unit = category.default_unit or rng.choice(departments)
                    services.notice_issue(actor=propaganda, briefing_id=b.pk,
                                          lead_unit_id=unit.pk,
                                          assisting_unit_ids=[village.get_parent().pk],
                                          copied_to=["分管副县长"])
                    a = case.assignments.get(role="lead")
                    actor = worker_for(unit, UNIT_HANDLER)
                if outcome != "processing" or rng.random() < 0.6:
                    services.assignment_acknowledge(actor=actor, assignment_id=a.pk)
                    if rng.random() < 0.85:
                        services.contact_log(actor=actor, assignment_id=a.pk, method="phone",
                                             note="已电话联系反映人")
                    if rng.random() < 0.1:
                        req = services.extension_request(actor=actor, assignment_id=a.pk,
                                                         days=3, reason="需协调多个部门")
                        services.request_decide(actor=handler, request_id=req.pk, approve=True)
                if outcome in ("answered", "closed"):
                    reply = services.reply_draft(actor=actor, assignment_id=a.pk,
                                                 text=rng.choice(REPLIES))
                    services.reply_review(actor=handler, reply_id=reply.pk, approve=True)
                if outcome == "closed":
                    good = rng.random() < 0.8
                    services.case_rate(
                        user=resident, case_id=case.pk,
                        satisfaction=rng.choice(["satisfied", "basic"]) if good
                        else "unsatisfied", resolved=good or rng.random() < 0.3)
            _spread_in_time(case, now=now, days_ago=rng.randint(2, 180), rng=rng)
    return count


def _spread_in_time(case, *, now, days_ago: int, rng) -> None:
    """Move the whole case back by ``days_ago`` days, stretching its handling over working
    hours so timings differ; deadlines are moved with it and breaches recorded when late.

    Demo data never lies about time: every moment of the case — steps, replies, ratings,
    requests, documents, notifications — is moved back together, and the stretch never
    pushes one past now (a case seeded two days ago cannot have been answered next week)."""
    from django.db.models import DateTimeField

    from .models import (
        Briefing,
        Case,
        CaseAssignment,
        CaseDeadline,
        CaseEvent,
        CaseRating,
        CaseReply,
        Instruction,
        TransferNotice,
        UnitRequest,
    )

    # Stretch each step by a random number of hours: later steps end up later.
    stretch = timedelta(hours=rng.choice([2, 6, 20, 30, 60, 120, 200]))
    # The latest step lands at most 1.2 × stretch after the (shifted) submission; keep that
    # an hour short of now however recent the case is.
    shift = max(timedelta(days=days_ago), stretch * 1.2 + timedelta(hours=1))
    early, late = stretch / 10, stretch

    def move(queryset, offsets: dict | None = None, default=early):
        """Shift every date-time column of ``queryset`` back by ``shift``, then forward by
        its offset (``default`` unless named in ``offsets``); NULLs stay NULL."""
        offsets = offsets or {}
        fields = [f.name for f in queryset.model._meta.concrete_fields
                  if isinstance(f, DateTimeField) and not f.auto_now]
        queryset.update(**{name: F(name) - shift + offsets.get(name, default)
                           for name in fields})

    move(Case.objects.filter(pk=case.pk), {"created_at": timedelta(0), "answered_at": late,
                                            "closed_at": late * 1.2, "purged_at": timedelta(0)})
    for event in CaseEvent.objects.filter(case=case):
        extra = late if event.kind in ("answered", "rated", "closed", "reply_drafted") else early
        CaseEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - shift + extra)
    move(CaseAssignment.objects.filter(case=case),
         {"acknowledged_at": stretch / 8, "contacted_at": stretch / 6})
    move(UnitRequest.objects.filter(assignment__case=case))
    move(CaseReply.objects.filter(case=case), default=late)
    move(CaseRating.objects.filter(case=case), default=late)
    move(Briefing.objects.filter(case=case))
    move(TransferNotice.objects.filter(case=case))
    move(Instruction.objects.filter(case=case))
    from rongmei.notices.models import Notice

    from .services.notify import about

    move(Notice.objects.filter(about=about(case)), default=late)
    _redate_receipt(case)
    for d in CaseDeadline.objects.filter(case=case):
        met = None
        if d.met_at:
            met = d.met_at - shift + (late if d.step in ("reply", "close") else early)
        due = d.due_at - shift
        late_by_now = (met and met > due) or (met is None and d.cancelled_at is None and due < now)
        CaseDeadline.objects.filter(pk=d.pk).update(
            due_at=due, created_at=d.created_at - shift, met_at=met,
            cancelled_at=d.cancelled_at - shift if d.cancelled_at else None,
            reminded_at=d.reminded_at - shift if d.reminded_at else None,
            escalated_at=d.escalated_at - shift if d.escalated_at else None,
            breached_at=min(due + timedelta(minutes=10), met or now) if late_by_now else None)


def _redate_receipt(case) -> None:
    """A receipt number names the day the case was filed (WZ20260906…): after the case is
    moved back, the moved day, not the day the demo was seeded — in the case and in the
    notices and SMS that quote it."""
    from django.db.models import Value
    from django.db.models.functions import Replace

    from rongmei.notices.models import Notice

    from .models import Case
    from .services.notify import about

    case.refresh_from_db(fields=["receipt_no", "created_at"])
    old = case.receipt_no
    new = f"{old[:2]}{timezone.localtime(case.created_at):%Y%m%d}{old[10:]}"
    if new == old or Case.objects.filter(receipt_no=new).exists():
        return
    Case.objects.filter(pk=case.pk).update(receipt_no=new)
    case.receipt_no = new
    notices = Notice.objects.filter(about=about(case))
    notices.update(title=Replace("title", Value(old), Value(new)),
                   body=Replace("body", Value(old), Value(new)))
    for notice in notices.filter(sms_params__receipt=old):
        Notice.objects.filter(pk=notice.pk).update(
            sms_params={**notice.sms_params, "receipt": new})


ORDER = 70


def seed(ctx) -> str:
    """``rongmei seed_demo``: the demo county's cases (as many as residents, at most 300)."""
    from rongmei.units.models import Unit

    county = Unit.objects.get(code="LX")
    return f"问政 {seed_cases(county, count=min(300, ctx.scale), rng=random.Random(20261126))} 件"
