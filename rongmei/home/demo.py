"""The demo county's home and tab page layouts, as StreamField data.

Runs last in ``rongmei seed_demo`` so the layout can point at what the modules seeded.
Entries that lead into a module that is off are left out (``core.modules.link_is_on``),
as are blocks no module contributes (the story feeds without news).
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from django.conf import settings
from django.core.files.images import ImageFile

from rongmei.core.modules import link_is_on

ORDER = 90


def prepare(ctx) -> None:
    """Before any module seeds: the resident site (the roles' page rights hang on its root)."""
    from .services import ensure_resident_site

    ensure_resident_site()


def seed(ctx) -> str:
    from rongmei.accounts.models import User
    from rongmei.units.demo import operator_phone

    from .blocks import layout_blocks
    from .models import TabPage
    from .services import ensure_resident_site

    home = ensure_resident_site()
    banners = [demo_image(f"演示轮播图{i}", i) for i in range(1, 4)]
    pages = [(home, home_body(banners, home))]
    tabs = {t.tab: t for t in TabPage.objects.child_of(home)}
    for tab, body in (("video", video_body), ("services", services_body), ("mall", mall_body)):
        if tab in tabs:
            pages.append((tabs[tab], body(home)))
    known_blocks = set(layout_blocks().child_blocks)
    operator = User.objects.get(phone=operator_phone())
    laid_out = 0
    for page, body in pages:
        page = page.specific
        if page.body and not ctx.reset_layout:
            continue
        page.body = [block for block in (_without_off_links(b) for b in body)
                     if block and block[0] in known_blocks]
        page.save_revision(user=operator).publish(user=operator)
        laid_out += 1
    return f"版面 {laid_out} 页"


def _without_off_links(block):
    """The block without entries that lead into a module that is off (None when empty)."""
    kind, value = block
    if kind == "icon_grid":
        items = [item for item in value["items"] if link_is_on(item["link"]["url"])]
        return (kind, {**value, "items": items}) if items else None
    if kind == "channel_tabs":
        tabs = [tab for tab in value["tabs"] if link_is_on(tab["link"]["url"])]
        return (kind, {**value, "tabs": tabs}) if tabs else None
    if kind == "banner_carousel":
        slides = [s for s in value["slides"] if link_is_on(s["link"]["url"])]
        return (kind, {**value, "slides": slides}) if slides else None
    if kind in ("notice", "news_module") and not link_is_on(
            (value.get("link") or value.get("more") or {}).get("url")):
        return None
    return block


def demo_image(title: str, seed: int):
    from PIL import Image as PILImage, ImageDraw
    from wagtail.images.models import Image

    found = Image.objects.filter(title=title).first()
    if found:
        return found
    rng = random.Random(seed)
    palette = [(200, 22, 30), (232, 111, 18), (14, 138, 62), (23, 103, 194)]
    base = palette[seed % len(palette)]
    canvas = PILImage.new("RGB", (750, 350), base)
    draw = ImageDraw.Draw(canvas)
    for y in range(350):  # a soft vertical gradient
        shade = tuple(min(255, int(c + (255 - c) * y / 700)) for c in base)
        draw.line([(0, y), (750, y)], fill=shade)
    for _ in range(6):  # lotus-like petals
        x, y, r = rng.randint(40, 710), rng.randint(40, 310), rng.randint(30, 90)
        draw.ellipse([x - r, y - r // 2, x + r, y + r // 2], fill=(255, 230, 235))
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=82)
    return Image.objects.create(title=title,
                                file=ImageFile(buffer, name=f"demo-banner-{seed}.jpg"))


def _link(url="", page=None):
    return {"page": page, "url": url}


def home_body(banners, home):
    site = settings.RONGMEI_SITE_NAME
    today = date.today()
    return [
        ("banner_carousel", {"interval": 5, "slides": [
            {"image": banners[0], "title": f"{site}客户端全新升级，长辈模式字更大", "link": _link("/me/")},
            {"image": banners[1], "title": "办政务不出户：59项服务掌上可办", "link": _link("/services/")},
            {"image": banners[2], "title": "本地名优特产上架融媒商城", "link": _link("/mall/")},
        ]}),
        ("notice", {"text": "【便民提示】近期有降雨，出行请注意安全。", "link": _link("/services/")}),
        ("channel_tabs", {"tabs": [
            {"label": "推荐", "link": _link("/")},
            {"label": "视频", "link": _link("/video/")},
            {"label": "服务", "link": _link("/services/")},
            {"label": "商城", "link": _link("/mall/")},
        ]}),
        ("icon_grid", {"title": "八大福利", "columns": "4", "items": [
            {"label": "看新闻", "subtitle": "兑奖品", "icon": "gift", "color": "red", "link": _link("/points/")},
            {"label": "消费券", "subtitle": "抢不停", "icon": "voucher", "color": "orange", "link": _link("/vouchers/")},
            {"label": "找问政", "subtitle": "有诉求", "icon": "wenzheng", "color": "blue", "link": _link("/wenzheng/")},
            {"label": "办政务", "subtitle": "不出户", "icon": "service", "color": "teal", "link": _link("/services/")},
            {"label": "企业之家", "subtitle": "做广告不花钱", "icon": "megaphone", "color": "purple", "link": _link("/merchants/")},
            {"label": "攒积分", "subtitle": "做好事", "icon": "heart", "color": "green", "link": _link("/volunteers/")},
            {"label": "看直播", "subtitle": "享生活", "icon": "live", "color": "red", "link": _link("/live/")},
            {"label": "来商城", "subtitle": "超折扣", "icon": "mall", "color": "orange", "link": _link("/mall/products/")},
        ]}),
        ("story_feed", {"title": "要闻", "channel": None, "kind": "", "count": 6}),
        ("news_module", {"title": "通知公告", "more": _link("/services/"), "items": [
            {"title": f"{settings.RONGMEI_COUNTY_NAME}政务服务中心周末延时服务的通知", "summary": "",
             "image": None, "source": site, "date": today, "link": _link("/services/")},
            {"title": "城乡居民医疗保险集中缴费开始，可在“服务”中在线缴纳", "summary": "",
             "image": None, "source": site, "date": today - timedelta(days=1), "link": _link("/services/")},
            {"title": "莲城镇志愿服务队招募新一批文明实践志愿者", "summary": "",
             "image": None, "source": site, "date": today - timedelta(days=2), "link": _link("/services/")},
        ]}),
    ]


def services_body(home):
    # 服务+ (the directory module) fills the tab; without it, the national platforms.
    return [
        ("service_directory", {"title": "政务服务", "kind": "government"}),
        ("service_directory", {"title": "民生服务", "kind": "livelihood"}),
        ("icon_grid", {"title": "常用服务", "columns": "4", "items": [
            {"label": "政务服务", "subtitle": "国家平台", "icon": "service", "color": "red", "link": _link("https://www.gjzwfw.gov.cn/")},
            {"label": "医保服务", "subtitle": "缴费查询", "icon": "health", "color": "green", "link": _link("https://fuwu.nhsa.gov.cn/")},
            {"label": "个税办理", "subtitle": "", "icon": "job", "color": "blue", "link": _link("https://etax.chinatax.gov.cn/")},
            {"label": "民生信息", "subtitle": "房屋、招聘", "icon": "house", "color": "purple", "link": _link("/classifieds/")},
            {"label": "全部服务", "subtitle": "服务+", "icon": "more", "color": "orange", "link": _link("/directory/")},
        ]}),
    ]


def video_body(home):
    return [("live_rooms", {"title": "看直播", "count": 4}),
            ("story_feed", {"title": "视频", "channel": None, "kind": "video", "count": 10}),
            ("story_feed", {"title": "图集", "channel": None, "kind": "gallery", "count": 6})]


def mall_body(home):
    return [
        ("icon_grid", {"title": "优惠与商户", "columns": "4", "items": [
            {"label": "积分兑换", "subtitle": "本地特产", "icon": "gift", "color": "green", "link": _link("/mall/products/")},
            {"label": "消费券", "subtitle": "抢券、摇号", "icon": "voucher", "color": "red", "link": _link("/vouchers/")},
            {"label": "我的券包", "subtitle": "出示核销", "icon": "gift", "color": "orange", "link": _link("/vouchers/wallet/")},
            {"label": "企业之家", "subtitle": "本地商户", "icon": "mall", "color": "blue", "link": _link("/merchants/")},
        ]}),
        ("notice", {"text": "融媒商城：本地名优特产，积分兑换、到店自提。", "link": _link("/mall/products/")}),
    ]
