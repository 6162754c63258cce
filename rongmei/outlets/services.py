"""Writes of the outlets app: the interface the newsroom calls (``distribute``, ``retract``,
``correct``, ``deliveries_for``) and the delivery screen's actions (retry, cancel) and the
outlet settings.

Side effects (transmission) are enqueued on commit, so a rolled-back publish sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.roles import CHIEF_EDITOR, DIRECTOR, EDITOR, OPERATOR
from rongmei.units.access import check_role

from .adapters import DeliveryError, adapter_for
from .models import (
    OPEN_STATUSES,
    PLACING_ACTIONS,
    Delivery,
    DeliveryAction,
    DeliveryStatus,
    Outlet,
    Retraction,
    Snapshot,
)
from .snapshots import validate_snapshot

QUEUE_ROLES = (EDITOR, CHIEF_EDITOR, DIRECTOR, OPERATOR)  # administrators always pass


# --- the newsroom's interface --------------------------------------------------------------

def distribute(snapshot: dict, *, outlet_ids: Iterable[int], actor=None) -> Snapshot:
    """Store an immutable snapshot and queue one delivery per active outlet in ``outlet_ids``:
    ``publish`` where the outlet does not hold the story, ``update`` where it does.

    Calling it again with identical content stores nothing new and only adds deliveries for
    outlets that have none for the newest snapshot, so nothing is posted twice. Older
    deliveries still waiting for the same outlet are cancelled (superseded): only the newest
    version goes out.
    """
    data = validate_snapshot(snapshot)
    ids = {int(pk) for pk in outlet_ids}
    for attempt in range(3):  # two first publishes of one story can race for version 1
        try:
            with transaction.atomic():
                return _distribute(data, ids, actor)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _distribute(data: dict, outlet_ids: set[int], actor) -> Snapshot:
    key = data["story_key"]
    latest = _latest(key, lock=True)
    if latest is not None and latest.data == data:
        snap, reused = latest, True
    else:
        snap, reused = _new_snapshot(data, latest, actor), False
    held = received_by_outlet(key)
    created = []
    for outlet in Outlet.objects.filter(pk__in=outlet_ids, is_active=True).order_by("pk"):
        action = DeliveryAction.UPDATE if held.get(outlet.pk) else DeliveryAction.PUBLISH
        if reused:
            mine = {d.action: d for d in snap.deliveries.filter(outlet=outlet,
                                                                action__in=PLACING_ACTIONS)}
            if any(d.status in (*OPEN_STATUSES, DeliveryStatus.IN_PROGRESS)
                   or (d.status == DeliveryStatus.SUCCESS and outlet.pk in held)
                   for d in mine.values()):
                continue  # this version is on its way to, or already at, the outlet
            if action in mine:  # failed, cancelled, or taken down since: send it again
                created.append(_resend(mine[action], held.get(outlet.pk, []), actor))
                continue
        _supersede(key, outlet)
        created.append(_new_delivery(snap, outlet, action, held.get(outlet.pk, []), actor))
    _enqueue(created)
    return snap


def _resend(delivery: Delivery, received: list[dict], actor) -> Delivery:
    fresh = _new_delivery(delivery.snapshot, delivery.outlet, delivery.action, received, actor,
                          save=False)
    for field in ("payload", "status", "finished_at", "next_attempt_at", "note", "last_error",
                  "last_error_detail", "actor"):
        setattr(delivery, field, getattr(fresh, field))
    delivery.attempts, delivery.remote_state = 0, {}
    delivery.created_at = timezone.now()  # queued anew: later than any earlier retraction
    delivery.remote_id = delivery.remote_url = ""
    delivery.save()
    return delivery


def retract(story_key: str, *, reason: str, actor=None) -> list[Delivery]:
    """撤稿: cancel the story's deliveries still waiting, and queue a takedown to every outlet
    that holds the story (a successful publish/update/correction not yet taken down) — and
    only to those. Returns the takedown deliveries (none for a story never distributed).
    The decision is recorded (``Retraction``) so a delivery already being sent at this
    moment is taken down as soon as it lands."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", "请填写撤稿原因", field="reason")
    with transaction.atomic():
        latest = _latest(story_key, lock=True)
        Retraction.objects.create(story_key=story_key, reason=reason[:200], actor=actor)
        # A WeChat article already submitted (publish_id) will appear whatever we do: let
        # that delivery finish, and follow_up_takedown removes it when it lands.
        Delivery.objects.filter(story_key=story_key, status__in=OPEN_STATUSES).exclude(
            action=DeliveryAction.TAKEDOWN).exclude(remote_state__has_key="publish_id").update(
            status=DeliveryStatus.CANCELLED, note="稿件已撤回，未发送", next_attempt_at=None,
            updated_at=timezone.now())
        takedowns = []
        if latest is None:  # never distributed to any outlet: nothing to take down
            return takedowns
        for outlet_id, remotes in received_by_outlet(story_key).items():
            takedown = _takedown(latest, Outlet.objects.get(pk=outlet_id), remotes,
                                 reason=reason, actor=actor)
            if takedown is not None:
                takedowns.append(takedown)
        _enqueue(takedowns)
    return takedowns


def correct(snapshot: dict, *, note: str, actor=None) -> Snapshot:
    """更正: store a new snapshot carrying ``note`` and deliver it as a ``correction`` to the
    outlets that hold the story, and only to those (none, if it was never distributed)."""
    note = (note or "").strip()
    if not note:
        raise ServiceError("correction_note_required", "请填写更正说明", field="note")
    data = validate_snapshot(dict(snapshot, correction_note=note))
    with transaction.atomic():
        latest = _latest(data["story_key"], lock=True)
        snap = _new_snapshot(data, latest, actor)
        held = received_by_outlet(data["story_key"])
        created = []
        for outlet in Outlet.objects.filter(pk__in=held).order_by("pk"):
            _supersede(data["story_key"], outlet)
            created.append(_new_delivery(snap, outlet, DeliveryAction.CORRECTION,
                                         held[outlet.pk], actor))
        _enqueue(created)
    return snap


def deliveries_for(story_key: str) -> QuerySet[Delivery]:
    return (Delivery.objects.filter(story_key=story_key)
            .select_related("outlet", "snapshot").order_by("-created_at", "-pk"))


# --- the delivery screen -------------------------------------------------------------------

def delivery_retry(*, actor, delivery_id: int) -> Delivery:
    """Send a failed (or waiting) delivery again now, with a fresh retry budget."""
    check_role(actor, *QUEUE_ROLES)
    with transaction.atomic():
        delivery = _get_locked(delivery_id)
        if not delivery.can_retry:
            raise ServiceError("not_retryable", "只有失败或等待重试的分发可以重试",
                               status=409)
        if delivery.action != DeliveryAction.TAKEDOWN and Retraction.objects.filter(
                story_key=delivery.story_key, created_at__gt=delivery.created_at).exists():
            raise ServiceError("story_retracted", "稿件已撤回，不能再重试发布", status=409)
        if not delivery.payload and delivery.action != DeliveryAction.TAKEDOWN:
            try:  # it failed while formatting: format again (e.g. a missing file restored)
                delivery.payload = _format(delivery.snapshot, delivery.outlet, delivery.action,
                                           received_by_outlet(delivery.story_key).get(
                                               delivery.outlet_id, []))
            except DeliveryError as exc:
                raise ServiceError("format_failed", exc.message, status=409) from exc
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.finished_at = None
        delivery.note = f"由{actor}手动重试"[:200]
        # A person checked the platform after an interrupted send: let it go out again.
        delivery.remote_state = {k: v for k, v in (delivery.remote_state or {}).items()
                                 if k != "_sending"}
        delivery.save()
        _enqueue([delivery])
    return delivery


def delivery_cancel(*, actor, delivery_id: int) -> Delivery:
    check_role(actor, *QUEUE_ROLES)
    with transaction.atomic():
        delivery = _get_locked(delivery_id)
        if not delivery.can_cancel:
            raise ServiceError("not_cancellable", "只有待发送或等待重试的分发可以取消",
                               status=409)
        delivery.status = DeliveryStatus.CANCELLED
        delivery.next_attempt_at = None
        delivery.note = f"由{actor}取消"[:200]
        delivery.save()
    return delivery


def outlet_save(*, actor, outlet: Outlet, secret: str = "") -> Outlet:
    """Create or change an outlet; a non-empty ``secret`` replaces the stored one."""
    check_role(actor, OPERATOR)
    if secret:
        outlet.set_secret(secret.strip())
    outlet.full_clean()
    outlet.save()
    return outlet


# --- internals -----------------------------------------------------------------------------

def received_by_outlet(story_key: str) -> dict[int, list[dict]]:
    """For each outlet holding the story: what it got (remote id, URL, state) since its last
    successful takedown."""
    held: dict[int, list[dict]] = {}
    rows = (Delivery.objects.filter(story_key=story_key, status=DeliveryStatus.SUCCESS)
            .order_by("finished_at", "pk")
            .values("outlet_id", "action", "remote_id", "remote_url", "remote_state"))
    for row in rows:
        if row["action"] == DeliveryAction.TAKEDOWN:
            held.pop(row["outlet_id"], None)
        else:
            held.setdefault(row["outlet_id"], []).append(
                {"remote_id": row["remote_id"], "remote_url": row["remote_url"],
                 "state": row["remote_state"]})
    return held


def follow_up_takedown(delivery: Delivery) -> None:
    """A delivery that was already being sent when the story was retracted lands anyway:
    take it down again at once, so a retraction still reaches every outlet."""
    if delivery.action == DeliveryAction.TAKEDOWN:
        return
    retraction = (Retraction.objects.filter(story_key=delivery.story_key,
                                            created_at__gt=delivery.created_at)
                  .order_by("-created_at").first())
    if retraction is None or Delivery.objects.filter(
            story_key=delivery.story_key, outlet=delivery.outlet,
            action__in=PLACING_ACTIONS, created_at__gt=retraction.created_at).exists():
        return
    with transaction.atomic():
        latest = _latest(delivery.story_key, lock=True)
        remotes = received_by_outlet(delivery.story_key).get(delivery.outlet_id)
        if remotes:
            takedown = _takedown(latest, delivery.outlet, remotes, reason=retraction.reason,
                                 actor=retraction.actor)
            _enqueue([takedown] if takedown else [])


def _takedown(snap: Snapshot, outlet: Outlet, remotes: list[dict], *, reason: str,
              actor) -> Delivery | None:
    if Delivery.objects.filter(story_key=snap.story_key, outlet=outlet,
                               action=DeliveryAction.TAKEDOWN,
                               status__in=(*OPEN_STATUSES, DeliveryStatus.IN_PROGRESS)).exists():
        return None  # one is already on its way
    existing = Delivery.objects.filter(snapshot=snap, outlet=outlet,
                                       action=DeliveryAction.TAKEDOWN).first()
    payload = adapter_for(outlet.kind).format(snapshot=snap.data, version={},
                                              action=DeliveryAction.TAKEDOWN, outlet=outlet,
                                              received=remotes)
    if existing is not None:  # an earlier takedown of this version failed or was undone
        existing.payload, existing.status = payload, DeliveryStatus.PENDING
        existing.attempts, existing.next_attempt_at = 0, timezone.now()
        existing.note, existing.actor = reason[:200], actor
        existing.save()
        return existing
    return Delivery.objects.create(snapshot=snap, outlet=outlet, story_key=snap.story_key,
                                   action=DeliveryAction.TAKEDOWN, payload=payload,
                                   next_attempt_at=timezone.now(), note=reason[:200],
                                   actor=actor)


def _latest(story_key: str, *, lock: bool) -> Snapshot | None:
    query = Snapshot.objects.filter(story_key=story_key).order_by("-version")
    if lock:
        query = query.select_for_update()
    return query.first()


def _new_snapshot(data: dict, latest: Snapshot | None, actor) -> Snapshot:
    return Snapshot.objects.create(story_key=data["story_key"],
                                   version=(latest.version + 1) if latest else 1, data=data,
                                   correction_note=data.get("correction_note", ""),
                                   actor=actor)


UNSUPPORTED_NOTE = "渠道不支持更新"


def _supersede(story_key: str, outlet: Outlet) -> None:
    Delivery.objects.filter(story_key=story_key, outlet=outlet, status__in=OPEN_STATUSES,
                            action__in=PLACING_ACTIONS).update(
        status=DeliveryStatus.CANCELLED, note="已被新版本取代", next_attempt_at=None,
        updated_at=timezone.now())


def _format(snap: Snapshot, outlet: Outlet, action: str, received: list[dict]) -> dict:
    data = dict(snap.data, _version=snap.version)
    version = (snap.data.get("versions") or {}).get(str(outlet.pk)) or {}
    return adapter_for(outlet.kind).format(snapshot=data, version=version, action=action,
                                           outlet=outlet, received=received)


def _new_delivery(snap: Snapshot, outlet: Outlet, action: str, received: list[dict],
                  actor, *, save: bool = True) -> Delivery:
    now = timezone.now()
    delivery = Delivery(snapshot=snap, outlet=outlet, story_key=snap.story_key, action=action,
                        actor=actor, next_attempt_at=now)
    adapter = adapter_for(outlet.kind)
    if action in adapter.unsupported:
        # Never a success without a remote call: recorded as 渠道不支持更新, not sent.
        delivery.status, delivery.finished_at = DeliveryStatus.CANCELLED, now
        delivery.next_attempt_at = None
        delivery.note = f"{UNSUPPORTED_NOTE}：{adapter.unsupported[action]}"[:200]
    else:
        try:
            delivery.payload = _format(snap, outlet, action, received)
        except DeliveryError as exc:
            delivery.status, delivery.finished_at = DeliveryStatus.FAILED, now
            delivery.next_attempt_at = None
            delivery.last_error, delivery.last_error_detail = exc.message[:300], exc.detail
    if save:
        delivery.save()
    return delivery


def _enqueue(deliveries: list[Delivery]) -> None:
    from .tasks import transmit_delivery

    for delivery in deliveries:
        if delivery.status == DeliveryStatus.PENDING:
            transaction.on_commit(lambda pk=delivery.pk: transmit_delivery.enqueue(pk))


def _get_locked(delivery_id) -> Delivery:
    try:
        return (Delivery.objects.select_for_update(of=("self",))
                .select_related("outlet", "snapshot").get(pk=int(delivery_id)))
    except (Delivery.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("分发记录不存在") from None
