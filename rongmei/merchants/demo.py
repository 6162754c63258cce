"""The demo county's merchants (企业之家)."""

from __future__ import annotations

import io
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


ORDER = 50


def seed(ctx) -> str:
    from rongmei.accounts.models import User
    from rongmei.units.demo import merchant_phone, operator_phone

    operator = User.objects.get(phone=operator_phone())
    count = seed_merchants(merchant_owner=User.objects.get(phone=merchant_phone()),
                           operator=operator)
    posts = seed_posts(operator=operator)
    return f"商户 {count} 家，商户动态 {posts} 条"


# (merchant name, kind, title, body): what shops post on 企业之家, dated around today.
POSTS = [
    ("莲城百货超市", "promotion", "周末生鲜特惠 满100减20",
     "本周六、周日生鲜果蔬全场满100元减20元，可叠加使用莲乡惠民消费券。"),
    ("荷塘农家饭庄", "notice", "冬季新菜上市：莲藕排骨汤",
     "天冷了，来一碗热乎乎的莲藕排骨汤。包厢可提前电话预订。"),
    ("莲乡家电城", "promotion", "以旧换新 旧家电最高抵800元",
     "旧冰箱、洗衣机、空调均可折价，送货上门、免费拆旧。"),
    ("莲乡汽车城", "celebration", "售后服务中心十周年 免费检测",
     "感谢十年相伴，本月到店可享免费车辆检测一次。"),
    ("莲子特产专卖店", "opening", "步行街新店开业 试吃莲子羹",
     "步行街新店今日开业，到店试吃莲子羹，购白莲满200元送莲藕粉一盒。"),
]


def seed_posts(*, operator) -> int:
    """Merchant posts written by each shop's owner and approved by the operator."""
    from datetime import timedelta

    from rongmei.merchants import services
    from rongmei.merchants.models import Merchant, MerchantPost, MerchantStaffRole

    today = timezone.localdate()
    for name, kind, title, body in POSTS:
        merchant = Merchant.objects.filter(name=name).first()
        if merchant is None or MerchantPost.objects.filter(title=title).exists():
            continue
        owner = merchant.staff.filter(role=MerchantStaffRole.OWNER).first()
        if owner is None:
            continue
        post = services.post_submit(actor=owner.user, merchant=merchant, kind=kind, title=title,
                                    body=body, starts_on=today,
                                    ends_on=today + timedelta(days=14))
        services.post_review(actor=operator, post=post, approve=True)
    return MerchantPost.objects.count()


def seed_merchants(*, merchant_owner, operator) -> int:
    """Approved demo merchants (the demo merchant account owns the first)."""
    from django.contrib.auth.models import Group

    from rongmei.core.roles import MERCHANT, ROLE_BY_CODE
    from rongmei.merchants.models import Merchant, MerchantStaff, MerchantStaffRole

    merchant_group = Group.objects.get(name=ROLE_BY_CODE[MERCHANT].name)

    for index, (name, category, address, intro) in enumerate(MERCHANTS, start=1):
        if Merchant.objects.filter(name=name).exists():
            continue
        owner = merchant_owner if index == 1 else merchant_owner.__class__.objects.create_user(
            f"1360000{index:04d}", name=f"{name[:2]}店主")
        merchant = Merchant(name=name, category=category, address=address, intro=intro,
                            credit_code=f"9136{index:012d}0X", contact_name=owner.name or "店主",
                            contact_phone=f"1360000{index:04d}", opening_hours="08:30–21:00",
                            shop_phone=f"0794-36{index:05d}",
                            status="approved", applicant=owner, reviewed_by=operator,
                            reviewed_at=timezone.now(), review_note="资料齐全，同意入驻")
        licence = _licence_image(index)
        merchant.licence_photo.save(licence.name, licence, save=False)
        merchant.save()
        MerchantStaff.objects.get_or_create(merchant=merchant, user=owner,
                                            defaults={"role": MerchantStaffRole.OWNER})
        owner.groups.add(merchant_group)
    return Merchant.objects.count()
