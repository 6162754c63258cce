"""The demo county's home and tab page layouts, as StreamField data."""

from datetime import date, timedelta

from django.conf import settings


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
            {"label": "攒积分", "subtitle": "做好事", "icon": "heart", "color": "green", "link": _link("/points/")},
            {"label": "看直播", "subtitle": "享生活", "icon": "live", "color": "red", "link": _link("/video/")},
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
    return [
        ("icon_grid", {"title": "政务服务", "columns": "4", "items": [
            {"label": "政务服务", "subtitle": "国家平台", "icon": "service", "color": "red", "link": _link("https://www.gjzwfw.gov.cn/")},
            {"label": "医保服务", "subtitle": "缴费查询", "icon": "health", "color": "green", "link": _link("https://fuwu.nhsa.gov.cn/")},
            {"label": "个税办理", "subtitle": "", "icon": "job", "color": "blue", "link": _link("https://etax.chinatax.gov.cn/")},
            {"label": "政策查询", "subtitle": "中国政府网", "icon": "news", "color": "orange", "link": _link("https://www.gov.cn/")},
        ]}),
        ("icon_grid", {"title": "民生服务", "columns": "4", "items": [
            {"label": "水电气", "subtitle": "", "icon": "water", "color": "teal", "link": _link("https://www.gjzwfw.gov.cn/")},
            {"label": "教育", "subtitle": "", "icon": "school", "color": "purple", "link": _link("https://www.gjzwfw.gov.cn/")},
            {"label": "出行", "subtitle": "", "icon": "bus", "color": "blue", "link": _link("https://www.gjzwfw.gov.cn/")},
            {"label": "更多", "subtitle": "", "icon": "more", "color": "orange", "link": _link("https://www.gov.cn/")},
        ]}),
    ]


def video_body(home):
    return [("story_feed", {"title": "视频", "channel": None, "kind": "video", "count": 10}),
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
