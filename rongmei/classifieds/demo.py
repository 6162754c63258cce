"""The demo county's 民生信息: a few posts in every category, some with photos, one from a
merchant's 招聘 (认证企业), one waiting for review."""

from __future__ import annotations

import io

ORDER = 65

POSTS = [
    # (category, title, fields, body, photos)
    ("house_rent", "莲城镇解放路两室一厅出租，拎包入住", {"area": "78", "layout": "2室1厅",
     "price": "900", "floor": "3/6层", "community": "解放路小区"}, "家电齐全，近菜市场和一小。", 2),
    ("house_rent", "荷塘镇新街单间出租", {"area": "25", "layout": "1室", "price": "350",
     "floor": "2/3层", "community": "新街自建房"}, "独立卫生间，水电按表。", 1),
    ("house_sale", "建设大道三室两厅精装房出售", {"area": "118", "layout": "3室2厅",
     "price": "560000", "floor": "8/18层", "community": "莲湖花园"}, "满五唯一，南北通透。", 2),
    ("secondhand", "九成新电动车转让", {"item": "电动自行车", "condition": "九成新",
     "price": "1200"}, "买了半年，电池良好，已上牌。", 1),
    ("secondhand", "儿童书桌椅", {"item": "书桌椅", "condition": "八成新", "price": "150"},
     "可调节高度，自提。", 0),
    ("shop_transfer", "步行街临街奶茶店转让", {"area": "40", "rent": "3500",
     "transfer_fee": "50000", "address": "莲城镇步行街"}, "设备齐全，接手即可营业。", 1),
    ("job", "莲城百货超市招聘收银员", {"position": "收银员", "salary_min": "2800",
     "salary_max": "3500", "headcount": "3", "requirements": "18–45岁，会基本电脑操作",
     "employer": "莲城百货超市"}, "包午餐，月休四天。", 0),
    ("job", "白莲湖景区招聘讲解员", {"position": "讲解员", "salary_min": "3000",
     "salary_max": "4500", "headcount": "2", "requirements": "普通话标准", "employer":
     "白莲湖景区"}, "旺季有绩效奖金。", 0),
    ("job_wanted", "求职：有C1驾照，求司机岗位", {"position": "司机", "experience": "6"},
     "熟悉县内道路，可长期。", 0),
]

CATEGORIES = [("house_sale", "房屋出售", "before", 30), ("house_rent", "房屋出租", "after", 30),
              ("secondhand", "二手物品", "after", 30), ("shop_transfer", "店面转让", "before", 30),
              ("job", "企业招聘", "before", 30), ("job_wanted", "个人求职", "after", 30)]


def _photo(seed: int, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (230 - seed * 20 % 120, 200, 170 + seed * 13 % 80))
    draw = ImageDraw.Draw(image)
    draw.rectangle([80, 120, 560, 420], outline=(120, 80, 40), width=8)
    draw.polygon([(60, 140), (320, 30), (580, 140)], fill=(180, 60, 50))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def seed(ctx) -> str:
    from rongmei.accounts.models import User
    from rongmei.units.demo import operator_phone

    from .models import Category, Post, PostStatus
    from .services import post_create, post_review

    for code, name, mode, days in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={
            "name": name, "review_mode": mode, "expiry_days": days})
    if Post.objects.exists():
        return f"民生信息 {Post.objects.count()} 条"
    operator = User.objects.get(phone=operator_phone())
    residents = list(User.objects.filter(is_staff=False, is_active=True)
                     .exclude(phone="").order_by("pk")[:len(POSTS)])
    for index, (code, title, fields, body, photos) in enumerate(POSTS):
        author = residents[index % len(residents)]
        merchant_id = None
        if code == "job" and index == 6:
            from rongmei.merchants.models import MerchantStaff

            staff = MerchantStaff.objects.select_related("user").order_by("pk").first()
            if staff:
                author, merchant_id = staff.user, staff.merchant_id
        post = post_create(
            author=author, category=code, title=title, body=body, fields=fields,
            contact_name=(author.name or "王先生")[:20], contact_phone=author.phone,
            photos=[_photo(index * 3 + n, f"demo-{index}-{n}.jpg") for n in range(photos)],
            merchant_id=merchant_id)
        if post.status == PostStatus.PENDING and index != len(POSTS) - 3:
            post_review(actor=operator, post=post, approve=True)
    return (f"民生信息 {Post.objects.filter(status=PostStatus.PUBLISHED).count()} 条"
            f"（待审核 {Post.objects.filter(status=PostStatus.PENDING).count()} 条）")
