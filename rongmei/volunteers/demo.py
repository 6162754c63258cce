"""The demo county's 志愿者之家: teams in townships, departments and schools, volunteers from
the demo residents, activities (one already served, hours confirmed and paid), 点单 at each
step and a 三长 service waiting for the township. Goes through the services, so the points
ledger and the counters agree with what a real county would have."""

from __future__ import annotations

from datetime import timedelta

ORDER = 75  # after the residents, units and points rules

TEAMS = [
    # (name, unit code, intro)
    ("莲乡县新时代文明实践志愿服务总队", "LX-D29", "县新时代文明实践中心直属，统筹全县志愿服务。"),
    ("莲城镇志愿服务队", "LX-T01", "助老、环境整治、文明劝导。"),
    ("荷塘镇志愿服务队", "LX-T02", "乡村振兴、政策宣讲。"),
    ("县卫健委医疗志愿服务队", "LX-D18", "义诊进村、健康讲座。"),
    ("莲乡县第一中学青年志愿者服务队", "LX-S01", "助学辅导、文明交通。"),
]
LEADER_PHONE = "13900000013"  # 谢明, the demo 志愿队长 of the 文明实践中心
GRID_LEADER_PHONE = "13900000011"


def seed(ctx) -> str:
    from django.utils import timezone

    from rongmei.accounts.models import User
    from rongmei.units.models import Unit

    from . import services
    from .models import Activity, MemberStatus, ServiceOrder, Team, TeamMember, Volunteer

    if Team.objects.exists():
        return f"志愿队伍 {Team.objects.count()} 支，志愿者 {Volunteer.objects.count()} 人"
    leader = User.objects.filter(phone=LEADER_PHONE).first()
    units = {u.code: u for u in Unit.objects.filter(code__in=[code for _, code, _ in TEAMS])}
    if leader is None or len(units) < len(TEAMS):
        return ""
    now = timezone.now()
    teams = [Team.objects.create(name=name, unit=units[code], intro=intro)
             for name, code, intro in TEAMS]
    lead = services.volunteer_register(user=leader, real_name=leader.name or "谢明",
                                       skills="组织协调")
    TeamMember.objects.create(team=teams[0], volunteer=lead, status=MemberStatus.ACTIVE,
                              is_leader=True, decided_at=now)
    residents = list(User.objects.filter(phone__startswith="152").order_by("phone")
                     [:min(60, max(ctx.scale, 6))])
    skills = ["助老", "医护", "维修", "文艺", "宣讲", "驾驶"]
    volunteers = []
    for index, user in enumerate(residents):
        volunteer = services.volunteer_register(
            user=user, real_name=(user.nickname or f"志愿者{index + 1}")[:20].ljust(2, "者"),
            skills=skills[index % len(skills)])
        volunteers.append(volunteer)
        TeamMember.objects.create(team=teams[index % len(teams)], volunteer=volunteer,
                                  status=MemberStatus.PENDING if index % 10 == 9
                                  else MemberStatus.ACTIVE, decided_at=now)

    # One activity already served last week: signed up, checked in and out by the leader's
    # hand (the demo has no phones to scan with), hours confirmed, points paid.
    past_start = (now - timedelta(days=7)).replace(hour=1, minute=0, second=0, microsecond=0)
    served = services.activity_create(
        actor=leader, team_id=teams[0].pk, title="莲花社区助老敬老志愿服务",
        place="莲城镇莲花社区居家养老服务中心", starts_at=past_start,
        ends_at=past_start + timedelta(hours=3), capacity=20,
        description="为社区老人理发、测血压、打扫卫生。", now=past_start - timedelta(days=2))
    for volunteer in volunteers[:6]:
        services.signup_create(user=volunteer.user, activity_id=served.pk,
                               now=past_start - timedelta(days=1))
    for signup in served.signups.all():
        services.manual_check(actor=leader, signup_id=signup.pk, mode="in", reason="现场登记",
                              at=past_start, now=past_start + timedelta(hours=4))
        services.manual_check(actor=leader, signup_id=signup.pk, mode="out",
                              reason="现场登记", at=past_start + timedelta(hours=3),
                              now=past_start + timedelta(hours=4))
        services.hours_confirm(actor=leader, signup_id=signup.pk,
                               now=past_start + timedelta(hours=5))

    upcoming = [
        ("文明交通劝导", "莲城镇解放路与建设大道路口", 2, 10),
        ("白莲湖环境整治", "白水镇白莲湖景区", 4, 30),
        ("政策宣讲进村入户", "荷塘镇上塘村村委会", 6, 8),
    ]
    for title, place, days, capacity in upcoming:
        start = (now + timedelta(days=days)).replace(hour=1, minute=30, second=0,
                                                     microsecond=0)
        activity = services.activity_create(
            actor=leader, team_id=teams[0].pk, title=title, place=place, starts_at=start,
            ends_at=start + timedelta(hours=2, minutes=30), capacity=capacity, now=now)
        for volunteer in volunteers[6:6 + min(capacity - 2, len(volunteers) - 6)]:
            services.signup_create(user=volunteer.user, activity_id=activity.pk, now=now)

    # 点单 at each step.
    from .models import MenuItem

    menu = list(MenuItem.objects.order_by("sort_order")[:3])
    area = Unit.objects.filter(code="LX-T01-C01").first()
    if menu and area and residents:
        services.order_create(user=residents[0], item_id=menu[0].pk, area_id=area.pk,
                              address="莲花社区3栋2单元", request="独居老人需要打扫卫生")
        second = services.order_create(user=residents[1 % len(residents)],
                                       item_id=menu[1 % len(menu)].pk, area_id=area.pk,
                                       address="莲花社区卫生室门口")
        services.order_dispatch(actor=leader, order_id=second.pk, team_id=teams[0].pk)
    grid = User.objects.filter(phone=GRID_LEADER_PHONE).first()
    if grid is not None and area is not None:
        services.grid_service_record(actor=grid, unit_id=area.pk, kind="visit",
                                     description="走访独居老人3户，协调解决屋顶漏雨问题",
                                     served_on=timezone.localdate(now))
    return (f"志愿队伍 {Team.objects.count()} 支，志愿者 {Volunteer.objects.count()} 人，"
            f"活动 {Activity.objects.count()} 场，点单 {ServiceOrder.objects.count()} 件")
