"""The demo county's 策划指挥: two vehicles and a live kit, residents' 爆料 (one adopted into
a topic, one waiting, one not used), a unit's 线索, this week's topics, and today's
assignments for the demo reporter and editor — so the board and 我的派单 have something."""

from __future__ import annotations

from datetime import timedelta

ORDER = 75  # after the newsroom and 问政

RESOURCES = [("采访车1号", "vehicle", "赣C·R1234 七座"), ("采访车2号", "vehicle", "赣C·R5678 五座"),
             ("直播背包A", "equipment", "5G聚合直播背包"), ("无人机", "equipment", "航拍")]
TIPS = [
    ("莲花节开幕前夜，荷塘镇万亩莲田灯光秀试灯", "今晚八点在荷塘镇莲田试灯，很多村民去看，场面很壮观。",
     "荷塘镇莲田"),
    ("解放路口红绿灯坏了两天", "解放路和建设大道交叉口的红绿灯一直黄灯闪，早晚高峰很堵。", "解放路口"),
    ("我家小狗走丢了", "想请电视台帮忙找狗。", ""),
]


def seed(ctx) -> str:
    from django.utils import timezone

    from rongmei.accounts.models import User
    from rongmei.units.demo import STAFF

    from .dispatch import assignment_create, assignment_respond
    from .events import coverage_plan, event_create
    from .models import Assignment, Resource, Tip, Topic
    from .services import (
        tip_report,
        tip_submit,
        tip_triage,
        topic_propose,
        topic_review,
    )

    for name, kind, note in RESOURCES:
        Resource.objects.get_or_create(name=name, defaults={"kind": kind, "note": note})
    if Tip.objects.exists():
        return f"线索 {Tip.objects.count()} 条，选题 {Topic.objects.count()} 个"
    phones = {code: phone for code, phone, _, _ in STAFF}
    admin = User.objects.get(phone=phones["administrator"])
    reporter = User.objects.get(phone=phones["reporter"])
    editor = User.objects.get(phone=phones["editor"])
    residents = list(User.objects.filter(is_staff=False, is_active=True)
                     .exclude(phone="").order_by("pk")[:3])
    tips = [tip_submit(sender=residents[i % len(residents)], title=title, body=body, place=place)
            for i, (title, body, place) in enumerate(TIPS)]
    tip_report(actor=reporter, title="县一中高考志愿填报公益讲座", place="县一中报告厅",
               body="县教育局周六上午在县一中举办志愿填报公益讲座，可做直播。")
    adopted = tip_triage(actor=admin, tip=tips[0], decision="adopt",
                         note="莲花节系列报道", planned_date=timezone.localdate())
    tip_triage(actor=admin, tip=tips[2], decision="reject", note="建议在民生信息发布寻物启事")
    topic = adopted.topic
    topic.sources, topic.outlets = "荷塘镇党委宣传委员、游客", ["app", "wechat", "douyin"]
    topic.save(update_fields=["sources", "outlets"])
    topic = topic_review(actor=admin, topic=topic, decision="approve")
    topic_propose(actor=reporter, title="老街改造一周年回访", angle="改造前后对比，商户和居民怎么说",
                  planned_date=timezone.localdate() + timedelta(days=2),
                  outlets=["app", "tv"], sources="老街商户、住建局")
    now = timezone.now()
    festival = event_create(actor=admin, title="第十届荷塘莲花节开幕式", kind="festival",
                            starts_at=now + timedelta(days=3),
                            ends_at=now + timedelta(days=3, hours=3), place="荷塘镇莲花广场",
                            description="开幕式、文艺演出和莲子采摘体验")
    coverage_plan(actor=admin, event=festival, kind="live", outlets=["app", "douyin"],
                  note="开幕式全程直播")
    coverage_plan(actor=admin, event=festival, kind="text", outlets=["app", "wechat"])
    start, end = now + timedelta(minutes=30), now + timedelta(hours=5)
    first = assignment_create(actor=admin, topic=topic, duty="reporter", assignee_id=reporter.pk,
                              starts_at=start, ends_at=end, place="荷塘镇莲田",
                              note="现场图文，20点前发客户端快讯")
    assignment_create(actor=admin, topic=topic, duty="camera", assignee_id=editor.pk,
                      starts_at=start, ends_at=end, place="荷塘镇莲田", note="航拍加短视频")
    vehicle = Resource.objects.get(name="采访车1号")
    assignment_create(actor=admin, topic=topic, duty="vehicle", resource_id=vehicle.pk,
                      starts_at=start, ends_at=end, place="荷塘镇莲田")
    assignment_respond(actor=reporter, assignment=first, accept=True)
    return (f"线索 {Tip.objects.count()} 条，选题 {Topic.objects.count()} 个，"
            f"派单 {Assignment.objects.count()} 条")
