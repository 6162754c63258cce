"""Sending a queued notice's SMS: the one write the background task makes (kept apart from
``services``, which enqueues it, so the two do not import each other)."""

from __future__ import annotations

import logging

from django.db.models import F
from django.utils import timezone

from rongmei.core import crypto

from . import kinds
from .models import Notice, SmsState

logger = logging.getLogger("rongmei.notices")


def deliver_sms(notice_id: int) -> str:
    """Send a queued notice's SMS once (a task run twice sends once). Returns the state."""
    claimed = Notice.objects.filter(pk=notice_id, sms_state=SmsState.QUEUED).update(
        sms_state=SmsState.SENDING, sms_attempts=F("sms_attempts") + 1)
    if not claimed:
        return ""
    from rongmei.accounts.services import sms_send
    from rongmei.accounts.sms import SmsSendError

    notice = Notice.objects.get(pk=notice_id)
    try:
        spec = kinds.get(notice.kind)
        # The database may not keep a JSON object's key order; the template's does.
        params = {name: notice.sms_params.get(name, "") for name in spec.sms_params}
        sms_send(phone=crypto.decrypt(notice.sms_phone_encrypted), template=notice.kind,
                 params=params)
    except SmsSendError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - a failure must show in the console, not vanish
        logger.exception("notice %s: SMS failed unexpectedly", notice_id)
        error = f"内部错误：{type(exc).__name__}"
    else:
        Notice.objects.filter(pk=notice_id).update(
            sms_state=SmsState.SENT, sms_sent_at=timezone.now(), sms_error="",
            sms_phone_encrypted="")  # sent: the number is no longer needed here
        return SmsState.SENT
    Notice.objects.filter(pk=notice_id).update(sms_state=SmsState.FAILED,
                                               sms_error=error[:255])
    logger.warning("notice %s (%s): SMS failed: %s", notice_id, notice.kind, error)
    return SmsState.FAILED
