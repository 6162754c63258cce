"""Every write of notices. ``notify`` is the one way any capability tells a person
something (staff and residents alike); ``resolve`` closes 待办 when the thing is done.

SMS leave after the caller's transaction commits (a rolled-back action texts nobody), through
the ``notice_sms_send`` task; the outcome — sent, failed with the gateway's reason, or no
phone number — stays on the notice, and operators re-send failures from the console.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from rongmei.core import crypto
from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.roles import OPERATOR
from rongmei.units.access import check_role

from . import kinds
from .models import Box, Notice, SmsState

logger = logging.getLogger("rongmei.notices")
MAX_RESEND = 500


def _link(link: str) -> str:
    link = (link or "").strip()
    if link and (not link.startswith("/") or link.startswith("//") or len(link) > 200):
        raise ValueError(f"a notice links to a path on this site, not {link!r}")
    return link


def _recipients(user, users) -> list:
    people, seen = [], set()
    for person in ([user] if user is not None else []) + list(users or ()):
        if person is None or not person.is_active or person.pk in seen:
            continue
        seen.add(person.pk)
        people.append(person)
    return people


def notify(*, user=None, users=None, kind: str, title: str, body: str = "", link: str = "",
           sms_params: dict | None = None, sms_phone: str = "", todo_key: str = "",
           about: str = "") -> list[Notice]:
    """Tell ``user`` (or each of ``users``; inactive accounts are skipped) in the inbox.

    * ``todo_key`` makes it a 待办 about that thing (e.g. ``"wenzheng:reply:12"``): an open
      待办 with the same key is replaced, and ``resolve(todo_key=...)`` closes it.
    * ``sms_params`` also sends the kind's SMS (the kind must have ``sms_text``) to the
      account's phone, or ``sms_phone`` (one recipient only, e.g. a contact number).
    * ``about`` names the thing the notice concerns, for ``forget(about=...)``.

    Call inside the caller's transaction; the SMS is queued on commit. Returns the notices.
    """
    spec = kinds.get(kind)
    link = _link(link)
    params = {}
    if sms_params is not None:
        if not spec.sms_text:
            raise ValueError(f"notice kind {kind!r} has no SMS text")
        missing = [name for name in spec.sms_params if name not in sms_params]
        if missing:
            raise ValueError(f"SMS parameters missing for {kind!r}: {missing}")
        params = {name: str(sms_params[name]) for name in spec.sms_params}
    people = _recipients(user, users)
    if sms_phone and len(people) > 1:
        raise ValueError("sms_phone is for a single recipient")
    if not people:
        return []
    now = timezone.now()
    rows = []
    for person in people:
        state, phone = SmsState.NONE, ""
        if sms_params is not None:
            phone = sms_phone or person.phone or ""
            state = SmsState.QUEUED if phone else SmsState.NO_PHONE
        rows.append(Notice(
            user=person, kind=kind, box=Box.TODO if todo_key else Box.MESSAGE,
            title=title[:60], body=body[:300], link=link, todo_key=todo_key[:80],
            about=about[:80], created_at=now, sms_state=state, sms_params=params,
            sms_phone_encrypted=crypto.encrypt(phone) if phone else ""))
    with transaction.atomic():
        if todo_key:
            Notice.objects.filter(user__in=[p.pk for p in people], todo_key=todo_key[:80],
                                  done_at=None).update(done_at=now)
        Notice.objects.bulk_create(rows)
    queued = [n.pk for n in rows if n.sms_state == SmsState.QUEUED]
    if queued:
        transaction.on_commit(lambda: _enqueue(queued))
    return rows


def _enqueue(notice_ids) -> None:
    from .tasks import notice_sms_send

    for notice_id in notice_ids:
        notice_sms_send.enqueue(notice_id)


def resolve(*, todo_key: str = "", todo_keys=(), users=None) -> int:
    """Close the open 待办 about these things (everyone's, or only ``users``'). Returns how
    many were closed."""
    keys = [k[:80] for k in ([todo_key] if todo_key else []) + list(todo_keys) if k]
    if not keys:
        return 0
    qs = Notice.objects.filter(todo_key__in=keys, done_at=None)
    if users is not None:
        qs = qs.filter(user__in=[u.pk for u in users])
    return qs.update(done_at=timezone.now())


def forget(*, about: str) -> int:
    """Delete every notice about ``about`` (its personal data is being erased)."""
    if not about:
        return 0
    deleted, _ = Notice.objects.filter(about=about[:80]).delete()
    return deleted


def scrub(*, about: str, clean) -> int:
    """Pass the title and body of every notice about ``about`` through ``clean`` (e.g. a
    masking function), for notices that must stay but may no longer name a person."""
    changed = 0
    for notice in Notice.objects.filter(about=about[:80]).only("pk", "title", "body"):
        title, body = clean(notice.title)[:60], clean(notice.body)[:300]
        if (title, body) != (notice.title, notice.body):
            Notice.objects.filter(pk=notice.pk).update(title=title, body=body)
            changed += 1
    return changed


def mark_read(*, user, notice_id) -> Notice:
    """Open one's own notice (someone else's does not exist)."""
    try:
        notice = Notice.objects.get(pk=int(notice_id), user_id=getattr(user, "pk", None))
    except (Notice.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("消息不存在") from None
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at=None).update(read_at=notice.read_at)
    return notice


def mark_all_read(*, user, box: str | None = None) -> int:
    qs = Notice.objects.filter(user_id=user.pk, read_at=None)
    if box in Box.values:
        qs = qs.filter(box=box)
    return qs.update(read_at=timezone.now())


def sms_resend(*, actor, notice_ids) -> int:
    """Queue failed SMS again (operators). Returns how many were queued."""
    check_role(actor, OPERATOR, message="重发短信仅限运营人员")
    try:
        ids = [int(i) for i in notice_ids][:MAX_RESEND]
    except (TypeError, ValueError):
        raise ServiceError("invalid", "请选择要重发的短信") from None
    with transaction.atomic():
        queued = list(Notice.objects.select_for_update()
                      .filter(pk__in=ids, sms_state=SmsState.FAILED)
                      .values_list("pk", flat=True))
        Notice.objects.filter(pk__in=queued).update(sms_state=SmsState.QUEUED, sms_error="")
        if queued:
            transaction.on_commit(lambda: _enqueue(queued))
    return len(queued)


def failed_ids(limit: int = MAX_RESEND) -> list[int]:
    return list(Notice.objects.filter(sms_state=SmsState.FAILED)
                .order_by("pk").values_list("pk", flat=True)[:limit])


def purge_old(*, now=None, days: int = 180) -> int:
    """Drop read messages and closed 待办 older than ``days`` (their links have gone stale)."""
    from datetime import timedelta

    from django.db.models import Q

    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = Notice.objects.filter(created_at__lt=cutoff).filter(
        Q(box=Box.MESSAGE, read_at__isnull=False) | Q(box=Box.TODO, done_at__isnull=False)
    ).exclude(sms_state__in=[SmsState.QUEUED, SmsState.SENDING]).delete()
    return deleted
