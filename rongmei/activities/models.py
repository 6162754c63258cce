"""活动: contests with public voting (征集评选), prize quizzes (有奖答题) and public draws
(公开摇号) anyone can verify.

The limits that matter under a crowd are database constraints, not checks in Python:

* a vote takes a numbered slot — ``(contest, voter, day, scope, slot)`` is unique and
  ``slot`` is at most the rule's N (the service refuses a slot past N), so N votes per person
  per day (per entry when ``scope`` is the entry, per contest when it is 0) hold exactly
  however many requests race;
* a quiz attempt takes a numbered slot per person per day the same way.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# --- contests -----------------------------------------------------------------------------------


class VoteScope(models.TextChoices):
    ENTRY = "entry", "每人每天每件作品"
    CONTEST = "contest", "每人每天本次评选"


class CountDisplay(models.TextChoices):
    """How the public sees the counts while voting runs (``selectors.public_count``). Once
    the results are public every count is shown exactly, as on the results page."""

    EXACT = "exact", "实时精确"
    ROUNDED = "rounded", "取整显示"
    DELAYED = "delayed", "定时刷新"
    HIDDEN = "hidden", "结果公布前不显示"


COUNT_ROUNDING = [(10, "取整到十位"), (100, "取整到百位")]


REGISTRATION_FIELDS = {
    # code: (label, max length)
    "name": ("姓名", 20),
    "phone": ("手机号", 11),
    "school": ("学校或单位", 40),
    "id_number": ("身份证号", 18),
    "note": ("补充说明", 200),
}


class FieldType(models.TextChoices):
    TEXT = "text", "文字"
    CHOICE = "choice", "选择"
    PHOTO = "photo", "照片"


def registration_photo_path(instance, filename):
    from rongmei.core.uploads import stored_name

    return stored_name("private/activity-registrations", filename)


class ProposalStatus(models.TextChoices):
    """A contest a 分端 proposes is not public until the center approves it."""

    NONE = "", "中心发起"
    PENDING = "pending", "待中心审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"


class Contest(models.Model):
    title = models.CharField("评选名称", max_length=60)
    rules = models.TextField("评选规则", blank=True)
    organiser = models.CharField("主办单位", max_length=60, blank=True)
    registration_opens = models.DateTimeField("报名开始")
    submission_closes = models.DateTimeField("作品征集截止")
    voting_opens = models.DateTimeField("投票开始")
    voting_closes = models.DateTimeField("投票截止")
    results_at = models.DateTimeField("结果公布")
    form_fields = models.JSONField("报名表字段", default=list, blank=True)
    allow_photo = models.BooleanField("接受图片作品", default=True)
    allow_text = models.BooleanField("接受文字作品", default=True)
    allow_video = models.BooleanField("接受视频作品", default=False)
    votes_per_day = models.PositiveSmallIntegerField("每天可投票数", default=1)
    vote_scope = models.CharField("投票限制", max_length=8, choices=VoteScope.choices,
                                  default=VoteScope.CONTEST)
    require_realname = models.BooleanField("须实名登记才能投票", default=False)
    judge_weight = models.PositiveSmallIntegerField("评委评分权重（%）", default=0)
    count_display = models.CharField("公开票数", max_length=8, choices=CountDisplay.choices,
                                     default=CountDisplay.EXACT)
    count_round_to = models.PositiveSmallIntegerField("取整单位", choices=COUNT_ROUNDING,
                                                      default=10)
    count_refresh_minutes = models.PositiveSmallIntegerField("刷新间隔（分钟）", default=10)
    counts_refreshed_at = models.DateTimeField(null=True, blank=True)  # DELAYED's snapshot
    live_url = models.CharField("决赛直播链接", max_length=200, blank=True)
    is_published = models.BooleanField("已发布", default=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name="发起单位（分端）")
    proposal_status = models.CharField("分端申报", max_length=8, blank=True,
                                       choices=ProposalStatus.choices,
                                       default=ProposalStatus.NONE)
    proposal_note = models.CharField("审核意见", max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "征集评选"
        verbose_name_plural = "征集评选"
        ordering = ["-registration_opens", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(votes_per_day__gte=1, votes_per_day__lte=50),
                                   name="activities_contest_votes_per_day"),
            models.CheckConstraint(condition=Q(judge_weight__lte=100),
                                   name="activities_contest_judge_weight"),
            # A 分端's proposal is never public before the center approves it.
            models.CheckConstraint(
                condition=Q(is_published=False)
                | Q(proposal_status__in=[ProposalStatus.NONE, ProposalStatus.APPROVED]),
                name="activities_contest_proposal_published"),
            models.CheckConstraint(condition=Q(count_round_to__in=[10, 100]),
                                   name="activities_contest_count_round_to"),
            models.CheckConstraint(
                condition=Q(count_refresh_minutes__gte=1, count_refresh_minutes__lte=1440),
                name="activities_contest_count_refresh"),
        ]

    def __str__(self):
        return self.title

    def registration_fields(self) -> list[dict]:
        """The registration form as residents fill it in: the chosen standard fields (stored
        as their codes) and the operator's own choice and photo fields (stored as dicts with
        ``code``, ``type``, ``label`` and, for a choice, ``options``). Each is required but
        the note."""
        fields = []
        for item in self.form_fields:
            if isinstance(item, str) and item in REGISTRATION_FIELDS:
                label, limit = REGISTRATION_FIELDS[item]
                fields.append({"code": item, "type": FieldType.TEXT, "label": label,
                               "options": [], "max_length": limit,
                               "required": item != "note"})
            elif isinstance(item, dict) and item.get("type") in (FieldType.CHOICE,
                                                                  FieldType.PHOTO):
                fields.append({"code": item["code"], "type": item["type"],
                               "label": item["label"], "options": list(item.get("options", [])),
                               "max_length": None, "required": True})
        return fields

    def stage(self, now) -> tuple[str, str]:
        """(code, label) of the stage at ``now``."""
        if now < self.registration_opens:
            return "upcoming", "未开始"
        if now < self.submission_closes:
            return "submission", "报名及作品征集"
        if now < self.voting_opens:
            return "review", "审核"
        if now < self.voting_closes:
            return "voting", "投票"
        if now < self.results_at:
            return "counting", "评审"
        return "results", "结果公布"


class Registration(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    # The ID number is kept like 实名登记's: masked in ``answers`` (what lists and exports
    # read), the full number only encrypted here, read through services.registration_open.
    answers = models.JSONField("报名信息", default=dict)
    id_number_encrypted = models.TextField("身份证号（加密）", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        constraints = [models.UniqueConstraint(fields=["contest", "user"],
                                               name="activities_registration_unique")]


class RegistrationPhoto(models.Model):
    """A photo asked for by the registration form (content-checked and stripped of metadata
    by core.uploads; private: only operators see it, through the console)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE,
                                     related_name="photos")
    code = models.CharField("字段", max_length=20)
    image = models.ImageField("照片", upload_to=registration_photo_path)

    class Meta:
        verbose_name = "报名照片"
        verbose_name_plural = "报名照片"
        constraints = [models.UniqueConstraint(fields=["registration", "code"],
                                               name="activities_registration_photo_unique")]


class EntryStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已展示"
    REJECTED = "rejected", "未通过"


class Entry(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    author_name = models.CharField("作者署名", max_length=20)
    title = models.CharField("作品名称", max_length=40)
    text = models.TextField("作品内容", blank=True)
    photo = models.ImageField("作品图片", upload_to="activities/entries/", blank=True)
    # Shown only once the media pipeline has transcoded it (selectors.public_entries).
    video = models.ForeignKey("media.MediaAsset", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name="作品视频")
    number = models.PositiveIntegerField("作品编号", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=EntryStatus.choices,
                              default=EntryStatus.PENDING)
    review_note = models.CharField("审核意见", max_length=100, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    votes = models.PositiveIntegerField("有效票数", default=0)
    # The count as last published, for contests whose counts are refreshed every N minutes.
    public_votes = models.PositiveIntegerField("公开票数", default=0)
    finalist = models.BooleanField("入围决赛", default=False)
    # The mean of the judges' scores (JudgeScore), kept with the entry for the results.
    judge_score = models.DecimalField("评委评分", max_digits=5, decimal_places=2, null=True,
                                      blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "参赛作品"
        verbose_name_plural = "参赛作品"
        ordering = ["number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"],
                                    name="activities_entry_number_unique"),
            models.UniqueConstraint(fields=["contest", "author"],
                                    name="activities_entry_one_per_author"),
        ]

    def __str__(self):
        return self.title


class ContestJudge(models.Model):
    """A judge named for one contest by an operator: they (holding the 评委 role) score its
    finalists in the console, each only their own scores."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "评委"
        verbose_name_plural = "评委"
        constraints = [models.UniqueConstraint(fields=["contest", "user"],
                                               name="activities_judge_unique")]


class JudgeScore(models.Model):
    """One judge's score of one finalist (0–100); the entry keeps their mean."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    score = models.DecimalField("评分", max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "评委评分"
        verbose_name_plural = "评委评分"
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge"], name="activities_score_unique"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100),
                                   name="activities_score_range"),
        ]


class Vote(models.Model):
    """One vote, with the signals it came with. A vote is never deleted: an invalid one is
    marked (``invalid``) and logged in an :class:`Invalidation` residents can read."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="votes_cast")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="vote_rows")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+")
    day = models.DateField("投票日期")
    scope = models.BigIntegerField("限制范围")  # the entry id (per entry) or 0 (per contest)
    slot = models.PositiveSmallIntegerField("当日第几票")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    device_id = models.CharField("设备标识", max_length=64, blank=True, db_index=True)
    account_age_days = models.PositiveIntegerField("账号注册天数", default=0)
    flags = models.CharField("异常标记", max_length=120, blank=True)
    invalid = models.BooleanField("已作废", default=False)
    # A vote admitted in Redis and stored later by the drain (services.votes) carries the id
    # it was admitted with: a drain run again after dying stores nothing twice.
    ref = models.CharField("缓冲编号", max_length=32, null=True, blank=True, unique=True,
                           editable=False)

    class Meta:
        verbose_name = "投票"
        verbose_name_plural = "投票"
        constraints = [
            models.UniqueConstraint(fields=["contest", "voter", "day", "scope", "slot"],
                                    name="activities_vote_slot_unique"),
            models.CheckConstraint(condition=Q(slot__gte=1, slot__lte=50),
                                   name="activities_vote_slot_range"),
        ]
        indexes = [models.Index(fields=["contest", "ip", "created_at"],
                                name="activities_vote_ip_idx")]


class Invalidation(models.Model):
    """作废公示: which votes were invalidated after review, why and by whom (public)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="invalidations")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField("作废票数")
    reason = models.CharField("作废原因", max_length=100)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "作废公示"
        verbose_name_plural = "作废公示"
        ordering = ["-created_at"]


# --- quizzes ------------------------------------------------------------------------------------


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选题"
    MULTIPLE = "multiple", "多选题"
    JUDGE = "judge", "判断题"


class QuestionBank(models.Model):
    name = models.CharField("题库名称", max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "题库"
        verbose_name_plural = "题库"

    def __str__(self):
        return self.name


class Question(models.Model):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField("题型", max_length=8, choices=QuestionKind.choices)
    text = models.CharField("题目", max_length=300)
    options = models.JSONField("选项", default=list)
    answer = models.JSONField("正确答案（选项序号）", default=list)  # never sent to a client
    explanation = models.CharField("解析", max_length=300, blank=True)
    category = models.CharField("分类", max_length=20, blank=True)
    difficulty = models.PositiveSmallIntegerField("难度", default=1)

    class Meta:
        verbose_name = "题目"
        verbose_name_plural = "题目"
        ordering = ["pk"]


class Quiz(models.Model):
    title = models.CharField("答题活动名称", max_length=60)
    intro = models.TextField("活动说明", blank=True)
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="quizzes")
    question_count = models.PositiveSmallIntegerField("每次题数", default=10)
    category = models.CharField("只抽此分类", max_length=20, blank=True)
    # 抽题规则: [{"category": "县情" or "", "difficulty": 1-5 or 0, "count": n}, ...]; the
    # rules never overlap (services.quiz_create), so every paper has each rule's count.
    # Empty: ``question_count`` questions from the bank (or ``category``).
    rules = models.JSONField("抽题规则", default=list, blank=True)
    time_limit_seconds = models.PositiveIntegerField("答题时限（秒）", default=300)
    attempts_per_day = models.PositiveSmallIntegerField("每人每天次数", default=1)
    pass_score = models.PositiveSmallIntegerField("得积分的最低分", default=60)
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("结束时间")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "有奖答题"
        verbose_name_plural = "有奖答题"
        ordering = ["-opens_at", "-pk"]
        constraints = [models.CheckConstraint(
            condition=Q(attempts_per_day__gte=1, attempts_per_day__lte=20),
            name="activities_quiz_attempts_per_day")]

    def __str__(self):
        return self.title

    @property
    def rules_text(self) -> str:
        """The 抽题规则 as an operator wrote them: 县情·难度2×3；安全·不限难度×1."""
        return "；".join(f"{r['category'] or '不限分类'}·"
                        f"{'难度' + str(r['difficulty']) if r['difficulty'] else '不限难度'}"
                        f"×{r['count']}" for r in self.rules)


class Attempt(models.Model):
    """One sitting: the drawn questions, each one's option order, and the server's clock."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    day = models.DateField()
    slot = models.PositiveSmallIntegerField()
    questions = models.JSONField(default=list)  # [question id, ...] in the order shown
    orders = models.JSONField(default=dict)  # {question id: [original option index, ...]}
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict)
    correct = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    points_paid = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "答题记录"
        verbose_name_plural = "答题记录"
        constraints = [
            models.UniqueConstraint(fields=["quiz", "user", "day", "slot"],
                                    name="activities_attempt_slot_unique"),
            models.CheckConstraint(condition=Q(slot__gte=1, slot__lte=20),
                                   name="activities_attempt_slot_range"),
        ]


# --- public draws -------------------------------------------------------------------------------


class DrawStatus(models.TextChoices):
    OPEN = "open", "名单征集中"
    CLOSED = "closed", "名单已封存"
    DRAWN = "drawn", "已摇号"


class PublicDraw(models.Model):
    title = models.CharField("摇号名称", max_length=60)
    description = models.TextField("说明", blank=True)
    quota = models.PositiveIntegerField("名额")
    seed = models.CharField(max_length=64)  # revealed only once drawn
    commitment = models.CharField("种子承诺值", max_length=64)
    status = models.CharField("状态", max_length=8, choices=DrawStatus.choices,
                              default=DrawStatus.OPEN)
    entries_digest = models.CharField("名单指纹", max_length=64, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    public_value_source = models.CharField("公开随机数来源", max_length=100, blank=True)
    # The day the named source is drawn, published with the commitment: the list is sealed
    # before it and the value entered after it (services.draws). Null only for draws made
    # before the date was asked for.
    public_value_on = models.DateField("公开随机数开奖日期", null=True, blank=True)
    public_value = models.CharField("公开随机数", max_length=100, blank=True)
    winners = models.JSONField(default=list, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    live_url = models.CharField("直播链接", max_length=200, blank=True)
    # A prize draw among a quiz's qualifying players: sealing fills the list from the quiz.
    quiz = models.ForeignKey(Quiz, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="prize_draws", verbose_name="答题抽奖")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "公开摇号"
        verbose_name_plural = "公开摇号"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class DrawEntrant(models.Model):
    draw = models.ForeignKey(PublicDraw, on_delete=models.CASCADE, related_name="entrants")
    code = models.CharField("编号", max_length=20)
    name = models.CharField("姓名", max_length=20)

    class Meta:
        verbose_name = "摇号名单"
        verbose_name_plural = "摇号名单"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["draw", "code"],
                                               name="activities_entrant_unique")]


# --- live quizzes -------------------------------------------------------------------------------


class LiveQuizStatus(models.TextChoices):
    READY = "ready", "未开始"
    RUNNING = "running", "答题中"
    FINISHED = "finished", "已结束"


class LiveQuiz(models.Model):
    """直播答题: the host pushes one question at a time during a broadcast; each question's
    answer window is kept by the server, and its key is revealed only after the window."""

    title = models.CharField("答题名称", max_length=60)
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="live_quizzes",
                             verbose_name="题库")
    # The 直播间 whose channel carries the questions (read by model name, never imported:
    # without 直播 the quiz still runs on its own page).
    live_room_id = models.PositiveIntegerField("直播间编号", null=True, blank=True)
    answer_seconds = models.PositiveSmallIntegerField("每题作答时间（秒）", default=20)
    pass_score = models.PositiveSmallIntegerField("得积分的最低正确率（%）", default=60)
    status = models.CharField(max_length=10, choices=LiveQuizStatus.choices,
                              default=LiveQuizStatus.READY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "直播答题"
        verbose_name_plural = "直播答题"
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(
            condition=Q(answer_seconds__gte=5, answer_seconds__lte=300),
            name="activities_livequiz_answer_seconds")]

    def __str__(self):
        return self.title


class LiveQuizItem(models.Model):
    """One question as pushed: when it went out and when its window closes (server time)."""

    live_quiz = models.ForeignKey(LiveQuiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    pushed_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["live_quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["live_quiz", "position"],
                                    name="activities_liveitem_position_unique"),
            models.UniqueConstraint(fields=["live_quiz", "question"],
                                    name="activities_liveitem_question_unique"),
        ]


class LiveQuizAnswer(models.Model):
    """One person's one answer to one pushed question (a second answer is refused by the
    database, not only by the code)."""

    item = models.ForeignKey(LiveQuizItem, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    choice = models.JSONField(default=list)  # original option indexes
    correct = models.BooleanField(default=False)
    elapsed_ms = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"],
                                               name="activities_liveanswer_unique")]
        indexes = [models.Index(fields=["user", "item"], name="activities_liveans_user")]
