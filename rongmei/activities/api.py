"""活动 API, mounted at /api/v1/activities/: contests (register, submit, gallery, vote,
results), prize quizzes (start, hand in, leaderboard) and public draws (record, results).

Errors are ``{code, message, field}`` with a Chinese message (core.api handlers). The quiz
paper never carries which option is right, before or after handing in.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Form, Router, Schema
from pydantic import Field, StrictInt

from rongmei.accounts.services import api_token_user_cached, user_by_id
from rongmei.core.api import AUTH, ErrorOut, Id, JsonInt, bearer_token, served_first
from rongmei.core.errors import NotFoundError
from rongmei.core.hostile_input import INT64_MAX
from rongmei.core.http import client_ip

from . import selectors, services
from .models import Attempt, Quiz

router = Router(tags=["活动"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut}
DEVICE_HEADER = "HTTP_X_DEVICE_ID"
DEVICE_COOKIE = "rm_device"


def device_of(request) -> str:
    """The device id the client reports (a signal, never trusted), without control
    characters: a NUL from a cookie would be refused by PostgreSQL at the drain."""
    from rongmei.core.text import strip_controls

    raw = request.META.get(DEVICE_HEADER) or request.COOKIES.get(DEVICE_COOKIE, "")
    return strip_controls(raw).strip()[:64]


class ContestOut(Schema):
    id: int
    title: str
    organiser: str
    rules: str
    stage: str
    stage_label: str
    registration_opens: datetime
    submission_closes: datetime
    voting_opens: datetime
    voting_closes: datetime
    results_at: datetime
    form_fields: list[dict] = Field(description="报名表：code、type（text 文字 / choice 选择 / "
                                    "photo 照片）、label、options（选择项）、required")
    votes_per_day: int
    vote_scope: str
    vote_scope_label: str
    live_url: str


def _contest(c, now=None) -> dict:
    from django.utils import timezone

    stage, label = c.stage(now or timezone.now())
    return {"id": c.pk, "title": c.title, "organiser": c.organiser, "rules": c.rules,
            "stage": stage, "stage_label": label,
            "registration_opens": c.registration_opens, "submission_closes": c.submission_closes,
            "voting_opens": c.voting_opens, "voting_closes": c.voting_closes,
            "results_at": c.results_at,
            "form_fields": [{k: f[k] for k in ("code", "type", "label", "options",
                                               "required")}
                            for f in c.registration_fields()],
            "votes_per_day": c.votes_per_day, "vote_scope": c.vote_scope,
            "vote_scope_label": c.get_vote_scope_display(), "live_url": c.live_url}


class EntryOut(Schema):
    id: int
    contest_id: int
    number: int | None
    title: str
    author: str
    text: str
    photo_url: str | None
    video_url: str | None = Field(description="转码后的视频（MP4）；视频作品转码完成后才公开")
    votes: int | None = Field(description="公开票数：按主办方设置精确、取整或定时刷新；"
                              "结果公布前隐藏时为 null")
    votes_note: str = Field(description="票数说明，如“票数每10分钟更新”；精确时为空")
    status: str
    status_label: str


def _entry(e, *, own: bool = False) -> dict:
    return {"id": e.pk, "contest_id": e.contest_id, "number": e.number, "title": e.title,
            "author": e.author_name, "text": e.text,
            "photo_url": e.photo.url if e.photo else None,
            "video_url": (e.video.playback_url or None) if e.video else None,
            "votes": selectors.public_count(e), "votes_note": selectors.count_note(e.contest),
            "status": e.status if own else "approved",
            "status_label": e.get_status_display()}


class RegistrationIn(Schema):
    answers: dict[str, str] = Field(default_factory=dict,
                                    description="报名表：字段代码 → 填写内容")


class EntryIn(Schema):
    title: str = Field(max_length=40)
    text: str = Field("", max_length=5000)
    author_name: str = Field("", max_length=20)


class VoteOut(Schema):
    entry_id: int
    votes: int | None
    votes_note: str
    used_today: int
    votes_per_day: int


class ResultOut(Schema):
    rank: int
    entry: EntryOut
    votes: int
    judge_score: Decimal | None
    total: Decimal


class InvalidationOut(Schema):
    entry_number: int | None
    count: int
    reason: str
    created_at: datetime


# --- contests ---------------------------------------------------------------------------------

@router.get("/contests", response=list[ContestOut], summary="征集评选")
def contest_list(request):
    return [_contest(c) for c in selectors.contests()[:100]]


@router.get("/contests/{contest_id}", response={200: ContestOut, 404: ErrorOut},
            summary="评选详情（阶段、规则）")
def contest_detail(request, contest_id: Id):
    found = selectors.contest(contest_id)
    if found is None:
        raise NotFoundError("评选活动不存在")
    return _contest(found)


@router.post("/contests/{contest_id}/register", response={200: dict, **ERRORS}, auth=AUTH,
             summary="报名（按主办方选定的报名表字段）")
def register(request, contest_id: Id, payload: RegistrationIn):
    registration = services.registration_create(user=request.auth, contest_id=contest_id,
                                                answers=payload.answers)
    return {"id": registration.pk, "contest_id": contest_id}


@router.post("/contests/{contest_id}/register-form", response={200: dict, **ERRORS},
             auth=AUTH, summary="报名（multipart：每个字段代码一项；照片字段上传图片文件）")
def register_form(request, contest_id: Id):
    registration = services.registration_create(
        user=request.auth, contest_id=contest_id, answers=request.POST.dict(),
        files=request.FILES.dict())
    return {"id": registration.pk, "contest_id": contest_id}


@router.post("/contests/{contest_id}/entries", response={200: EntryOut, **ERRORS}, auth=AUTH,
             summary="提交作品（multipart；photo 图片一张、video 视频一段，或 text 文字；"
                     "审核通过且视频转码完成后公开）")
def entry_submit(request, contest_id: Id, payload: Form[EntryIn]):
    entry = services.entry_submit(user=request.auth, contest_id=contest_id,
                                  title=payload.title, text=payload.text,
                                  author_name=payload.author_name,
                                  photo=request.FILES.get("photo"),
                                  video=request.FILES.get("video"))
    return _entry(entry, own=True)


@router.get("/contests/{contest_id}/entries", response={200: list[EntryOut], 404: ErrorOut},
            summary="作品展示（按编号或票数排序，可搜索编号、名称、作者）")
def gallery(request, contest_id: Id, q: str = "", sort: str = "number"):
    found = selectors.contest(contest_id)
    if found is None:
        raise NotFoundError("评选活动不存在")
    return [_entry(e) for e in selectors.gallery(found, q=q, sort=sort)
            .select_related("contest")[:200]]


@router.get("/entries/{entry_id}", response={200: EntryOut, 404: ErrorOut},
            summary="作品详情")
def entry_detail(request, entry_id: Id):
    entry = selectors.public_entry(entry_id)
    if entry is None:
        raise NotFoundError("作品不存在或尚未通过审核")
    return _entry(entry)


def _vote(request, entry_id: int, *, user=None, token: str | None = None) -> dict:
    cast = services.vote_cast(user=user, token=token, entry_id=entry_id,
                              ip=client_ip(request), device_id=device_of(request))
    if user is None:  # the token's holder, as the admission script found it
        request.user = request.auth = user_by_id(cast.voter_id)
    entry = cast.entry  # its count as the vote left it, not read back (services.vote_cast)
    return {"entry_id": entry_id, "votes": selectors.public_count(entry),
            "votes_note": selectors.count_note(entry.contest),
            "used_today": cast.slot, "votes_per_day": entry.contest.votes_per_day}


def _vote_fast(request, entry_id: str) -> dict | None:
    """A contest's hot path (issue 19): an app's vote — a POST with a bearer token and a
    plain id — served ahead of django-ninja (core.api.served_first). With Redis the token
    is checked by the admission script itself, against the workers' shared token cache
    (accounts.tokens): no query, one round trip. A token it cannot vouch for is looked up
    as ``api_token_user_cached`` does, before anything else is answered. Everything else (a
    session's vote with its CSRF check, no or an unknown token, an id to refuse with 422,
    another method) is left to the operation below, which answers as before."""
    token = bearer_token(request) if request.method == "POST" else None
    if not token or not (entry_id.isascii() and entry_id.isdigit()):
        return None
    number = int(entry_id)
    if not 0 < number <= INT64_MAX:
        return None
    try:
        return _vote(request, number, token=token)
    except services.VoterUnknown:
        pass
    user = api_token_user_cached(token)
    if user is None:
        return None
    request.user = request.auth = user
    return _vote(request, number, user=user)


@router.post("/entries/{entry_id}/vote", response={200: VoteOut, **ERRORS, 503: ErrorOut},
             auth=AUTH,
             summary="投票（每人每天票数按评选规则；设备标识放在 X-Device-Id）",
             url_name="activities_entry_vote")
@served_first(_vote_fast)
def vote(request, entry_id: Id):
    return _vote(request, entry_id, user=request.auth)


@router.get("/contests/{contest_id}/results", response={200: list[ResultOut], **ERRORS},
            summary="评选结果（结果公布后）")
def contest_results(request, contest_id: Id):
    from rongmei.core.errors import ServiceError

    found = selectors.contest(contest_id)
    if found is None:
        raise NotFoundError("评选活动不存在")
    if not selectors.results_public(found):
        raise ServiceError("results_not_public", "结果尚未公布", status=409)
    return [{**row, "entry": _entry(row["entry"])} for row in selectors.results(found)]


@router.get("/contests/{contest_id}/invalidations", response={200: list[InvalidationOut],
                                                              404: ErrorOut},
            summary="作废票公示")
def invalidations(request, contest_id: Id):
    found = selectors.contest(contest_id)
    if found is None:
        raise NotFoundError("评选活动不存在")
    return [{"entry_number": i.entry.number, "count": i.count, "reason": i.reason,
             "created_at": i.created_at}
            for i in found.invalidations.select_related("entry")[:200]]


# --- quizzes ----------------------------------------------------------------------------------

class QuizOut(Schema):
    id: int
    title: str
    intro: str
    question_count: int
    time_limit_seconds: int
    attempts_per_day: int
    opens_at: datetime
    closes_at: datetime


def _quiz(q: Quiz) -> dict:
    return {"id": q.pk, "title": q.title, "intro": q.intro, "question_count": q.question_count,
            "time_limit_seconds": q.time_limit_seconds, "attempts_per_day": q.attempts_per_day,
            "opens_at": q.opens_at, "closes_at": q.closes_at}


class PaperQuestionOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str
    options: list[str]


class ReviewQuestionOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str
    options: list[str]
    picked: list[int] = Field(description="所选选项的位置（按本次试卷显示的顺序）")
    is_correct: bool
    answer: list[int] | None = Field(description="正确选项的位置；活动结束后才公布，之前为 null")
    explanation: str | None = Field(description="解析；活动结束后才公布，之前为 null")


class AttemptOut(Schema):
    id: int
    quiz_id: int
    started_at: datetime
    deadline: datetime
    server_time: datetime
    questions: list[PaperQuestionOut]
    submitted: bool
    score: int | None
    correct: int | None
    points_paid: int
    review: list[ReviewQuestionOut] = Field(
        description="交卷后的逐题对错；正确答案与解析在活动结束后公布")


def _attempt(a) -> dict:
    from django.utils import timezone

    done = a.submitted_at is not None
    return {"id": a.pk, "quiz_id": a.quiz_id, "started_at": a.started_at,
            "deadline": a.deadline, "server_time": timezone.now(),
            "questions": services.attempt_paper(a), "submitted": done,
            "score": a.score if done else None, "correct": a.correct if done else None,
            "points_paid": a.points_paid, "review": services.attempt_review(a)}


class AnswersIn(Schema):
    answers: dict[str, list[JsonInt]] = Field(
        description="题目 id → 所选选项的位置（按本次试卷显示的顺序，从0开始）")


class RankOut(Schema):
    rank: int
    name: str
    score: int
    seconds: float


@router.get("/quizzes", response=list[QuizOut], summary="有奖答题")
def quiz_list(request):
    return [_quiz(q) for q in selectors.quizzes()[:100]]


@router.post("/quizzes/{quiz_id}/attempts", response={200: AttemptOut, **ERRORS}, auth=AUTH,
             summary="开始答题（抽题、计时由服务器掌握）")
def attempt_start(request, quiz_id: Id):
    return _attempt(services.attempt_start(user=request.auth, quiz_id=quiz_id))


@router.get("/attempts/{attempt_id}", response={200: AttemptOut, **ERRORS}, auth=AUTH,
            summary="我的一次答题（交卷后逐题对错；活动结束后含答案与解析）")
def attempt_detail(request, attempt_id: Id):
    attempt = (Attempt.objects.select_related("quiz")
               .filter(pk=attempt_id, user=request.auth).first())
    if attempt is None:
        raise NotFoundError("答题记录不存在")
    return _attempt(attempt)


@router.post("/attempts/{attempt_id}/submit", response={200: AttemptOut, **ERRORS}, auth=AUTH,
             summary="交卷（超时不计分）")
def attempt_submit(request, attempt_id: Id, payload: AnswersIn):
    return _attempt(services.attempt_submit(user=request.auth, attempt_id=attempt_id,
                                            answers=payload.answers))


@router.get("/quizzes/{quiz_id}/leaderboard", response={200: list[RankOut], 404: ErrorOut},
            summary="排行榜（得分高者在前，同分用时短者在前）")
def leaderboard(request, quiz_id: Id):
    quiz = selectors.quizzes().filter(pk=quiz_id).first()
    if quiz is None:
        raise NotFoundError("答题活动不存在")
    return [{k: row[k] for k in ("rank", "name", "score", "seconds")}
            for row in selectors.leaderboard(quiz)]


# --- live quizzes -----------------------------------------------------------------------------

class LiveQuestionOut(Schema):
    item: int
    position: int
    kind: str
    kind_label: str
    text: str
    options: list[str]
    pushed_at: float = Field(description="推送时间（服务器时间，Unix 秒）")
    closes_at: float = Field(description="作答截止（服务器时间，Unix 秒）")


class LiveResultOut(Schema):
    answer: list[int] = Field(description="正确选项（仅在公布答案后出现）")
    explanation: str
    counts: list[int]
    answered: int
    right: int


class LiveRankOut(Schema):
    rank: int
    name: str
    correct: int
    seconds: float


class LiveQuizStateOut(Schema):
    quiz: int
    title: str
    status: str
    status_label: str
    server_time: float
    answer_seconds: int
    pushed: int
    page_url: str
    answer_url: str
    script: str
    style: str
    question: LiveQuestionOut | None
    result: LiveResultOut | None
    leaderboard: list[LiveRankOut]
    mine: list[int] | None = Field(None, description="本人对当前题的作答（登录时）")


class LiveAnswerIn(Schema):
    item_id: int = Field(description="推送的题目编号（question.item）")
    choice: list[StrictInt] = Field(description="所选选项的位置（从0开始）")


class LiveAnswerOut(Schema):
    item_id: int
    choice: list[int]
    answered_at: datetime


def _live_quiz(live_quiz_id: int):
    found = selectors.live_quizzes().filter(pk=live_quiz_id).first()
    if found is None:
        raise NotFoundError("直播答题不存在")
    return found


@router.get("/live-quizzes/{live_quiz_id}", response={200: LiveQuizStateOut, 404: ErrorOut},
            summary="直播答题：当前题目与服务器时间（答案在公布后才出现）")
def live_quiz_state(request, live_quiz_id: Id):
    quiz = _live_quiz(live_quiz_id)
    state = services.live_state(quiz)
    if state["question"] is not None and request.user.is_authenticated:
        state["mine"] = services.my_live_answers(quiz, request.user).get(
            state["question"]["item"])
    return state


@router.post("/live-quizzes/{live_quiz_id}/answers", response={200: LiveAnswerOut, **ERRORS},
             auth=AUTH, summary="直播答题作答（每题一次，截止后不受理）")
def live_quiz_answer(request, live_quiz_id: Id, payload: LiveAnswerIn):
    answer = services.live_answer(user=request.auth, live_quiz_id=live_quiz_id,
                                  item_id=payload.item_id, choice=payload.choice)
    return {"item_id": answer.item_id, "choice": answer.choice,
            "answered_at": answer.answered_at}


@router.get("/live-quizzes/{live_quiz_id}/leaderboard",
            response={200: list[LiveRankOut], 404: ErrorOut},
            summary="直播答题排行（答对多者在前，同数用时短者在前）")
def live_quiz_leaderboard(request, live_quiz_id: Id):
    return services.live_leaderboard(_live_quiz(live_quiz_id))


# --- public draws -----------------------------------------------------------------------------

class DrawOut(Schema):
    id: int
    title: str
    description: str
    quota: int
    status: str
    status_label: str
    commitment: str
    entries_digest: str
    public_value_source: str
    public_value_on: date | None = Field(description="公开随机数的开奖日期（与承诺值同时公布；"
                                         "名单在此之前封存，公开随机数在此之后录入）")
    public_value: str
    live_url: str


def _draw(d) -> dict:
    return {"id": d.pk, "title": d.title, "description": d.description, "quota": d.quota,
            "status": d.status, "status_label": d.get_status_display(),
            "commitment": d.commitment, "entries_digest": d.entries_digest,
            "public_value_source": d.public_value_source,
            "public_value_on": d.public_value_on, "public_value": d.public_value,
            "live_url": d.live_url}


class WinnerOut(Schema):
    order: int
    code: str
    name: str


@router.get("/draws", response=list[DrawOut], summary="公开摇号")
def draw_list(request):
    return [_draw(d) for d in selectors.draws()[:100]]


@router.get("/draws/{draw_id}/record", response={200: dict, 404: ErrorOut},
            summary="摇号记录（可用 /draw/rongmei_draw.py 核验）")
def draw_record(request, draw_id: Id):
    found = selectors.draws().filter(pk=draw_id).first()
    if found is None:
        raise NotFoundError("摇号不存在")
    return selectors.draw_record(found)


@router.get("/draws/{draw_id}/winners", response={200: list[WinnerOut], 404: ErrorOut},
            summary="中签名单（姓名脱敏）")
def draw_winners(request, draw_id: Id):
    found = selectors.draws().filter(pk=draw_id).first()
    if found is None:
        raise NotFoundError("摇号不存在")
    return selectors.draw_results(found)
