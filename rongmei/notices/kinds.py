"""Notice kinds: what a capability may send, and the SMS text each kind renders to.

A capability registers its kinds once, in its ``AppConfig.ready``::

    from rongmei.notices import kinds
    kinds.register("wenzheng_urge", label="问政催办",
                   sms_text="【催办】问政{receipt}{step}今日到期，请及时办理。")

The kind's code is also its SMS template name: the outbox provider renders ``sms_text``;
Tencent Cloud sends the parameters (in the order the text names them) to the template ID
configured for that name (``SMS_TENCENT_TEMPLATES``, see README). A kind without
``sms_text`` is in-app only.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

MAX_CODE_LENGTH = 32  # accounts.SmsMessage.template


@dataclass(frozen=True)
class NoticeKind:
    code: str
    label: str
    sms_text: str = ""

    @property
    def sms_params(self) -> tuple[str, ...]:
        """The parameter names of the SMS text, in order (Tencent's {1}, {2}, …)."""
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.sms_text) if name)

    @property
    def sms_template(self) -> str:
        """The SMS text as the provider's template is written: {1}, {2}, … in order."""
        numbers = {name: i for i, name in enumerate(self.sms_params, start=1)}
        return "".join(literal + (f"{{{numbers[name]}}}" if name else "")
                       for literal, name, _, _ in string.Formatter().parse(self.sms_text))


_KINDS: dict[str, NoticeKind] = {}


def register(code: str, *, label: str, sms_text: str = "") -> NoticeKind:
    if not code.isidentifier() or len(code) > MAX_CODE_LENGTH:
        raise ImproperlyConfigured(f"notice kind {code!r}: an identifier of ≤ 32 characters")
    kind = NoticeKind(code=code, label=label, sms_text=sms_text)
    if _KINDS.get(code, kind) != kind:
        raise ImproperlyConfigured(f"notice kind {code!r} registered twice, differently")
    _KINDS[code] = kind
    if sms_text:
        from rongmei.accounts import sms

        sms.TEMPLATES[code] = sms_text
    return kind


def get(code: str) -> NoticeKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise ValueError(f"unknown notice kind {code!r}; register it first") from None


def all_kinds() -> list[NoticeKind]:
    return sorted(_KINDS.values(), key=lambda k: k.code)


def label(code: str) -> str:
    kind = _KINDS.get(code)
    return kind.label if kind else code


def tencent_template_id(code: str) -> str:
    from django.conf import settings

    return str((settings.SMS_TENCENT.get("TEMPLATES") or {}).get(code) or "")
