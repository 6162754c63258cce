"""Factories for tests (plain functions; the models are simple enough)."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from django.contrib.auth.models import Group

from rongmei.core.roles import ROLE_BY_CODE, ensure_roles

_phones = itertools.count(13700000000)
_credit_codes = itertools.count(1)
PASSWORD = "Test-pass-2026"


def make_user(*roles: str, phone: str | None = None, unit=None, password: str | None = PASSWORD,
              **fields):
    """A user holding ``roles``; unit-scoped roles are held in ``unit``."""
    from rongmei.accounts.models import User
    from rongmei.units.services import membership_add

    ensure_roles()
    user = User.objects.create_user(phone or str(next(_phones)), password=password, **fields)
    for code in roles:
        role = ROLE_BY_CODE[code]
        user.groups.add(Group.objects.get(name=role.name))
        if role.console and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        if role.unit_scoped and unit is not None:
            membership_add(unit=unit, user=user, role=code)
    return user


def build_county():
    from rongmei.units.models import UnitKind
    from rongmei.units.services import unit_create

    root = unit_create(parent=None, name="测试县", code="T", kind=UnitKind.COUNTY)
    center = unit_create(parent=root, name="测试县融媒体中心", code="T-RMT", kind=UnitKind.CENTER)
    hetang = unit_create(parent=root, name="荷塘镇", code="T-T01", kind=UnitKind.TOWNSHIP)
    shangtang = unit_create(parent=hetang, name="上塘村", code="T-T01-C01",
                            kind=UnitKind.COMMUNITY)
    baishui = unit_create(parent=root, name="白水镇", code="T-T02", kind=UnitKind.TOWNSHIP)
    housing = unit_create(parent=root, name="县住房和城乡建设局", code="T-D01",
                          kind=UnitKind.DEPARTMENT)
    return SimpleNamespace(root=root, center=center, hetang=hetang, shangtang=shangtang,
                           baishui=baishui, housing=housing)


def make_merchant(*, owner=None, name="莲城超市", category="retail", status="approved"):
    """An approved merchant whose owner holds the merchant role."""
    from django.core.files.base import ContentFile

    from rongmei.merchants.models import Merchant, MerchantStaff, MerchantStaffRole

    owner = owner or make_user("merchant")
    merchant = Merchant(name=name, category=category,  # 9199… never clashes with the demo's
                        credit_code=f"9199{next(_credit_codes):012d}0X",
                        address="莲城镇解放路1号", contact_name="店主", contact_phone="13600000000",
                        status=status, applicant=owner)
    merchant.licence_photo.save("licence.jpg", ContentFile(b"x"), save=False)
    merchant.save()
    MerchantStaff.objects.create(merchant=merchant, user=owner, role=MerchantStaffRole.OWNER)
    return merchant


def make_clerk(merchant, user=None):
    """A clerk of ``merchant`` (as if they had accepted the owner's invitation)."""
    from rongmei.merchants.models import MerchantStaff, MerchantStaffRole

    user = user or make_user()
    MerchantStaff.objects.create(merchant=merchant, user=user, role=MerchantStaffRole.CLERK)
    user.groups.add(Group.objects.get(name=ROLE_BY_CODE["merchant"].name))
    return user


def invitation_code(phone: str) -> str:
    """The code in the newest clerk-invitation SMS sent to ``phone`` (the outbox provider)."""
    import re

    from rongmei.accounts.models import SmsMessage

    message = (SmsMessage.objects.filter(phone=phone, template="merchant_invite")
               .order_by("-pk").first())
    return re.search(r"邀请码(\d{6})", message.body).group(1)


def make_campaign(*, creator=None, stock=100, per_person_limit=1, face_value=2000,
                  threshold=10000, category="retail", require_realname=False, rounds=1,
                  starts_at=None, round_minutes=60, valid_days=30, **fields):
    """A published grab campaign with ``rounds`` rounds of ``stock`` each, the first open now."""
    from datetime import timedelta

    from django.utils import timezone

    from rongmei.vouchers.models import CampaignStatus, VoucherCampaign, VoucherRound

    creator = creator or make_user("operator")
    fields.setdefault("issuer", "government")
    campaign = VoucherCampaign.objects.create(
        title="莲乡惠民消费券", category=category, face_value=face_value,
        threshold=threshold, per_person_limit=per_person_limit, require_realname=require_realname,
        valid_days=valid_days, status=CampaignStatus.PUBLISHED, created_by=creator, **fields)
    start = starts_at or timezone.now() - timedelta(minutes=1)
    for i in range(rounds):
        VoucherRound.objects.create(
            campaign=campaign, starts_at=start + timedelta(days=i),
            ends_at=start + timedelta(days=i, minutes=round_minutes), stock=stock, remaining=stock)
    return campaign


def give_realname(user, number="11010119900307803X"):
    from rongmei.accounts.services import realname_register

    return realname_register(user=user, name="张三", id_number=number)


def run_at_once(calls) -> list[str]:
    """Start every call on its own thread at the same moment (a barrier) and return each
    outcome: "ok", or the code of the ServiceError it raised. For concurrency tests on
    PostgreSQL; each thread closes its database connection when done."""
    import threading

    from django.db import connections

    from rongmei.core.errors import ServiceError

    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait()
            try:
                call()
                result = "ok"
            except ServiceError as exc:
                result = exc.code
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
