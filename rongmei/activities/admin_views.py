"""活动 in the staff console: contests (create, review entries, judges' scores, flagged
votes and invalidation), question banks (Excel import) and quizzes, public draws (entrant
list import, sealing, the public value). Every screen asks ``rongmei.units.access`` first;
the services ask again."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from rongmei.core.errors import ServiceError
from rongmei.core.masking import mask_phone
from rongmei.core.roles import JUDGE, OPERATOR, UNIT_ADMIN
from rongmei.units.access import has_role, unit_scope

from . import selectors, services
from .models import (
    COUNT_ROUNDING,
    REGISTRATION_FIELDS,
    Contest,
    CountDisplay,
    Entry,
    EntryStatus,
    LiveQuiz,
    ProposalStatus,
    PublicDraw,
    QuestionBank,
    Quiz,
    Vote,
    VoteScope,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _denied(request):
    if has_role(request.user, OPERATOR):
        return None
    messages.error(request, "只有运营人员可以管理活动")
    return redirect("wagtailadmin_home")


def _page(request, template, title, **context):
    return TemplateResponse(request, f"activities/console/{template}", {
        "page_title": title, "header_title": title, **context})


class CountDisplayForm(forms.Form):
    """How the public sees the counts (a part of the contest form, and its own form on the
    contest's page, since it may change while voting runs)."""

    count_display = forms.ChoiceField(label="公开票数", choices=CountDisplay.choices,
                                      initial=CountDisplay.EXACT)
    count_round_to = forms.TypedChoiceField(label="取整单位（取整显示时）", coerce=int,
                                            choices=COUNT_ROUNDING, initial=10)
    count_refresh_minutes = forms.IntegerField(label="刷新间隔（分钟，定时刷新时）",
                                               min_value=1, max_value=1440, initial=10)


class ContestForm(CountDisplayForm):
    field_order = ["title", "organiser", "rules", "registration_opens", "submission_closes",
                   "voting_opens", "voting_closes", "results_at", "form_fields",
                   "choice_fields", "photo_fields", "allow_photo", "allow_text", "allow_video", "votes_per_day", "vote_scope",
                   "require_realname", "judge_weight", "live_url", *CountDisplayForm.base_fields]

    title = forms.CharField(label="评选名称", max_length=60)
    organiser = forms.CharField(label="主办单位", max_length=60, required=False)
    rules = forms.CharField(label="评选规则", widget=forms.Textarea, required=False)
    registration_opens = forms.DateTimeField(label="报名开始", widget=DATETIME)
    submission_closes = forms.DateTimeField(label="作品征集截止", widget=DATETIME)
    voting_opens = forms.DateTimeField(label="投票开始", widget=DATETIME)
    voting_closes = forms.DateTimeField(label="投票截止", widget=DATETIME)
    results_at = forms.DateTimeField(label="结果公布", widget=DATETIME)
    form_fields = forms.MultipleChoiceField(
        label="报名表字段", widget=forms.CheckboxSelectMultiple, required=False,
        choices=[(k, v[0]) for k, v in REGISTRATION_FIELDS.items()], initial=["name", "phone"])
    choice_fields = forms.CharField(
        label="选择字段（每行一个，写成“组别：小学组、初中组”）", widget=forms.Textarea(
            attrs={"rows": 2}), required=False)
    photo_fields = forms.CharField(label="照片字段（每行一个字段名称，如“个人照片”）",
                                   widget=forms.Textarea(attrs={"rows": 2}), required=False)
    allow_photo = forms.BooleanField(label="接受图片作品", required=False, initial=True)
    allow_text = forms.BooleanField(label="接受文字作品", required=False, initial=True)
    allow_video = forms.BooleanField(label="接受视频作品（转码完成后公开）", required=False)
    votes_per_day = forms.IntegerField(label="每天可投票数", min_value=1, max_value=50, initial=1)
    vote_scope = forms.ChoiceField(label="投票限制", choices=VoteScope.choices)
    require_realname = forms.BooleanField(label="须实名登记才能投票", required=False)
    judge_weight = forms.IntegerField(label="评委评分权重（%）", min_value=0, max_value=100,
                                      initial=0)
    live_url = forms.CharField(label="决赛直播链接", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CountDisplayForm.base_fields:
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        for name in CountDisplayForm.base_fields:
            if data.get(name) in (None, ""):  # left out: the field's default
                data[name] = self.fields[name].initial
        return data


def contests_view(request):
    """Operators create contests (public at once) and review 分端 proposals; a 分端管理员
    proposes contests for their units and follows their review here."""
    operator = has_role(request.user, OPERATOR)
    if not operator and not has_role(request.user, UNIT_ADMIN):
        return _denied(request)
    form = ContestForm(request.POST or None)
    if not operator:
        form.fields["unit_id"] = forms.ModelChoiceField(
            label="发起单位（提交后由中心审核，通过后公开）",
            queryset=unit_scope(request.user, UNIT_ADMIN))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["custom_fields"] = services.custom_fields_parse(
                choices=data.pop("choice_fields"), photos=data.pop("photo_fields"))
            if data.get("unit_id") is not None:
                data["unit_id"] = data["unit_id"].pk
            contest = services.contest_create(actor=request.user, **data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if not contest.is_published:
                messages.success(request, f"已提交评选“{contest.title}”，中心审核通过后公开")
                return redirect("activities_contests")
            messages.success(request, f"已创建评选“{contest.title}”")
            return redirect("activities_contest", pk=contest.pk)
    contests = Contest.objects.select_related("unit").annotate(
        pending=Count("entries", filter=Q(entries__status=EntryStatus.PENDING)))
    if not operator:
        contests = contests.filter(unit__in=unit_scope(request.user, UNIT_ADMIN))
    return _page(request, "contests.html", "征集评选", form=form, contests=contests[:100],
                 operator=operator,
                 proposals=Contest.objects.filter(proposal_status=ProposalStatus.PENDING)
                 .select_related("unit") if operator else [])


def contest_view(request, pk):
    """Review entries, enter judges' scores, look at flagged votes and invalidate them."""
    if (denied := _denied(request)) is not None:
        return denied
    contest = get_object_or_404(Contest, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            entry_id = int(request.POST.get("entry", 0))
            if entry_id and not Entry.objects.filter(pk=entry_id, contest=contest).exists():
                raise ServiceError("entry_not_in_contest", "该作品不属于本次评选")
            if action in ("proposal_approve", "proposal_reject"):
                services.contest_proposal_review(actor=request.user, contest_id=contest.pk,
                                                 approve=action == "proposal_approve",
                                                 note=request.POST.get("note", ""))
                messages.success(request, "已通过，评选已公开" if action == "proposal_approve"
                                 else "已退回分端")
            elif action in ("approve", "reject"):
                services.entry_review(actor=request.user, entry_id=entry_id,
                                      approve=action == "approve",
                                      note=request.POST.get("note", ""))
                messages.success(request, "已通过，作品已公开" if action == "approve" else "已退回")
            elif action in ("finalist", "not_finalist"):
                services.entry_finalist_set(actor=request.user, entry_id=entry_id,
                                            finalist=action == "finalist")
                messages.success(request, "已入围决赛" if action == "finalist" else "已取消入围")
            elif action == "judge_add":
                judge = services.judge_add(actor=request.user, contest_id=contest.pk,
                                           phone=request.POST.get("phone", ""))
                who = judge.user.name or mask_phone(judge.user.phone)
                messages.success(request, f"已添加评委{who}" + (
                    "" if judge.user.has_usable_password() else
                    "。该评委还没有管理后台密码，请告知其在管理后台登录页点击"
                    "“首次登录或忘记密码？用短信验证码设置密码”，设置后即可登录评分"))
            elif action == "judge_remove":
                judge_id = int(request.POST.get("judge", 0))
                if not contest.judges.filter(pk=judge_id).exists():
                    raise ServiceError("judge_not_in_contest", "该评委不属于本次评选")
                services.judge_remove(actor=request.user, judge_id=judge_id)
                messages.success(request, "已移除评委")
            elif action == "counts":
                form = CountDisplayForm(request.POST)
                if not form.is_valid():
                    raise ServiceError("invalid_count_display", "；".join(
                        str(e) for errors in form.errors.values() for e in errors))
                services.contest_count_display_set(actor=request.user, contest_id=contest.pk,
                                                   **form.cleaned_data)
                messages.success(request, "公开票数设置已保存")
            elif action == "invalidate":
                found = services.votes_invalidate(actor=request.user, entry_id=entry_id,
                                                  reason=request.POST.get("reason", ""))
                messages.success(request, f"已作废{found.count}票，并在评选页公示")
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "参数错误"))
        return redirect("activities_contest", pk=contest.pk)
    flagged = {row["entry"]: row["n"] for row in Vote.objects.filter(
        contest=contest, invalid=False).exclude(flags="").values("entry")
        .annotate(n=Count("pk"))}
    approved = list(Entry.objects.filter(contest=contest, status=EntryStatus.APPROVED)
                    .select_related("video").order_by("number"))
    for entry in approved:
        entry.flagged = flagged.get(entry.pk, 0)
    fields = contest.registration_fields()
    registrations = list(contest.registrations.prefetch_related("photos")
                         .order_by("created_at")[:200])
    for registration in registrations:  # one cell a field: the answer, or the photo's id
        registration.cells = _registration_cells(registration, fields, masked=True)
    return _page(request, "contest.html", contest.title, contest=contest,
                 count_form=CountDisplayForm(initial={
                     "count_display": contest.count_display,
                     "count_round_to": contest.count_round_to,
                     "count_refresh_minutes": contest.count_refresh_minutes}),
                 pending=Entry.objects.filter(contest=contest, status=EntryStatus.PENDING)
                 .select_related("video"),
                 approved=approved,
                 recent_flags=Vote.objects.filter(contest=contest).exclude(flags="")
                 .select_related("entry").order_by("-created_at")[:50],
                 results=selectors.results(contest),
                 judges=contest.judges.select_related("user").order_by("added_at"),
                 fields=fields, registrations=registrations)


def _registration_cells(registration, fields, *, masked: bool) -> list[tuple[str, object]]:
    """(type, answer or photo id) per field; phone and ID number masked in the list (the
    full ones are a logged look, ``registration_view``)."""
    from rongmei.core.masking import mask_id_number

    masks = {"phone": mask_phone, "id_number": mask_id_number} if masked else {}
    photos = {p.code: p.pk for p in registration.photos.all()}
    cells = []
    for field in fields:
        if field["type"] == "photo":
            cells.append(("photo", photos.get(field["code"])))
            continue
        answer = str(registration.answers.get(field["code"], ""))
        cells.append((field["type"], masks.get(field["code"], str)(answer)))
    return cells


def registration_view(request, pk):
    """One registration in full, for operators only; every look is logged."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from rongmei.core.errors import NotFoundError, PermissionDeniedError

    try:
        registration = services.registration_open(viewer=request.user, registration_id=pk)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    fields = registration.contest.registration_fields()
    rows = [(f["label"], kind, value) for f, (kind, value)
            in zip(fields, _registration_cells(registration, fields, masked=False))]
    return _page(request, "registration.html", f"报名信息：{registration.contest.title}",
                 registration=registration, rows=rows)


def registration_photo_view(request, pk):
    """A registration photo, for operators only; every look is logged (个人信息访问记录)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from rongmei.core.errors import NotFoundError, PermissionDeniedError
    from rongmei.core.uploads import serve_user_file

    try:
        photo, handle = services.registration_photo_open(viewer=request.user, photo_id=pk)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    return serve_user_file(handle, name=photo.image.name)


def _judge_denied(request):
    if has_role(request.user, JUDGE):
        return None
    messages.error(request, "只有评委可以打分")
    return redirect("wagtailadmin_home")


def judging_view(request):
    """评委评分: the contests this person is a judge of."""
    if (denied := _judge_denied(request)) is not None:
        return denied
    return _page(request, "judging.html", "评委评分",
                 contests=selectors.judged_contests(request.user))


def judging_contest_view(request, pk):
    """A judge's screen for one contest: its finalists, and their own score of each."""
    if (denied := _judge_denied(request)) is not None:
        return denied
    try:
        contest = services.access_judging(request.user, pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("activities_judging")
    if request.method == "POST":
        try:
            services.entry_score(actor=request.user, entry_id=int(request.POST.get("entry", 0)),
                                 score=request.POST.get("score", ""))
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "参数错误"))
        else:
            messages.success(request, "评分已保存")
        return redirect("activities_judging_contest", pk=contest.pk)
    return _page(request, "judging_contest.html", f"评委评分：{contest.title}",
                 contest=contest, finalists=selectors.finalists_for(contest, request.user))


class BankImportForm(forms.Form):
    name = forms.CharField(label="题库名称", max_length=40)
    file = forms.FileField(label="Excel 文件（.xlsx）")


# Full-width digits, comma and space as a Chinese keyboard types them (and nothing else:
# ² or ١ are not numbers an operator means).
FULL_WIDTH = str.maketrans("０１２３４５６７８９，　", "0123456789, ")


class QuizForm(forms.Form):
    title = forms.CharField(label="答题活动名称", max_length=60)
    intro = forms.CharField(label="活动说明", widget=forms.Textarea, required=False)
    bank_id = forms.ModelChoiceField(label="题库", queryset=QuestionBank.objects.all())
    category = forms.CharField(label="只抽此分类（可不填）", max_length=20, required=False)
    question_count = forms.IntegerField(label="每次题数", min_value=1, max_value=100, initial=10,
                                        help_text="填写了抽题规则时，按规则的题数合计")
    rules = forms.CharField(
        label="抽题规则（可不填）", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "县情 1 3\n县情 2 2\n安全 不限 1"}),
        help_text="每行一条：分类、难度（1至5）、题数，用空格分开；分类或难度可填“不限”。"
                  "例如“县情 2 3”表示每份试卷从县情类难度2的题中抽3道。各条规则不能抽到同一道题。")
    time_limit_seconds = forms.IntegerField(label="答题时限（秒）", min_value=10,
                                            max_value=3600, initial=300)
    attempts_per_day = forms.IntegerField(label="每人每天次数", min_value=1, max_value=20,
                                          initial=1)
    pass_score = forms.IntegerField(label="得积分的最低分", min_value=1, max_value=100,
                                    initial=60, help_text="达到此分数得答题积分、参加答题抽奖")
    opens_at = forms.DateTimeField(label="开始时间", widget=DATETIME)
    closes_at = forms.DateTimeField(label="结束时间", widget=DATETIME)

    def clean_rules(self) -> list[dict]:
        """Lines of “分类 难度 题数” into the rules the service checks against the bank."""
        rules = []
        for number, line in enumerate(self.cleaned_data["rules"].splitlines(), start=1):
            parts = line.translate(FULL_WIDTH).replace(",", " ").split()
            if not parts:
                continue
            if len(parts) != 3:
                raise forms.ValidationError(f"第{number}行应为“分类 难度 题数”三项，用空格分开")
            category, difficulty, count = parts
            if (not re.fullmatch(r"[0-9]{1,3}", count)
                    or not re.fullmatch(rf"[1-5]|{services.ANY}", difficulty)):
                raise forms.ValidationError(
                    f"第{number}行：难度须为1至5或“不限”，题数须为数字")
            rules.append({"category": category,
                          "difficulty": 0 if difficulty == services.ANY else int(difficulty),
                          "count": int(count)})
        return rules


def quizzes_view(request):
    if (denied := _denied(request)) is not None:
        return denied
    bank_form = BankImportForm(None, None)
    quiz_form = QuizForm(None)
    report = None
    if request.method == "POST" and request.POST.get("action") == "import":
        bank_form = BankImportForm(request.POST, request.FILES)
        if bank_form.is_valid():
            try:
                report = services.import_bank(actor=request.user,
                                              name=bank_form.cleaned_data["name"],
                                              data=bank_form.cleaned_data["file"].read())
            except ServiceError as exc:
                bank_form.add_error("name" if exc.field == "name" else "file", exc.message)
            else:
                if report.ok:
                    messages.success(request, f"导入完成：{report.created}道题")
                    return redirect("activities_quizzes")
    elif request.method == "POST":
        quiz_form = QuizForm(request.POST)
        if quiz_form.is_valid():
            data = dict(quiz_form.cleaned_data)
            data["bank_id"] = data["bank_id"].pk
            try:
                quiz = services.quiz_create(actor=request.user, **data)
            except ServiceError as exc:
                quiz_form.add_error(exc.field if exc.field in quiz_form.fields else None,
                                    exc.message)
            else:
                messages.success(request, f"已创建答题活动“{quiz.title}”")
                return redirect("activities_quizzes")
    return _page(request, "quizzes.html", "有奖答题", bank_form=bank_form, quiz_form=quiz_form,
                 report=report, columns=services.BANK_COLUMNS,
                 banks=QuestionBank.objects.annotate(n=Count("questions")),
                 quizzes=Quiz.objects.select_related("bank")[:50])


class LiveQuizForm(forms.Form):
    title = forms.CharField(label="答题名称", max_length=60)
    bank_id = forms.ModelChoiceField(label="题库", queryset=QuestionBank.objects.all())
    live_room_id = forms.IntegerField(
        label="直播间编号（在直播间地址 /live/编号/ 中；题目会推送到该直播间）", required=False,
        min_value=1, max_value=2_147_483_647)
    answer_seconds = forms.IntegerField(label="每题作答时间（秒）", min_value=5, max_value=300,
                                        initial=20)
    pass_score = forms.IntegerField(label="得积分的最低正确率（%）", min_value=0, max_value=100,
                                    initial=60)


def live_quizzes_view(request):
    if (denied := _denied(request)) is not None:
        return denied
    form = LiveQuizForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["bank_id"] = data["bank_id"].pk
        try:
            quiz = services.live_quiz_create(actor=request.user, **data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已创建直播答题“{quiz.title}”")
            return redirect("activities_live_quiz", pk=quiz.pk)
    return _page(request, "live_quizzes.html", "直播答题", form=form,
                 quizzes=LiveQuiz.objects.select_related("bank")
                 .annotate(n=Count("items"))[:50])


LIVE_ACTIONS = {"push": "已推送题目", "reveal": "已公布答案", "finish": "本场答题已结束"}


def live_quiz_view(request, pk):
    """The host's screen during the broadcast: push the next question, reveal, finish."""
    if (denied := _denied(request)) is not None:
        return denied
    quiz = get_object_or_404(LiveQuiz.objects.select_related("bank"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "push":
                raw = request.POST.get("question_id") or ""
                services.live_question_push(actor=request.user, live_quiz_id=quiz.pk,
                                            question_id=int(raw) if raw.isdecimal() else None)
            elif action == "reveal":
                services.live_reveal(actor=request.user, live_quiz_id=quiz.pk)
            elif action == "finish":
                services.live_quiz_finish(actor=request.user, live_quiz_id=quiz.pk)
            else:
                raise ServiceError("unknown_action", "未知操作")
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, LIVE_ACTIONS[action])
        return redirect("activities_live_quiz", pk=quiz.pk)
    state = services.live_state(quiz)
    current = quiz.items.select_related("question").order_by("-position").first()
    result = state["result"] or {}
    options = [{"text": text, "count": (result.get("counts") or [0] * 6)[i],
                "right": i in result.get("answer", ())}
               for i, text in enumerate(current.question.options)] if current else []
    return _page(request, "live_quiz.html", f"直播答题：{quiz.title}", quiz=quiz, state=state,
                 current=current, options=options,
                 left=services.live_questions_left(quiz)[:200],
                 board=services.live_leaderboard(quiz, limit=20))


class DrawForm(forms.Form):
    title = forms.CharField(label="摇号名称", max_length=60)
    description = forms.CharField(label="说明", widget=forms.Textarea, required=False)
    quota = forms.IntegerField(label="名额", min_value=1, max_value=100_000)
    public_value_source = forms.CharField(
        label="公开随机数来源（事先公布，如某期福彩3D开奖号码）", max_length=100)
    public_value_on = forms.DateField(
        label="这一期的开奖日期（在今天之后；名单须在此之前封存，公开随机数在此之后录入）",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    live_url = forms.CharField(label="直播链接", max_length=200, required=False)
    quiz_id = forms.ModelChoiceField(
        label="答题抽奖：名单取自该答题活动的达标者（封存时生成；不选则导入名单）",
        queryset=Quiz.objects.all(), required=False)


def draws_view(request):
    if (denied := _denied(request)) is not None:
        return denied
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["quiz_id"] = data["quiz_id"].pk if data["quiz_id"] else None
        try:
            found = services.draw_create(actor=request.user, **data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已创建；种子承诺值已公布")
            return redirect("activities_draw", pk=found.pk)
    return _page(request, "draws.html", "公开摇号", form=form,
                 draws=PublicDraw.objects.annotate(n=Count("entrants"))[:100])


def draw_view(request, pk):
    if (denied := _denied(request)) is not None:
        return denied
    found = get_object_or_404(PublicDraw, pk=pk)
    report = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "import" and request.FILES.get("file"):
                report = services.entrants_import(actor=request.user, draw_id=found.pk,
                                                  data=request.FILES["file"].read())
                if report.ok:
                    messages.success(request, f"已导入{report.created}人")
                    return redirect("activities_draw", pk=found.pk)
            elif action == "close":
                services.draw_close(actor=request.user, draw_id=found.pk)
                messages.success(request, "名单已封存，名单指纹已公布")
                return redirect("activities_draw", pk=found.pk)
            elif action == "run":
                services.draw_run(actor=request.user, draw_id=found.pk,
                                  public_value=request.POST.get("public_value", ""))
                messages.success(request, "摇号完成，结果已公布")
                return redirect("activities_draw", pk=found.pk)
            else:
                messages.error(request, "请选择要上传的名单文件")
        except ServiceError as exc:
            messages.error(request, exc.message)
    found.refresh_from_db()
    winners = selectors.draw_results(found)
    if found.quiz_id is not None:  # a quiz prize: the operator reaches each winner's account
        from django.contrib.auth import get_user_model

        accounts = services.quiz_winner_accounts(found)
        phones = dict(get_user_model().objects.filter(pk__in=accounts.values())
                      .values_list("pk", "phone"))
        for winner in winners:
            phone = phones.get(accounts.get(winner["code"]))
            winner["contact"] = mask_phone(phone) if phone else "账号已注销"
    return _page(request, "draw.html", found.title, draw=found, report=report,
                 columns=services.DRAW_COLUMNS, entrant_count=found.entrants.count(),
                 winners=winners)
