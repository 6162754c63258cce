"""征集评选: set-up (operators, 分端 proposals), registration, entries, votes, judges and
invalidation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Avg, F
from django.utils import timezone

from rongmei.core import crypto, ratelimit
from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.masking import mask_id_number
from rongmei.core.roles import JUDGE, OPERATOR, ROLE_BY_CODE, UNIT_ADMIN
from rongmei.units.access import (
    access_unit,
    check_role,
    forget_cached_access,
    has_role,
    user_roles,
)

from ..models import (
    REGISTRATION_FIELDS,
    Contest,
    ContestJudge,
    CountDisplay,
    Entry,
    EntryStatus,
    FieldType,
    Invalidation,
    JudgeScore,
    ProposalStatus,
    Registration,
    RegistrationPhoto,
    Vote,
    VoteScope,
)
from .common import (
    IP_BURST,
    NEW_ACCOUNT_DAYS,
    SHARED_DEVICE_VOTERS,
    SHARED_DEVICE_WINDOW,
    _local,
    check_link,
    check_operator,
    gate_texts,
)

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
    live_url = check_link(live_url, field="live_url")
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
        allow_photo=allow_photo, allow_text=allow_text, allow_video=allow_video, live_url=live_url,
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
    from rongmei.accounts.validators import normalize_id_number, normalize_phone
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
        if code == "id_number" and value:  # the check digit and the birth date, like 实名登记
            try:
                value = normalize_id_number(value)
            except Exception as exc:  # noqa: BLE001 - ValidationError with a Chinese message
                raise ServiceError("invalid_id_number", exc.messages[0], field=code) from None
        clean[code] = value
    sealed = ""
    if clean.get("id_number"):
        sealed = crypto.encrypt(clean["id_number"])
        clean["id_number"] = mask_id_number(clean["id_number"])
    try:
        with transaction.atomic():
            registration = Registration.objects.create(contest=contest, user=user,
                                                       answers=clean,
                                                       id_number_encrypted=sealed)
            for code, image in photos.items():
                photo = RegistrationPhoto(registration=registration, code=code)
                photo.image.save(image.name, image, save=False)
                photo.save()
            return registration
    except IntegrityError:
        raise ServiceError("already_registered", "您已报名本次评选", status=409) from None


def registration_open(*, viewer, registration_id: int) -> Registration:
    """A registration's answers in full (phone, ID number) for an operator who must reach an
    entrant, the look logged like a photo's; the console's list shows them masked."""
    from rongmei.accounts.models import PersonalDataAccess

    check_operator(viewer, "只有运营人员可以查看报名信息")
    registration = (Registration.objects.select_related("contest").prefetch_related("photos")
                    .filter(pk=registration_id).first())
    if registration is None:
        raise NotFoundError("报名不存在")
    PersonalDataAccess.objects.create(viewer=viewer, subject_id=registration.user_id,
                                      what="报名信息",
                                      reason=f"审核评选“{registration.contest.title}”的报名"[:120])
    if registration.id_number_encrypted:  # in full for this look only, never saved so
        registration.answers = {**registration.answers,
                                "id_number": crypto.decrypt(registration.id_number_encrypted)}
    return registration


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
                try:
                    entry.video = media_accept(uploaded_by=user, kind=MediaKind.VIDEO,
                                               title=f"【参赛】{title}", upload=video)
                except ServiceError as exc:  # the media pipeline names its own form's field
                    exc.field = "video" if exc.field == "file" else exc.field
                    raise
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


def _vote_flags(*, contest_id: int, voter_id: int, ip: str | None, device_id: str,
                new_account: str) -> str:
    """The flags a vote earns, counted in the shared counters (core.ratelimit: Redis when
    configured) before it is stored, so that it is stored once, flags and all. The counters
    count attempts (a vote then refused over the limit still counts towards a burst), which
    is what a reviewer wants to see. The raw signals (address, device, account age) stay on
    every vote for the console."""
    found = [new_account] if new_account else []
    if device_id and ratelimit.count_distinct(
            "vote-device", f"{contest_id}:{device_id}", str(voter_id),
            window=SHARED_DEVICE_WINDOW) >= SHARED_DEVICE_VOTERS:
        found.append("多账号共用设备")
    if ip:
        window, limit = IP_BURST
        if ratelimit.count("vote-ip", f"{contest_id}:{ip}",
                           window=int(window.total_seconds())) >= limit:
            found.append("同一IP集中投票")
    return "、".join(found)


def vote_cast(*, user=None, token: str | None = None, entry_id: int, ip: str | None = None,
              device_id: str = "", now: datetime | None = None) -> Vote:
    """One vote, within the rule's N per person per day (per entry or per contest).

    The limit is the database's: each vote takes a numbered slot of its (voter, day,
    scope), slots are unique and never past N.

    With Redis (``services.votes``) the vote is admitted by a Lua script — the slot is the
    voter's count of the day there — and stored by the drain, where the unique constraint
    still has the final word; the entry's rules come from a cache of a few seconds. The
    returned vote is then unsaved; its ``entry.votes`` is the stored count plus the votes
    waiting in Redis.

    Instead of ``user``, the hot path may give the raw bearer ``token``: the script then
    reads its holder from the workers' token cache (accounts.tokens) in the same round
    trip. Whenever that cannot answer — no Redis, a token not cached or tombstoned, a
    contest that asks for the real name, or any refusal that must wait until the voter is
    known (who asks is checked first, as the API's door does) — ``VoterUnknown`` is raised
    and the caller authenticates, then asks again with ``user``.

    Without Redis the vote is stored here: the first try is slot 1 (a voter's first vote of
    the day, the common case, is then one insert); when the constraint refuses it, the
    voter's slots are counted and the next one tried, until N are taken. Racing votes of
    one person end the same way: each slot goes to exactly one of them. The returned vote's
    ``entry.votes`` is the count this request read plus its own vote (not read back: other
    votes of the same moment may be missing from it).
    """
    from rongmei.core.redis import get_redis

    from . import votes as buffered

    now = now or timezone.now()
    client = get_redis()
    if token is not None and client is None:
        raise buffered.VoterUnknown
    valid_id = isinstance(entry_id, int) and 0 < entry_id < 2**63
    if client is not None:
        entry = buffered.entry_rules(entry_id) if valid_id else None
    else:
        entry = (Entry.objects.select_related("contest", "video").filter(pk=entry_id).first()
                 if valid_id else None)
    refusal = _vote_refusal(entry, now)
    if refusal is None and entry.contest.require_realname:
        if token is not None:
            raise buffered.VoterUnknown  # the real name is the database's to tell
        if not _has_realname(user):
            refusal = PermissionDeniedError("本次评选须实名登记后才能投票",
                                            code="realname_required")
    if refusal is not None:
        raise buffered.VoterUnknown if token is not None else refusal
    contest = entry.contest
    day = timezone.localdate(now)
    scope = entry.pk if contest.vote_scope == VoteScope.ENTRY else 0
    limit = contest.votes_per_day
    over = ServiceError("over_limit", f"今天的票已投完（每人每天{limit}票"
                        f"{'，每件作品' if scope else ''}），明天再来吧", status=409)
    if client is not None:
        return buffered.admit(client, entry=entry, user=user, token=token, day=day,
                              scope=scope, ip=ip, device_id=device_id, now=now, over=over)
    age, new_account = _account_age(user, now)
    flags = _vote_flags(contest_id=contest.pk, voter_id=user.pk, ip=ip, device_id=device_id,
                        new_account=new_account)
    slot = 1
    for _ in range(limit + 1):
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    contest=contest, entry=entry, voter=user, day=day, scope=scope,
                    slot=slot, ip=ip or None, device_id=device_id[:64],
                    account_age_days=age, flags=flags)
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
    return vote


def _vote_refusal(entry, now: datetime) -> ServiceError | None:
    """Why the entry takes no vote now (gone or not approved, voting not open or closed)."""
    if (entry is None or entry.status != EntryStatus.APPROVED or not entry.contest.is_published
            or (entry.video is not None and not entry.video.is_ready)):
        return NotFoundError("作品不存在或尚未通过审核")
    contest = entry.contest
    if now < contest.voting_opens:
        return ServiceError("voting_not_open", f"投票将于{_local(contest.voting_opens)}开始",
                            status=409)
    if now >= contest.voting_closes:
        return ServiceError("voting_closed", f"投票已于{_local(contest.voting_closes)}截止",
                            status=409)
    return None


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
    """Take a judge off a contest — only before they have scored (scores are the record).

    Someone who is then a judge of no contest loses the 评委 role ``judge_add`` gave, and,
    holding no other console role, the console: a resident named by mistake is a resident
    again (a staff account cannot 注销 itself)."""
    from django.contrib.auth.models import Group

    check_operator(actor, "只有运营人员可以设置评委")
    judge = ContestJudge.objects.select_related("user").filter(pk=judge_id).first()
    if judge is None:
        raise NotFoundError("评委不存在")
    if JudgeScore.objects.filter(judge=judge.user, entry__contest=judge.contest_id).exists():
        raise ServiceError("judge_has_scored", "该评委已打分，不能移除", status=409)
    user = judge.user
    with transaction.atomic():
        judge.delete()
        if not ContestJudge.objects.filter(user=user).exists():
            user.groups.remove(Group.objects.get(name=ROLE_BY_CODE[JUDGE].name))
            forget_cached_access(user)
            console = any(ROLE_BY_CODE[code].console for code in user_roles(user)
                          if code in ROLE_BY_CODE)
            if user.is_staff and not console and not user.is_superuser:
                user.is_staff = False
                user.save(update_fields=["is_staff"])
    forget_cached_access(user)


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
    """评委评分 (0–100): a judge of the contest scores a finalist (never their own entry),
    or changes their own score, until the results are public. The entry keeps the judges'
    mean, which the results weigh with the public votes as the contest's rules say."""
    try:
        value = Decimal(str(score).strip())
        if not value.is_finite():  # NaN compares with nothing: a 500, not a refusal, once
            raise InvalidOperation
        value = value.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ServiceError("invalid_score", "评分须为0至100的数字", field="score") from None
    if not Decimal(0) <= value <= Decimal(100):
        raise ServiceError("invalid_score", "评分须为0至100的数字", field="score")
    entry = Entry.objects.filter(pk=entry_id, status=EntryStatus.APPROVED).first()
    if entry is None:
        raise NotFoundError("作品不存在或未通过审核")
    contest = access_judging(actor, entry.contest_id)
    if entry.author_id == actor.pk:
        raise PermissionDeniedError("评委不能为自己的作品打分", code="own_entry")
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
    from . import votes as buffered

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
        transaction.on_commit(lambda: buffered.forget_shown(entry.pk))
        return Invalidation.objects.create(contest_id=entry.contest_id, entry=entry,
                                           count=count, reason=reason[:100], decided_by=actor)
