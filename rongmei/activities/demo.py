"""The demo county's 活动: a contest in its voting stage ("莲乡红色故事我来讲": entries
approved and voted on), a prize quiz open today (a small bank through the Excel import), and
a public draw already drawn and verifiable. Goes through the services, so the limits, the
gate and the points ledger agree with what a real county would have."""

from __future__ import annotations

from datetime import timedelta

ORDER = 80  # after the residents, units and points rules

QUESTIONS = [
    ("单选", "莲乡县融媒体中心客户端的名称是？", ["融媒莲乡", "莲乡日报", "莲乡广播", "莲乡之声"], "A", "党史",
     "“融媒莲乡”是县融媒体中心的官方客户端，新闻、政务、服务都在里面。"),
    ("单选", "垃圾分类中，废旧电池属于哪一类？", ["可回收物", "有害垃圾", "厨余垃圾", "其他垃圾"], "B", "生活",
     "废旧电池含重金属，应投放到有害垃圾收集容器。"),
    ("多选", "下列哪些属于新时代文明实践的内容？", ["理论宣讲", "志愿服务", "移风易俗", "打牌娱乐"], "ABC", "文明",
     "理论宣讲、志愿服务、移风易俗都是新时代文明实践站的常见活动。"),
    ("判断", "遇到火灾时应乘坐电梯逃生。", [], "错误", "安全", "火灾时电梯可能断电停运，应走安全通道。"),
    ("判断", "拨打12345可以反映民生诉求。", [], "正确", "生活", "12345是政务服务便民热线，也可以在“问政”里留言。"),
    ("单选", "防范电信诈骗，接到自称“公检法”要求转账的电话应当？", ["立即转账", "挂断并报警", "提供验证码", "下载对方软件"], "B", "安全",
     "公检法机关不会通过电话要求转账，遇到此类电话请挂断并拨打110。"),
]


# 直播答题 has its own bank: a question a live quiz reveals never appears on a prize paper.
LIVE_QUESTIONS = [
    ("单选", "莲乡县的县花是什么？", ["荷花", "梅花", "菊花", "兰花"], "A", "县情"),
    ("判断", "白莲是莲乡县的地理标志产品。", [], "正确", "县情"),
    ("单选", "“红色故事我来讲”决赛在哪个平台直播？", ["融媒莲乡客户端", "报纸", "广播", "宣传栏"], "A", "县情"),
    ("多选", "下列哪些属于莲乡县的乡镇？", ["荷塘镇", "白水镇", "上塘镇", "北京镇"], "ABC", "县情"),
    ("判断", "反诈宣传中，陌生人索要验证码可以告诉对方。", [], "错误", "安全"),
    ("单选", "志愿服务时长在哪里可以查询？", ["志愿者之家", "问政", "商城", "直播"], "A", "文明"),
]


def _bank_workbook(questions=None) -> bytes:
    from rongmei.core.excel import workbook_bytes

    from .services import BANK_COLUMNS

    rows = []
    for kind, text, options, answer, category, *explanation in questions or QUESTIONS:
        padded = (options + [""] * 6)[:6]
        rows.append((kind, text, *padded, answer, "".join(explanation), category, "1"))
    return workbook_bytes("题库", BANK_COLUMNS, rows)


def _entrant_workbook(count: int) -> bytes:
    from rongmei.core.excel import workbook_bytes

    surnames = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
    return workbook_bytes("名单", ("编号", "姓名"),
                          [(f"{i + 1:04d}", surnames[i % 16] + "小" + "明红华军丽强"[i % 6])
                           for i in range(count)])


def _live_quizzes(operator, residents, bank, now) -> None:
    """直播答题: one played at last week's final (answered, revealed, ranked, points paid) and
    one ready for the host to run in the 直播间 (when 直播 is on)."""
    from django.apps import apps

    from rongmei.core.modules import module_is_on

    from . import services

    room = None
    if module_is_on("live"):
        room = apps.get_model("live", "LiveRoom").objects.order_by("-starts_at").first()
    played = services.live_quiz_create(
        actor=operator, title="红色故事决赛 现场直播答题", bank_id=bank.pk, answer_seconds=20,
        pass_score=60)
    start = now - timedelta(days=7)
    questions = list(bank.questions.order_by("pk")[:3])
    for step, question in enumerate(questions):
        pushed = start + timedelta(minutes=step)
        item = services.live_question_push(actor=operator, live_quiz_id=played.pk,
                                           question_id=question.pk, now=pushed)
        for index, user in enumerate(residents):
            right = (index + step) % 3 != 0 or index % 4 == 0
            choice = list(question.answer) if right else [
                next(i for i in range(len(question.options)) if i not in question.answer)]
            if question.kind != "multiple":
                choice = choice[:1]
            services.live_answer(user=user, live_quiz_id=played.pk, item_id=item.pk,
                                 choice=choice, now=pushed + timedelta(seconds=3 + index))
        services.live_reveal(actor=operator, live_quiz_id=played.pk,
                             now=pushed + timedelta(seconds=30))
    services.live_quiz_finish(actor=operator, live_quiz_id=played.pk,
                              now=start + timedelta(minutes=len(questions)))
    services.live_quiz_create(actor=operator, title="莲乡知识 直播答题", bank_id=bank.pk,
                              live_room_id=room.pk if room else None, answer_seconds=20)


def seed(ctx) -> str:
    from django.utils import timezone

    from rongmei.accounts.models import User
    from rongmei.units.demo import operator_phone

    from . import services
    from .models import Contest

    if Contest.objects.exists():
        return f"征集评选 {Contest.objects.count()} 个"
    operator = User.objects.filter(phone=operator_phone()).first()
    residents = list(User.objects.filter(phone__startswith="152").order_by("phone")[:12])
    if operator is None or len(residents) < 2:
        return ""
    now = timezone.now()
    start = now - timedelta(days=20)
    contest = services.contest_create(
        actor=operator, title="莲乡红色故事我来讲", organiser="莲乡县委宣传部、莲乡县融媒体中心",
        rules="讲述发生在莲乡的红色故事，图片配文字或纯文字均可。每人限交一件作品，审核通过后公开展示。"
              "投票期间每人每天可为每件作品投1票；评委评分占60%，网络投票占40%。"
              "刷票等异常投票经核实后作废并公示。",
        registration_opens=start, submission_closes=start + timedelta(days=10),
        voting_opens=start + timedelta(days=12), voting_closes=now + timedelta(days=5),
        results_at=now + timedelta(days=7), form_fields=["name", "phone", "school"],
        votes_per_day=1, vote_scope="entry", judge_weight=60)
    stories = ["红军桥的故事", "老区的第一所学校", "祖辈的扁担", "山路上的红旗", "一封家书"]
    entries = []
    authors = residents[:max(1, min(5, len(residents) - 1))]
    for index, (user, story) in enumerate(zip(authors, stories, strict=False)):
        name = (user.nickname or f"参赛者{index + 1}")[:20]
        services.registration_create(user=user, contest_id=contest.pk, answers={
            "name": name, "phone": user.phone, "school": "莲乡县第一中学"},
            now=start + timedelta(days=1))
        entries.append(services.entry_submit(
            user=user, contest_id=contest.pk, title=story, author_name=name,
            text=f"{story}：这是一段发生在莲乡的红色记忆，由{name}讲述。",
            now=start + timedelta(days=2)))
    for entry in entries[:4]:
        services.entry_review(actor=operator, entry_id=entry.pk, approve=True)
    voting_day = start + timedelta(days=13)
    for index, voter in enumerate(residents):
        for entry in entries[:1 + index % 4]:
            services.vote_cast(user=voter, entry_id=entry.pk, ip=f"10.0.0.{index + 1}",
                               device_id=f"demo-device-{index}", now=voting_day)

    report = services.import_bank(actor=operator, name="莲乡知识题库", data=_bank_workbook())
    from .models import QuestionBank

    bank = QuestionBank.objects.get(name="莲乡知识题库")
    services.quiz_create(actor=operator, title="学党史 知县情 有奖答题", bank_id=bank.pk,
                         question_count=5, time_limit_seconds=180, attempts_per_day=2,
                         pass_score=60, opens_at=now - timedelta(days=1),
                         closes_at=now + timedelta(days=30),
                         intro="每次随机抽取5道题，限时3分钟；60分及以上获得答题积分。")

    services.import_bank(actor=operator, name="直播答题题库",
                         data=_bank_workbook(LIVE_QUESTIONS))
    _live_quizzes(operator, residents, QuestionBank.objects.get(name="直播答题题库"), now)

    # Committed a week ago naming yesterday's 福彩3D issue, sealed before it, drawn today.
    draw = services.draw_create(actor=operator, title="莲乡县城区小学一年级学位公开摇号（演示）",
                                quota=5, description="20名报名儿童摇出5个学位，全程公证。",
                                public_value_source="福彩3D开奖号码（开奖日当期）",
                                public_value_on=timezone.localdate(now) - timedelta(days=1),
                                now=now - timedelta(days=7))
    services.entrants_import(actor=operator, draw_id=draw.pk, data=_entrant_workbook(20))
    services.draw_close(actor=operator, draw_id=draw.pk, now=now - timedelta(days=3))
    services.draw_run(actor=operator, draw_id=draw.pk, public_value="386", now=now)
    return f"征集评选 1 个（作品 {len(entries)} 件），题库 {report.created} 题，公开摇号 1 个"
