"""The demo county's merchants (企业之家) and voucher campaigns."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

MERCHANTS = [
    # (name, category, address, intro)
    ("莲城百货超市", "retail", "莲城镇解放路88号", "本地老牌超市，日用百货、生鲜果蔬一站购齐。"),
    ("荷塘农家饭庄", "catering", "荷塘镇上塘村口", "地道农家菜，莲子宴、土鸡汤远近闻名。"),
    ("莲乡家电城", "furniture", "莲城镇建设大道16号", "品牌家电、家具，送货上门、以旧换新。"),
    ("白莲湖景区", "tourism", "白水镇白莲湖", "十里荷花，夏季赏荷、秋季采莲。"),
    ("莲乡汽车城", "auto", "莲城镇工业园区3号", "新车销售、保养维修、二手车置换。"),
    ("莲子特产专卖店", "agriculture", "莲城镇步行街12号", "白莲、莲子、莲藕粉等本地名优特产。"),
]


def _licence_image(seed: int) -> ContentFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (245, 240, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle([12, 12, 468, 308], outline=(180, 30, 30), width=6)
    draw.rectangle([60, 60, 420, 90 + seed % 40], fill=(200, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=f"demo-licence-{seed}.jpg")


def seed_commerce(*, merchant_owner, operator) -> tuple[int, int]:
    """Approved demo merchants (the demo merchant account owns the first) and two campaigns:
    a government grab at 10:00 daily for five days, and a lottery for home appliances."""
    from django.contrib.auth.models import Group

    from rongmei.core.roles import MERCHANT, ROLE_BY_CODE
    from rongmei.merchants.models import Merchant, MerchantStaff, MerchantStaffRole
    from rongmei.vouchers.models import VoucherCampaign, VoucherRound

    merchant_group = Group.objects.get(name=ROLE_BY_CODE[MERCHANT].name)

    for index, (name, category, address, intro) in enumerate(MERCHANTS, start=1):
        if Merchant.objects.filter(name=name).exists():
            continue
        owner = merchant_owner if index == 1 else merchant_owner.__class__.objects.create_user(
            f"1360000{index:04d}", name=f"{name[:2]}店主")
        merchant = Merchant(name=name, category=category, address=address, intro=intro,
                            credit_code=f"9136{index:012d}0X", contact_name=owner.name or "店主",
                            contact_phone=f"1360000{index:04d}", opening_hours="08:30–21:00",
                            status="approved", applicant=owner, reviewed_by=operator,
                            reviewed_at=timezone.now(), review_note="资料齐全，同意入驻")
        licence = _licence_image(index)
        merchant.licence_photo.save(licence.name, licence, save=False)
        merchant.save()
        MerchantStaff.objects.get_or_create(merchant=merchant, user=owner,
                                            defaults={"role": MerchantStaffRole.OWNER})
        owner.groups.add(merchant_group)

    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    if not VoucherCampaign.objects.filter(title="莲乡惠民消费券（零售）").exists():
        campaign = VoucherCampaign.objects.create(
            title="莲乡惠民消费券（零售）", issuer="government", category="retail",
            description="县政府发放的零售类惠民消费券，在本县入驻的零售商户均可使用。",
            face_value=2000, threshold=10000, per_person_limit=1, require_realname=True,
            valid_days=14, status="published", created_by=operator)
        for day in range(5):
            start = datetime.combine(today + timedelta(days=day), time(10, 0), tzinfo=tz)
            VoucherRound.objects.create(campaign=campaign, starts_at=start,
                                        ends_at=start + timedelta(hours=12), stock=2000,
                                        remaining=2000)
    if not VoucherCampaign.objects.filter(title="家电以旧换新补贴券（摇号）").exists():
        import hashlib

        campaign = VoucherCampaign.objects.create(
            title="家电以旧换新补贴券（摇号）", issuer="government", category="furniture",
            description="报名截止后公开摇号，种子承诺已事先公布，结果任何人可验证。",
            face_value=50000, threshold=300000, per_person_limit=1, require_realname=True,
            distribution="lottery", valid_days=30, status="published", created_by=operator,
            lottery_signup_until=datetime.combine(today + timedelta(days=7), time(18, 0), tzinfo=tz),
            # The demo's seed is public on purpose ("demo-seed-lianxiang-2026"); a real
            # operator keeps theirs secret until the draw.
            lottery_commitment=hashlib.sha256(b"demo-seed-lianxiang-2026").hexdigest())
        start = datetime.combine(today + timedelta(days=8), time(9, 0), tzinfo=tz)
        VoucherRound.objects.create(campaign=campaign, starts_at=start,
                                    ends_at=start + timedelta(days=30), stock=200, remaining=200)
    return Merchant.objects.count(), VoucherCampaign.objects.count()
