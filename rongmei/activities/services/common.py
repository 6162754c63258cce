"""What the three parts of 活动 share: the word gate for public text, the operator check,
local times in messages and the Excel import report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from rongmei.core.errors import ServiceError
from rongmei.core.roles import OPERATOR
from rongmei.units.access import check_role

# The anomaly signals a vote is flagged by (contests' synchronous path, votes' Lua script).
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


def check_link(url: str, *, field: str) -> str:
    """A link residents follow from a public page (a live room): a site path or an http(s)
    address, never ``javascript:`` or ``data:`` — it is rendered as an ``href``."""
    url = (url or "").strip()
    if url and not (url.startswith(("https://", "http://")) or
                    (url.startswith("/") and not url.startswith("//"))):
        raise ServiceError("invalid_link", "链接须以 https:// 、http:// 或 / 开头", field=field)
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ServiceError("invalid_link", "链接中不能有空格", field=field)
    return url


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%m月%d日 %H:%M}"


def check_operator(actor, message: str = "只有运营人员可以管理活动") -> None:
    check_role(actor, OPERATOR, message=message)



@dataclass
class ImportReport:
    created: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _blocked(*texts: str) -> str:
    try:
        gate_texts(**{f"t{i}": t for i, t in enumerate(texts)})
    except ServiceError as exc:
        return exc.message
    return ""
