"""活动's rules: contests (registration → entry → review → vote → results), prize quizzes
(the server keeps the clock and the key) and public draws (rongmei.core.draw).

Every staff action asks ``rongmei.units.access``; every text residents can read passes the
word gate (``core.public_text.gate_texts``); photos go through ``core.uploads``; points go
through the ledger (the 答题 rule). Errors are :class:`ServiceError` with Chinese messages.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Avg, F
from django.utils import timezone

from rongmei.core import draw as draw_engine
from rongmei.core import ratelimit
from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.roles import JUDGE, OPERATOR, ROLE_BY_CODE, UNIT_ADMIN
from rongmei.units.access import access_unit, check_role, forget_cached_access, has_role

from .models import (
    REGISTRATION_FIELDS,
    Attempt,
    Contest,
    ContestJudge,
    CountDisplay,
    DrawEntrant,
    DrawStatus,
    Entry,
    EntryStatus,
    FieldType,
    Invalidation,
    JudgeScore,
    ProposalStatus,
    PublicDraw,
    Question,
    QuestionBank,
    QuestionKind,
    Quiz,
    Registration,
    RegistrationPhoto,
    Vote,
    VoteScope,
)

QUIZ = "quiz"  # the 答题 earning rule (points migration 0002)
LATE_GRACE = timedelta(seconds=2)  # the network's share of the clock, never more
NEW_ACCOUNT_DAYS = 1
SHARED_DEVICE_VOTERS = 3  # a device that voted for this many accounts is flagged
SHARED_DEVICE_WINDOW = 86400  # seconds: the accounts one device voted for, per day
IP_BURST = (timedelta(minutes=10), 30)  # votes from one IP in a contest within the window


def gate_texts(**texts: str) -> None:
    """Public text passes the word gate (rongmei.wordgate); the first blocked field is named."""
    from rongmei.wordgate.services import scan

    for name, text in texts.items():
        verdict = scan(text or "")
        if verdict.blocked:
            words = "、".join(hit.word for hit in verdict.block_hits)[:40]
            raise ServiceError("wordgate_blocked", f"内容含有不允许发布的词语：{words}",
                               field=name)


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%m月%d日 %H:%M}"


def check_operator(actor, message: str = "只有运营人员可以管理活动") -> None:
    check_role(actor, OPERATOR, message=message)


# --- contests: set up -----------------------------------------------------------------------------

def contest_create(*, actor, title: str, registration_opens: datetime,
                   submission_closes: datetime, voting_opens: datetime, voting_closes: datetime,
                   results_at: datetime, rules: str = "", organiser: str = "",
                   form_fields=("name", "phone"), votes_per_day: int = 1,
                   vote_scope: str = VoteScope.CONTEST, require_realname: bool = False,
                   judge_weight: int = 0, allow_photo: bool = True, allow_text: bool = True,
                   allow_video: bool = False, live_url: str = "", count_display: str = CountDisplay.EXACT,
                   count_round_to: int = 10, count_refresh_minutes: int = 10,
                   custom_fields=(), unit_id: int | None = None) -> Contest:
    """A contest; ``form_fields`` are standard field codes (REGISTRATION_FIELDS) and
    ``custom_fields`` the operator's own choice and photo fields (custom_fields_parse).

    An operator's contest is public at once. A 分端管理员 proposes one for a unit in their
    scope (``unit_id``): it stays unpublished until the center approves it
    (``contest_proposal_review``)."""
    unit = None
    if not has_role(actor, OPERATOR):
        check_role(actor, UNIT_ADMIN, message="只有运营人员或分端管理员可以发起评选")
        if not unit_id:
            raise ServiceError("unit_required", "请选择发起单位", field="unit_id")
        unit = access_unit(actor, unit_id, UNIT_ADMIN)
    title = (title or "").strip()
    if not 2 <= len(title) <= 60:
        raise ServiceError("title_required", "请填写2至60个字的评选名称", field="title")
    if not (registration_opens < submission_closes <= voting_opens < voting_closes
            <= results_at):
        raise ServiceError("stage_order", "各阶段时间须依次为：报名开始、征集截止、投票开始、"
                           "投票截止、结果公布", field="submission_closes")
    if not 1 <= int(votes_per_day) <= 50:
        raise ServiceError("invalid_votes_per_day", "每天可投票数须在1至50之间",
                           field="votes_per_day")
    if vote_scope not in VoteScope.values:
        raise ServiceError("invalid_vote_scope", "请选择投票限制方式", field="vote_scope")
    if not 0 <= int(judge_weight) <= 100:
        raise ServiceError("invalid_weight", "评委评分权重须在0至100之间", field="judge_weight")
    unknown = [f for f in form_fields if f not in REGISTRATION_FIELDS]
    if unknown:
        raise ServiceError("invalid_form_field", "报名表字段不在可选范围内", field="form_fields")
    if not (allow_photo or allow_text or allow_video):
        raise ServiceError("entry_type_required", "请至少选择一种作品类型", field="allow_photo")
    _check_count_display(count_display, count_round_to, count_refresh_minutes)
    custom = _check_custom_fields(list(custom_fields))
    gate_texts(title=title, rules=rules, organiser=organiser)
    return Contest.objects.create(
        unit=unit, is_published=unit is None,
        proposal_status=ProposalStatus.PENDING if unit else ProposalStatus.NONE,
        count_display=count_display, count_round_to=int(count_round_to),
        count_refresh_minutes=int(count_refresh_minutes),
        title=title, rules=rules.strip(), organiser=organiser.strip(),
        registration_opens=registration_opens, submission_closes=submission_closes,
        voting_opens=voting_opens, voting_closes=voting_closes, results_at=results_at,
        form_fields=list(form_fields) + custom, votes_per_day=int(votes_per_day), vote_scope=vote_scope,
        require_realname=require_realname, judge_weight=int(judge_weight),
        allow_photo=allow_photo, allow_text=allow_text, allow_video=allow_video, live_url=live_url.strip(),
        created_by=actor)


def contest_proposal_review(*, actor, contest_id: int, approve: bool,
                            note: str = "") -> Contest:
    """The center approves a 分端's proposed contest (it goes live) or turns it down with a
    reason the unit sees in the console."""
    check_operator(actor, "只有运营人员可以审核分端申报的评选")
    note = (note or "").strip()[:100]
    if not approve and not note:
        raise ServiceError("note_required", "不通过时请填写原因", field="note")
    with transaction.atomic():
        contest = Contest.objects.select_for_update().filter(pk=contest_id).first()
        if contest is None:
            raise NotFoundError("评选活动不存在")
        if contest.proposal_status != ProposalStatus.PENDING:
            raise ServiceError("not_pending", "该评选不在待审核状态", status=409)
        contest.proposal_status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
        contest.is_published = bool(approve)
        contest.proposal_note = note
        contest.save(update_fields=["proposal_status", "is_published", "proposal_note"])
        return contest


def _check_count_display(display: str, round_to, refresh_minutes) -> None:
    if display not in CountDisplay.values:
        raise ServiceError("invalid_count_display", "请选择公开票数的显示方式",
                           field="count_display")
    if str(round_to) not in ("10", "100"):
        raise ServiceError("invalid_round_to", "取整单位须为十位或百位", field="count_round_to")
    if not str(refresh_minutes).isdigit() or not 1 <= int(refresh_minutes) <= 1440:
        raise ServiceError("invalid_refresh", "刷新间隔须在1至1440分钟之间",
                           field="count_refresh_minutes")


def contest_count_display_set(*, actor, contest_id: int, count_display: str,
                              count_round_to: int = 10,
                              count_refresh_minutes: int = 10) -> Contest:
    """How the public sees the counts (exact, rounded, refreshed every N minutes, hidden
    until the results); may change while voting runs. A new refresh interval starts from a
    fresh snapshot."""
    check_operator(actor, "只有运营人员可以设置公开票数")
    _check_count_display(count_display, count_round_to, count_refresh_minutes)
    with transaction.atomic():
        contest = Contest.objects.select_for_update().filter(pk=contest_id).first()
        if contest is None:
            raise NotFoundError("评选活动不存在")
        contest.count_display = count_display
        contest.count_round_to = int(count_round_to)
        contest.count_refresh_minutes = int(count_refresh_minutes)
        contest.counts_refreshed_at = None
        contest.save(update_fields=["count_display", "count_round_to",
                                    "count_refresh_minutes", "counts_refreshed_at"])
        return contest


def _contest(contest_id) -> Contest:
    contest = Contest.objects.filter(pk=contest_id, is_published=True).first()
    if contest is None:
        raise NotFoundError("评选活动不存在")
    return contest


# --- contests: residents ------------------------------------------------------------------------

def registration_create(*, user, contest_id: int, answers: dict, files: dict | None = None,
                        now: datetime | None = None) -> Registration:
    """报名 with the fields the operator picked (each required but the note): text, one of
    a choice field's options, a photo (``files``: field code → upload) that core.uploads
    checks by its content and re-makes without metadata. Nothing is kept when any is wrong."""
    from rongmei.accounts.validators import normalize_phone
    from rongmei.core.uploads import clean_image

    now = now or timezone.now()
    contest = _contest(contest_id)
    if not contest.registration_opens <= now < contest.submission_closes:
        raise ServiceError("registration_closed",
                           f"报名时间为{_local(contest.registration_opens)}至"
                           f"{_local(contest.submission_closes)}", status=409)
    if Registration.objects.filter(contest=contest, user=user).exists():
        raise ServiceError("already_registered", "您已报名本次评选", status=409)
    clean, photos = {}, {}
    for spec in contest.registration_fields():
        code, label = spec["code"], spec["label"]
        if spec["type"] == FieldType.PHOTO:
            upload = (files or {}).get(code)
            if upload is None:
                raise ServiceError("field_required", f"请上传{label}", field=code)
            photos[code] = clean_image(upload, field=code)
            continue
        value = str((answers or {}).get(code, "")).strip()
        if not value and spec["required"]:
            raise ServiceError("field_required", f"请{'选择' if spec['options'] else '填写'}"
                               f"{label}", field=code)
        if spec["type"] == FieldType.CHOICE:
            if value not in spec["options"]:
                raise ServiceError("invalid_choice", f"请从给出的选项中选择{label}", field=code)
        elif len(value) > spec["max_length"]:
            raise ServiceError("field_too_long", f"{label}不能超过{spec['max_length']}个字",
                               field=code)
        if code == "phone":
            try:
                value = normalize_phone(value)
            except Exception:  # noqa: BLE001 - ValidationError with a Chinese message
                raise ServiceError("invalid_phone", "手机号格式不正确", field=code) from None
        if code == "id_number" and not (len(value) == 18 and value[:17].isdigit()):
            raise ServiceError("invalid_id_number", "身份证号须为18位", field=code)
        clean[code] = value
    try:
        with transaction.atomic():
            registration = Registration.objects.create(contest=contest, user=user,
                                                       answers=clean)
            for code, image in photos.items():
                photo = RegistrationPhoto(registration=registration, code=code)
                photo.image.save(image.name, image, save=False)
                photo.save()
            return registration
    except IntegrityError:
        raise ServiceError("already_registered", "您已报名本次评选", status=409) from None


def registration_photo_open(*, viewer, photo_id: int):
    """(photo, open file) of a registration photo for an operator, the look logged."""
    from rongmei.accounts.models import PersonalDataAccess

    check_operator(viewer, "只有运营人员可以查看报名照片")
    photo = (RegistrationPhoto.objects.select_related("registration__contest")
             .filter(pk=photo_id).first())
    if photo is None or not photo.image:
        raise NotFoundError("报名照片不存在")
    try:
        handle = photo.image.storage.open(photo.image.name, "rb")
    except FileNotFoundError:
        raise NotFoundError("报名照片文件不存在") from None
    contest = photo.registration.contest
    PersonalDataAccess.objects.create(viewer=viewer, subject_id=photo.registration.user_id,
                                      what="报名照片",
                                      reason=f"审核评选“{contest.title}”的报名"[:120])
    return photo, handle


MAX_CUSTOM_FIELDS = 5


def custom_fields_parse(*, choices: str = "", photos: str = "") -> list[dict]:
    """The operator's own registration fields from the console's two boxes: one choice
    field a line as ``组别：小学组、初中组`` and one photo field a line as its name."""
    fields: list[dict] = []
    for line in (choices or "").splitlines():
        if not line.strip():
            continue
        label, sep, rest = line.replace(":", "：").partition("：")
        options = [o.strip() for o in rest.replace(",", "、").replace("，", "、").split("、")
                   if o.strip()]
        if not sep:
            raise ServiceError("invalid_choice_field", f"“{line.strip()[:20]}”请写成"
                               "“字段名称：选项1、选项2”", field="choice_fields")
        fields.append({"type": FieldType.CHOICE, "label": label.strip(), "options": options})
    for line in (photos or "").splitlines():
        if line.strip():
            fields.append({"type": FieldType.PHOTO, "label": line.strip(), "options": []})
    return fields


def _check_custom_fields(custom_fields) -> list[dict]:
    """Checked and numbered (choice1, photo1, …) custom fields; labels and options are public
    text, so they pass the word gate."""
    if len(custom_fields) > MAX_CUSTOM_FIELDS:
        raise ServiceError("too_many_fields", f"自定义报名字段最多{MAX_CUSTOM_FIELDS}个",
                           field="choice_fields")
    checked, counts = [], {FieldType.CHOICE: 0, FieldType.PHOTO: 0}
    for item in custom_fields:
        kind = item.get("type")
        box = "photo_fields" if kind == FieldType.PHOTO else "choice_fields"
        if kind not in counts:
            raise ServiceError("invalid_form_field", "报名表字段类型只能是选择或照片",
                               field="choice_fields")
        label = str(item.get("label", "")).strip()
        if not 1 <= len(label) <= 20:
            raise ServiceError("invalid_field_label", "报名字段名称须为1至20个字", field=box)
        options = [str(o).strip() for o in item.get("options", [])]
        if kind == FieldType.CHOICE:
            if not 2 <= len(options) <= 20 or len(set(options)) != len(options):
                raise ServiceError("invalid_options", f"“{label}”须有2至20个互不相同的选项",
                                   field=box)
            if any(not 1 <= len(o) <= 20 for o in options):
                raise ServiceError("invalid_options", f"“{label}”的每个选项须为1至20个字",
                                   field=box)
        gate_texts(**{box: "\n".join([label, *options])})
        counts[kind] += 1
        checked.append({"code": f"{kind}{counts[kind]}", "type": str(kind), "label": label,
                        **({"options": options} if kind == FieldType.CHOICE else {})})
    return checked


def entry_submit(*, user, contest_id: int, title: str, text: str = "", photo=None,
                 video=None, author_name: str = "", now: datetime | None = None) -> Entry:
    """A registered resident submits one work (photo, video and/or text); it waits for
    review. A video goes to the media pipeline (checked by ffprobe, transcoded once this
    commits) and the entry is public only when approved *and* its video is ready."""
    from rongmei.core.uploads import clean_image
    from rongmei.media.models import MediaKind
    from rongmei.media.services import media_accept

    now = now or timezone.now()
    contest = _contest(contest_id)
    if not contest.registration_opens <= now < contest.submission_closes:
        raise ServiceError("submission_closed",
                           f"作品征集截止于{_local(contest.submission_closes)}", status=409)
    registration = Registration.objects.filter(contest=contest, user=user).first()
    if registration is None:
        raise ServiceError("not_registered", "请先报名再提交作品", status=409)
    already = ServiceError("already_submitted", "每人限交一件作品", status=409)
    if Entry.objects.filter(contest=contest, author=user).exists():
        raise already
    title, text = (title or "").strip(), (text or "").strip()
    author_name = (author_name or registration.answers.get("name") or
                   getattr(user, "nickname", "") or "参赛者").strip()[:20]
    if not 2 <= len(title) <= 40:
        raise ServiceError("title_required", "请填写2至40个字的作品名称", field="title")
    if photo is None and video is None and not text:
        raise ServiceError("content_required", "请上传作品图片、视频或填写作品内容",
                           field="text")
    if photo is not None and not contest.allow_photo:
        raise ServiceError("photo_not_allowed", "本次评选不接受图片作品", field="photo")
    if video is not None and not contest.allow_video:
        raise ServiceError("video_not_allowed", "本次评选不接受视频作品", field="video")
    if text and not contest.allow_text and photo is None and video is None:
        raise ServiceError("text_not_allowed", "本次评选不接受文字作品", field="text")
    if len(text) > 5000:
        raise ServiceError("text_too_long", "作品内容不能超过5000字", field="text")
    gate_texts(title=title, text=text, author_name=author_name)
    image = clean_image(photo, field="photo") if photo is not None else None
    try:
        with transaction.atomic():
            entry = Entry(contest=contest, author=user, author_name=author_name, title=title,
                          text=text)
            if video is not None:
                entry.video = media_accept(uploaded_by=user, kind=MediaKind.VIDEO,
                                           title=f"【参赛】{title}", upload=video)
            if image is not None:
                entry.photo.save(image.name, image, save=False)
            entry.save()
            return entry
    except IntegrityError:
        raise already from None


def _account_age(user, now: datetime) -> tuple[int, str]:
    """(account age in days, the flag it earns): known without asking the database."""
    joined = getattr(user, "date_joined", None) or now
    age = max((now - joined).days, 0)
    return age, ("新注册账号" if age < NEW_ACCOUNT_DAYS else "")


def _flag_anomalies(vote: Vote) -> None:
    """Count the vote's device and address in the shared counters (core.ratelimit: Redis
    when configured) and flag the vote if they show a shared device or a burst.

    Called once the vote is stored, outside its transaction: only stored votes are counted,
    no row lock is held meanwhile, and a vote with nothing new to flag costs no query. The
    raw signals (address, device, account age) stay on every vote for the console."""
    found = []
    if vote.device_id and ratelimit.count_distinct(
            "vote-device", f"{vote.contest_id}:{vote.device_id}", str(vote.voter_id),
            window=SHARED_DEVICE_WINDOW) >= SHARED_DEVICE_VOTERS:
        found.append("多账号共用设备")
    if vote.ip:
        window, limit = IP_BURST
        if ratelimit.count("vote-ip", f"{vote.contest_id}:{vote.ip}",
                           window=int(window.total_seconds())) >= limit:
            found.append("同一IP集中投票")
    if found:
        vote.flags = "、".join([vote.flags, *found] if vote.flags else found)
        Vote.objects.filter(pk=vote.pk).update(flags=vote.flags)


def vote_cast(*, user, entry_id: int, ip: str | None = None, device_id: str = "",
              now: datetime | None = None) -> Vote:
    """One vote, within the rule's N per person per day (per entry or per contest).

    The limit is the database's: each vote takes a numbered slot of its (voter, day,
    scope), slots are unique and never past N. The first try is slot 1 (a voter's first
    vote of the day, the common case, is then one insert); when the constraint refuses it,
    the voter's slots are counted and the next one tried, until N are taken. Racing votes of
    one person end the same way: each slot goes to exactly one of them.

    The returned vote's ``entry.votes`` is the count this request read plus its own vote
    (not read back: other votes of the same moment may be missing from it).
    """
    now = now or timezone.now()
    entry = (Entry.objects.select_related("contest", "video").filter(pk=entry_id).first()
             if isinstance(entry_id, int) and 0 < entry_id < 2**63 else None)
    if (entry is None or entry.status != EntryStatus.APPROVED or not entry.contest.is_published
            or (entry.video is not None and not entry.video.is_ready)):
        raise NotFoundError("作品不存在或尚未通过审核")
    contest = entry.contest
    if now < contest.voting_opens:
        raise ServiceError("voting_not_open", f"投票将于{_local(contest.voting_opens)}开始",
                           status=409)
    if now >= contest.voting_closes:
        raise ServiceError("voting_closed", f"投票已于{_local(contest.voting_closes)}截止",
                           status=409)
    if contest.require_realname and not _has_realname(user):
        raise PermissionDeniedError("本次评选须实名登记后才能投票", code="realname_required")
    day = timezone.localdate(now)
    scope = entry.pk if contest.vote_scope == VoteScope.ENTRY else 0
    age, new_account = _account_age(user, now)
    limit = contest.votes_per_day
    over = ServiceError("over_limit", f"今天的票已投完（每人每天{limit}票"
                        f"{'，每件作品' if scope else ''}），明天再来吧", status=409)
    slot = 1
    for _ in range(limit + 1):
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    contest=contest, entry=entry, voter=user, day=day, scope=scope,
                    slot=slot, ip=ip or None, device_id=device_id[:64],
                    account_age_days=age, flags=new_account)
                Entry.objects.filter(pk=entry.pk).update(votes=F("votes") + 1)
            break
        except IntegrityError:  # the slot is taken: by an earlier vote, or a racing one
            used = Vote.objects.filter(contest=contest, voter=user, day=day,
                                       scope=scope).count()
            if used >= limit:
                raise over from None
            slot = used + 1
    else:
        raise over
    entry.votes += 1
    _flag_anomalies(vote)
    return vote


def _has_realname(user) -> bool:
    from rongmei.accounts.models import RealNameRecord

    return RealNameRecord.objects.filter(user=user).exists()


# --- contests: the console ----------------------------------------------------------------------

def entry_review(*, actor, entry_id: int, approve: bool, note: str = "",
                 now: datetime | None = None) -> Entry:
    """Approve (the entry gets the next public number) or turn down with a reason."""
    check_operator(actor, "只有运营人员可以审核参赛作品")
    now = now or timezone.now()
    with transaction.atomic():
        entry = Entry.objects.select_for_update().filter(pk=entry_id).first()
        if entry is None:
            raise NotFoundError("作品不存在")
        if entry.status != EntryStatus.PENDING:
            raise ServiceError("already_reviewed", "该作品已审核", status=409)
        note = (note or "").strip()[:100]
        if not approve and not note:
            raise ServiceError("note_required", "不通过时请填写原因", field="note")
        if approve:
            Contest.objects.select_for_update().filter(pk=entry.contest_id).first()
            last = (Entry.objects.filter(contest_id=entry.contest_id, number__isnull=False)
                    .order_by("-number").values_list("number", flat=True).first()) or 0
            entry.number = last + 1
        entry.status = EntryStatus.APPROVED if approve else EntryStatus.REJECTED
        entry.review_note, entry.reviewed_by, entry.reviewed_at = note, actor, now
        entry.save(update_fields=["number", "status", "review_note", "reviewed_by",
                                  "reviewed_at"])
        return entry


def judge_add(*, actor, contest_id: int, phone: str) -> ContestJudge:
    """Name a judge for a contest by their phone number (they must have an account); they
    get the 评委 role, which lets them into the console's 评委评分 screen."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from rongmei.accounts.validators import normalize_phone

    check_operator(actor, "只有运营人员可以设置评委")
    contest = Contest.objects.filter(pk=contest_id).first()
    if contest is None:
        raise NotFoundError("评选活动不存在")
    try:
        phone = normalize_phone((phone or "").strip())
    except Exception:  # noqa: BLE001 - ValidationError with a Chinese message
        raise ServiceError("invalid_phone", "手机号格式不正确", field="phone") from None
    user = get_user_model().objects.filter(phone=phone, is_active=True).first()
    if user is None:
        raise ServiceError("judge_not_found", "该手机号尚未注册，请评委先注册账号",
                           field="phone")
    try:
        with transaction.atomic():
            judge = ContestJudge.objects.create(contest=contest, user=user, added_by=actor)
            user.groups.add(Group.objects.get(name=ROLE_BY_CODE[JUDGE].name))
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
    except IntegrityError:
        raise ServiceError("already_judge", "此人已是本次评选的评委", status=409) from None
    forget_cached_access(user)
    return judge


def judge_remove(*, actor, judge_id: int) -> None:
    """Take a judge off a contest — only before they have scored (scores are the record)."""
    check_operator(actor, "只有运营人员可以设置评委")
    judge = ContestJudge.objects.filter(pk=judge_id).first()
    if judge is None:
        raise NotFoundError("评委不存在")
    if JudgeScore.objects.filter(judge=judge.user, entry__contest=judge.contest_id).exists():
        raise ServiceError("judge_has_scored", "该评委已打分，不能移除", status=409)
    judge.delete()


def entry_finalist_set(*, actor, entry_id: int, finalist: bool) -> Entry:
    """入围决赛 (or not): judges score finalists only."""
    check_operator(actor, "只有运营人员可以确定入围作品")
    with transaction.atomic():
        entry = (Entry.objects.select_for_update()
                 .filter(pk=entry_id, status=EntryStatus.APPROVED).first())
        if entry is None:
            raise NotFoundError("作品不存在或未通过审核")
        if not finalist and entry.scores.exists():
            raise ServiceError("already_scored", "评委已为该作品打分，不能取消入围", status=409)
        entry.finalist = bool(finalist)
        entry.save(update_fields=["finalist"])
        return entry


def access_judging(user, contest_id) -> Contest:
    """The contest if ``user`` is one of its judges (the 评委 role, and named for it)."""
    check_role(user, JUDGE, message="只有评委可以打分")
    contest = Contest.objects.filter(pk=contest_id).first()
    if contest is None:
        raise NotFoundError("评选活动不存在")
    if not ContestJudge.objects.filter(contest=contest, user=user).exists():
        raise PermissionDeniedError("您不是本次评选的评委")
    return contest


def entry_score(*, actor, entry_id: int, score, now: datetime | None = None) -> JudgeScore:
    """评委评分 (0–100): a judge of the contest scores a finalist, or changes their own
    score, until the results are public. The entry keeps the judges' mean, which the results
    weigh with the public votes as the contest's rules say."""
    try:
        value = Decimal(str(score).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ServiceError("invalid_score", "评分须为0至100的数字", field="score") from None
    if not Decimal(0) <= value <= Decimal(100):
        raise ServiceError("invalid_score", "评分须为0至100的数字", field="score")
    entry = Entry.objects.filter(pk=entry_id, status=EntryStatus.APPROVED).first()
    if entry is None:
        raise NotFoundError("作品不存在或未通过审核")
    contest = access_judging(actor, entry.contest_id)
    if not entry.finalist:
        raise ServiceError("not_finalist", "只能给入围决赛的作品打分", status=409)
    if (now or timezone.now()) >= contest.results_at:
        raise ServiceError("results_public", "结果已公布，评分不能再修改", status=409)
    with transaction.atomic():
        Entry.objects.select_for_update().filter(pk=entry.pk).first()
        mine, _ = JudgeScore.objects.update_or_create(entry=entry, judge=actor,
                                                      defaults={"score": value})
        mean = entry.scores.aggregate(mean=Avg("score"))["mean"]
        Entry.objects.filter(pk=entry.pk).update(
            judge_score=Decimal(mean).quantize(Decimal("0.01")))
    return mine


def votes_invalidate(*, actor, entry_id: int, reason: str, flagged_only: bool = True,
                     vote_ids=None) -> Invalidation:
    """After review, invalidate an entry's flagged votes (or the listed ones): they are
    marked, never deleted; the count drops and a public notice records it."""
    check_operator(actor, "只有运营人员可以作废投票")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ServiceError("reason_required", "请用至少4个字说明作废原因", field="reason")
    gate_texts(reason=reason)
    with transaction.atomic():
        entry = Entry.objects.select_for_update().filter(pk=entry_id).first()
        if entry is None:
            raise NotFoundError("作品不存在")
        votes = Vote.objects.filter(entry=entry, invalid=False)
        if vote_ids is not None:
            votes = votes.filter(pk__in=list(vote_ids))
        elif flagged_only:
            votes = votes.exclude(flags="")
        count = votes.update(invalid=True)
        if not count:
            raise ServiceError("nothing_to_invalidate", "没有可作废的投票", status=409)
        Entry.objects.filter(pk=entry.pk).update(votes=F("votes") - count)
        return Invalidation.objects.create(contest_id=entry.contest_id, entry=entry,
                                           count=count, reason=reason[:100], decided_by=actor)


# --- quizzes ------------------------------------------------------------------------------------

BANK_COLUMNS = ("题型", "题目", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案",
                "解析", "分类", "难度")
BANK_REQUIRED = ("题型", "题目", "答案")
KIND_NAMES = {"单选": QuestionKind.SINGLE, "单选题": QuestionKind.SINGLE,
              "多选": QuestionKind.MULTIPLE, "多选题": QuestionKind.MULTIPLE,
              "判断": QuestionKind.JUDGE, "判断题": QuestionKind.JUDGE}
JUDGE_OPTIONS = ["正确", "错误"]
JUDGE_ANSWERS = {"正确": 0, "对": 0, "√": 0, "是": 0, "A": 0,
                 "错误": 1, "错": 1, "×": 1, "否": 1, "B": 1}


@dataclass
class ImportReport:
    created: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_bank(*, actor, name: str, data: bytes) -> ImportReport:
    """Questions from an .xlsx (one row per question) into the bank ``name``.

    All or nothing: every row is checked first; any bad row → a Chinese report naming the
    row and what is wrong, and nothing is written."""
    from rongmei.core.excel import read_sheet

    check_operator(actor, "只有运营人员可以导入题库")
    name = (name or "").strip()
    if not 2 <= len(name) <= 40:
        raise ServiceError("name_required", "请填写2至40个字的题库名称", field="name")
    workbook, header, rows, value = read_sheet(data, BANK_COLUMNS, field="file")
    report = ImportReport()
    parsed = []
    try:
        missing = [c for c in BANK_REQUIRED if c not in header]
        if missing:
            raise ServiceError("invalid_excel", "表头缺少列：" + "、".join(missing), field="file")
        for number, row in enumerate(rows, start=2):
            if not any(c not in (None, "") for c in row):
                continue
            problems = []
            kind = KIND_NAMES.get(value(row, "题型"))
            text = value(row, "题目")
            raw_answer = value(row, "答案").upper().replace(" ", "").replace(",", "") \
                .replace("，", "").replace("、", "")
            options = [value(row, f"选项{letter}") for letter in "ABCDEF"]
            while options and not options[-1]:
                options.pop()
            answer: list[int] = []
            if kind is None:
                problems.append(f"题型“{value(row, '题型')}”应为单选、多选或判断")
            if not 4 <= len(text) <= 300:
                problems.append("题目须为4至300个字")
            if kind == QuestionKind.JUDGE:
                options = JUDGE_OPTIONS
                choice = JUDGE_ANSWERS.get(value(row, "答案"), JUDGE_ANSWERS.get(raw_answer))
                if choice is None:
                    problems.append("判断题答案应为“正确”或“错误”")
                else:
                    answer = [choice]
            elif kind is not None:
                if len(options) < 2 or any(not o for o in options):
                    problems.append("选项至少两个，且中间不能有空选项")
                letters = sorted(set(raw_answer))
                if not letters or any(ch not in "ABCDEF"[:len(options)] for ch in letters):
                    problems.append(f"答案“{value(row, '答案')}”不是已填写的选项字母")
                else:
                    answer = ["ABCDEF".index(ch) for ch in letters]
                    if kind == QuestionKind.SINGLE and len(answer) != 1:
                        problems.append("单选题只能有一个答案")
                    if kind == QuestionKind.MULTIPLE and len(answer) < 2:
                        problems.append("多选题至少两个答案")
            difficulty = value(row, "难度") or "1"
            if difficulty not in ("1", "2", "3", "4", "5"):
                problems.append("难度应为1至5")
            if len(value(row, "分类")) > 20:
                problems.append("分类不能超过20个字")
            blocked = _blocked(text, *options, value(row, "解析"))
            if blocked:
                problems.append(blocked)
            if problems:
                report.errors.append(f"第{number}行：" + "；".join(problems))
                continue
            parsed.append(Question(kind=kind, text=text, options=options, answer=answer,
                                   explanation=value(row, "解析")[:300],
                                   category=value(row, "分类"), difficulty=int(difficulty)))
    finally:
        workbook.close()
    if report.errors:
        return report
    if not parsed:
        report.errors.append("表格中没有数据行")
        return report
    with transaction.atomic():
        bank, _ = QuestionBank.objects.get_or_create(name=name)
        for question in parsed:
            question.bank = bank
        Question.objects.bulk_create(parsed)
    report.created = len(parsed)
    return report


def _blocked(*texts: str) -> str:
    try:
        gate_texts(**{f"t{i}": t for i, t in enumerate(texts)})
    except ServiceError as exc:
        return exc.message
    return ""


def quiz_create(*, actor, title: str, bank_id: int, opens_at: datetime, closes_at: datetime,
                question_count: int = 10, time_limit_seconds: int = 300,
                attempts_per_day: int = 1, pass_score: int = 60, intro: str = "",
                category: str = "") -> Quiz:
    check_operator(actor)
    title = (title or "").strip()
    if not 2 <= len(title) <= 60:
        raise ServiceError("title_required", "请填写2至60个字的活动名称", field="title")
    bank = QuestionBank.objects.filter(pk=bank_id).first()
    if bank is None:
        raise ServiceError("bank_not_found", "所选题库不存在", field="bank_id")
    if closes_at <= opens_at:
        raise ServiceError("ends_before_start", "结束时间须晚于开始时间", field="closes_at")
    available = bank.questions.filter(**({"category": category} if category else {})).count()
    if not 1 <= question_count <= available:
        raise ServiceError("not_enough_questions", f"题库中可抽的题目只有{available}道",
                           field="question_count")
    if not 10 <= time_limit_seconds <= 3600:
        raise ServiceError("invalid_time_limit", "答题时限须在10秒至1小时之间",
                           field="time_limit_seconds")
    if not 1 <= attempts_per_day <= 20:
        raise ServiceError("invalid_attempts", "每人每天次数须在1至20之间",
                           field="attempts_per_day")
    gate_texts(title=title, intro=intro)
    return Quiz.objects.create(title=title, intro=intro, bank=bank, category=category,
                               question_count=question_count,
                               time_limit_seconds=time_limit_seconds,
                               attempts_per_day=attempts_per_day,
                               pass_score=min(max(pass_score, 0), 100),
                               opens_at=opens_at, closes_at=closes_at)


def attempt_start(*, user, quiz_id: int, now: datetime | None = None) -> Attempt:
    """Draw the paper (and each question's option order) and start the server's clock."""
    now = now or timezone.now()
    quiz = Quiz.objects.filter(pk=quiz_id).first()
    if quiz is None:
        raise NotFoundError("答题活动不存在")
    if not quiz.opens_at <= now < quiz.closes_at:
        raise ServiceError("quiz_closed", f"答题时间为{_local(quiz.opens_at)}至"
                           f"{_local(quiz.closes_at)}", status=409)
    pool = list(quiz.bank.questions.filter(**({"category": quiz.category} if quiz.category
                                              else {})).values_list("pk", "options"))
    rng = secrets.SystemRandom()
    paper = rng.sample(pool, min(quiz.question_count, len(pool)))
    orders = {}
    for pk, options in paper:
        order = list(range(len(options)))
        if len(options) > 2:
            rng.shuffle(order)
        orders[str(pk)] = order
    day = timezone.localdate(now)
    limit = quiz.attempts_per_day
    over = ServiceError("over_limit", f"今天的答题次数已用完（每人每天{limit}次）", status=409)
    for _ in range(limit + 1):
        used = Attempt.objects.filter(quiz=quiz, user=user, day=day).count()
        if used >= limit:
            raise over
        try:
            with transaction.atomic():
                return Attempt.objects.create(
                    quiz=quiz, user=user, day=day, slot=used + 1,
                    questions=[pk for pk, _ in paper], orders=orders, started_at=now,
                    deadline=now + timedelta(seconds=quiz.time_limit_seconds))
        except IntegrityError:
            continue
    raise over


def attempt_paper(attempt: Attempt) -> list[dict]:
    """The questions as the client sees them: text and options in the attempt's order — and
    nothing about which option is right."""
    questions = Question.objects.in_bulk(attempt.questions)
    paper = []
    for pk in attempt.questions:
        question = questions.get(pk)
        if question is None:
            continue
        order = attempt.orders.get(str(pk), list(range(len(question.options))))
        paper.append({"id": pk, "kind": question.kind, "kind_label": question.get_kind_display(),
                      "text": question.text,
                      "options": [question.options[i] for i in order]})
    return paper


def attempt_submit(*, user, attempt_id: int, answers: dict,
                   now: datetime | None = None) -> Attempt:
    """Hand in the paper: ``answers`` maps question id → the chosen option positions as
    shown. Refused after the deadline (the server's clock) and for a question not in the
    attempt; nothing is recorded then."""
    from rongmei.points.services import points_earn

    now = now or timezone.now()
    with transaction.atomic():
        attempt = (Attempt.objects.select_for_update().select_related("quiz")
                   .filter(pk=attempt_id, user=user).first())
        if attempt is None:
            raise NotFoundError("答题记录不存在")
        if attempt.submitted_at is not None:
            raise ServiceError("already_submitted", "本次答题已交卷", status=409)
        if now > attempt.deadline + LATE_GRACE:
            raise ServiceError("attempt_expired",
                               f"答题时间已于{_local(attempt.deadline)}结束，本次作答不计分",
                               status=409)
        chosen: dict[int, list[int]] = {}
        for key, picked in (answers or {}).items():
            try:
                pk = int(key)
            except (TypeError, ValueError):
                pk = None
            if pk not in attempt.questions:
                raise ServiceError("question_not_in_attempt", "提交的题目不在本次试卷中",
                                   field="answers")
            if not isinstance(picked, list | tuple) or any(
                    not isinstance(i, int) or isinstance(i, bool) for i in picked):
                raise ServiceError("invalid_answer", "答案格式不正确", field="answers")
            order = attempt.orders.get(str(pk), [])
            if any(not 0 <= i < len(order) for i in picked):
                raise ServiceError("invalid_answer", "所选选项不存在", field="answers")
            chosen[pk] = sorted({order[i] for i in picked})
        questions = Question.objects.in_bulk(attempt.questions)
        correct = sum(1 for pk, picked in chosen.items()
                      if pk in questions and picked == sorted(questions[pk].answer))
        total = len(attempt.questions) or 1
        attempt.answers = {str(k): v for k, v in chosen.items()}
        attempt.correct = correct
        attempt.score = round(100 * correct / total)
        attempt.submitted_at = now
        attempt.duration_ms = max(int((now - attempt.started_at).total_seconds() * 1000), 0)
        if attempt.score >= attempt.quiz.pass_score and attempt.score > 0:
            entry = points_earn(user=user, action=QUIZ, source=f"quiz:{attempt.quiz_id}",
                                key=f"{QUIZ}:attempt:{attempt.pk}", now=now)
            attempt.points_paid = entry.amount if entry is not None else 0
        attempt.save(update_fields=["answers", "correct", "score", "submitted_at",
                                    "duration_ms", "points_paid"])
        return attempt


# --- public draws -------------------------------------------------------------------------------

DRAW_COLUMNS = ("编号", "姓名")


def draw_create(*, actor, title: str, quota: int, description: str = "",
                public_value_source: str = "", live_url: str = "",
                quiz_id: int | None = None) -> PublicDraw:
    """A draw whose seed is chosen now; only its SHA-256 (the commitment) is public."""
    check_operator(actor, "只有运营人员可以发起公开摇号")
    title = (title or "").strip()
    if not 2 <= len(title) <= 60:
        raise ServiceError("title_required", "请填写2至60个字的摇号名称", field="title")
    if not 1 <= int(quota) <= 100_000:
        raise ServiceError("invalid_quota", "名额须在1至100000之间", field="quota")
    gate_texts(title=title, description=description, public_value_source=public_value_source)
    quiz = None
    if quiz_id is not None:
        quiz = Quiz.objects.filter(pk=quiz_id).first()
        if quiz is None:
            raise ServiceError("quiz_not_found", "所选答题活动不存在", field="quiz_id")
    seed = secrets.token_hex(16)
    return PublicDraw.objects.create(
        title=title, quota=int(quota), description=description.strip(), seed=seed,
        commitment=draw_engine.commitment(seed), public_value_source=public_value_source.strip(),
        live_url=live_url.strip(), quiz=quiz, created_by=actor)


def quiz_qualifiers(quiz: Quiz) -> list[tuple[str, str]]:
    """(code, name) of each person with an attempt at or above the pass mark: the list of a
    prize draw among a quiz's players (one place per person, however many attempts)."""
    users = (Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False,
                                    score__gte=max(quiz.pass_score, 1))
             .values_list("user_id", "user__nickname").distinct().order_by("user_id"))
    return [(f"Q{user_id:07d}", (nickname or "居民")[:20]) for user_id, nickname in users]


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
        codes = list(draw.entrants.values_list("code", flat=True))
        if draw_engine.entries_digest(codes) != draw.entries_digest:
            raise ServiceError("list_changed", "名单与封存时的指纹不一致，不能摇号", status=409)
        order = draw_engine.draw_order(seed=draw.seed, entries=codes, public_value=public_value)
        draw.winners = draw_engine.winners(order, draw.quota)
        draw.public_value, draw.status = public_value, DrawStatus.DRAWN
        draw.drawn_at = now or timezone.now()
        draw.save(update_fields=["winners", "public_value", "status", "drawn_at"])
        return draw
