"""Read paths for accounts."""

from __future__ import annotations

from rongmei.core.access import user_roles
from rongmei.core.masking import mask_name

from .models import RealNameRecord, SmsMessage, User


def realname_of(*, user: User) -> RealNameRecord | None:
    return RealNameRecord.objects.filter(user=user).first()


def me(*, user: User) -> dict:
    record = realname_of(user=user)
    return {
        "id": user.pk,
        "phone": user.masked_phone,
        "nickname": user.nickname,
        "display_name": user.display_name,
        "elder_mode": user.elder_mode,
        "realname": (
            {"name": mask_name(record.name), "id_number": record.id_number_masked,
             "verified_at": record.verified_at.isoformat()}
            if record else None
        ),
        "roles": sorted(user_roles(user)),
    }


def outbox_latest_code(*, phone: str, template: str = "login_code") -> str | None:
    """The last code in the development outbox (the demo's login pages show it)."""
    import re

    message = (SmsMessage.objects.filter(phone=phone, provider="outbox", template=template)
               .order_by("-created_at").first())
    if message is None:
        return None
    found = re.search(r"\d{6}", message.body)
    return found.group(0) if found else None


def platform_summary() -> list[tuple[str, int]]:
    """Headline counts for the staff dashboard."""
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    residents = User.objects.filter(is_active=True, is_staff=False)
    return [
        ("注册用户", residents.count()),
        ("今日新增", residents.filter(date_joined__gte=today).count()),
        ("近7天活跃", residents.filter(last_login__gte=today - timedelta(days=6)).count()),
        ("今日短信", SmsMessage.objects.filter(created_at__gte=today).count()),
    ]


def wechat_bindings_of(*, user: User) -> list:
    from .models import WechatBinding

    return list(WechatBinding.objects.filter(user=user).order_by("created_at"))
