"""Demo residents: ``scale`` accounts with invented names, bulk-inserted (150,000 in seconds
for benchmarks)."""

from __future__ import annotations

import random

from .models import User

ORDER = 20
DEMO_RESIDENT_PREFIX = 15200000000  # residents are 152xxxxxxxx

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武戴莫孔汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力冬梅斌宇浩凯秀兰志强国庆春燕小红海燕婷雪丹晨阳佳欣子涵雨轩思远梓豪可馨"


def seed(ctx) -> str:
    rng = random.Random(20261126)
    have = User.objects.filter(phone__startswith="152").count()
    batch = []
    for i in range(have, ctx.scale):
        name = random_name(rng)
        batch.append(User(phone=str(DEMO_RESIDENT_PREFIX + i), nickname=name,
                          password="!demo-resident", elder_mode=rng.random() < 0.08))
        if len(batch) >= 5000:
            User.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        User.objects.bulk_create(batch, ignore_conflicts=True)
    return f"居民 {max(have, ctx.scale)} 人"


def random_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
