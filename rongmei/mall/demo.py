"""The demo county's 融媒商城: local specialties with photos, listed by the demo merchants
and approved by the operator through the same services the console uses."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

# (merchant name, product, points, stock, description, colours of the photo)
PRODUCTS = [
    ("莲子特产专卖店", "莲乡白莲（精选通心莲 500克）", 300, 200,
     "本地白莲，颗粒饱满，手工去芯，煲汤、熬粥皆宜。", ((246, 238, 220), (214, 190, 140))),
    ("莲子特产专卖店", "莲藕粉（冲调装 400克）", 180, 300,
     "鲜藕磨粉，开水冲调即食，细腻爽滑。", ((238, 226, 230), (200, 160, 170))),
    ("莲城百货超市", "农家土鸡蛋（30枚）", 120, 150,
     "荷塘镇散养土鸡蛋，蛋黄橙红，当天配送到店。", ((250, 236, 210), (230, 170, 90))),
    ("荷塘农家饭庄", "莲子宴双人套餐券", 600, 50,
     "凭提货码到店享用莲子宴双人套餐一份，节假日通用。", ((230, 240, 225), (120, 170, 110))),
    ("白莲湖景区", "白莲湖景区门票（成人）", 400, 100,
     "十里荷花，凭提货码入园，当日有效。", ((220, 236, 246), (90, 150, 200))),
    ("莲乡家电城", "电饭煲（4升 智能款）", 1500, 20,
     "品牌智能电饭煲，到店自提，含一年保修。", ((235, 235, 240), (120, 120, 140))),
]


def _photo(name: str, colours) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    background, accent = colours
    image = Image.new("RGB", (640, 640), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse([120, 160, 520, 560], fill=accent)
    draw.ellipse([200, 120, 440, 300], fill=tuple(min(255, c + 30) for c in accent))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return SimpleUploadedFile(f"demo-product-{name[:4]}.jpg", buffer.getvalue(),
                              content_type="image/jpeg")


ORDER = 65  # after merchants (50) and vouchers (60)


def seed(ctx) -> str:
    from rongmei.accounts.models import User
    from rongmei.units.demo import operator_phone

    return f"商城商品 {seed_products(operator=User.objects.get(phone=operator_phone()))} 件"


def seed_products(*, operator) -> int:
    from rongmei.merchants.models import Merchant

    from . import services
    from .models import Product

    for merchant_name, name, points, stock, description, colours in PRODUCTS:
        merchant = Merchant.objects.filter(name=merchant_name).first()
        if merchant is None or Product.objects.filter(name=name).exists():
            continue
        product = services.product_create(
            actor=operator, merchant_id=merchant.pk, name=name, stock=stock,
            price_points=points, description=description, image=_photo(name, colours),
            per_person_limit=2)
        services.product_review(actor=operator, product_id=product.pk, decision="approve")
    return Product.objects.count()
