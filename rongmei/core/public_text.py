"""The registry of every text that becomes public or leaves for an outlet, and the gate call.

``PUBLIC_TEXT`` names, per model, each text field residents can read (on the site, in the app,
in a push, on WeChat/Weibo/Douyin) with where it shows. ``NOT_PUBLIC`` names the text fields
that never are, each with the reason (``"*"``: the whole model). ``test_public_text_registry``
fails when a model gains a text field that is in neither, so a new capability cannot publish
text the word gate never sees.

Every registered field passes the word gate on each path that makes it public; capabilities
call ``gate_texts`` (or, in the newsroom, ``rongmei.news.gate``). The gate itself lives in
``rongmei.wordgate``, which plugs its scanner in here when it is installed (``set_scanner``),
so a capability needs no import of it; without the word gate nothing is checked.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import ServiceError

STORY = "稿件页面及分发渠道"

PUBLIC_TEXT: dict[str, dict[str, str]] = {
    # The newsroom: story pages, what outlets receive, 专题 and section pages.
    "news.StoryPage": {
        "summary": STORY, "author": "署名", "reporter": "署名", "responsible_editor": "署名",
        "source": "来源", "place": "地点", "correction_note": "更正说明（页面及已分发渠道）",
        "tags": "标签",
    },
    "news.ArticlePage": {"body": STORY},
    "news.GalleryPage": {"intro": STORY},
    "news.GalleryImage": {"caption": STORY},
    "news.VideoPage": {"description": STORY},
    "news.AudioPage": {"description": STORY},
    "news.StoryOutletVersion": {"title": "渠道标题", "digest": "渠道摘要", "text": "渠道文案",
                                "topics": "抖音/视频号话题"},
    "news.TopicPage": {"intro": "专题页"},
    "news.TopicItem": {"group": "专题页分组名"},
    "news.SectionPage": {"intro": "分端页面"},
    "news.Channel": {"name": "栏目名（页面导航）", "description": "栏目简介"},
    # Engagement: residents' comments are moderated by engage itself; official replies.
    "engage.Comment": {"body": "评论（先审后发，命中即拦截或待审）"},
    "engage.CommentReply": {"body": "官方回复"},
    # 问政 public texts.
    "wenzheng.Case": {"public_title": "公开标题", "public_description": "公开内容",
                      "reply_text": "公开答复"},
    "wenzheng.CaseReply": {"text": "公开答复"},
    "wenzheng.ProgressNote": {"text": "公开进展"},
    "wenzheng.CaseEvent": {"public_text": "公开办理记录"},
    "wenzheng.Briefing": {"title": "通报", "body": "通报"},
    "wenzheng.CaseCategory": {"name": "分类名", "description": "分类说明"},
    # Merchants and the mall.
    "merchants.Merchant": {"name": "商户页", "intro": "商户页", "opening_hours": "商户页",
                           "address": "商户页"},
    "merchants.MerchantPost": {"title": "商户动态", "body": "商户动态"},
    "mall.Product": {"name": "商品页", "description": "商品页"},
    "vouchers.VoucherCampaign": {"title": "消费券活动页", "description": "消费券活动页"},
    # Push, live, the home page.
    "push.PushMessage": {"title": "推送通知", "body": "推送通知"},
    "live.LiveRoom": {"title": "直播间", "intro": "直播间"},
    "live.LiveComment": {"body": "直播评论"},
    "live.LiveNotice": {"body": "直播公告"},
    "live.LivePost": {"body": "图文直播"},
    "live.LiveProduct": {"title": "直播带货", "price_text": "直播带货"},
    "live.LiveDraw": {"prize": "直播抽奖奖品"},
    "home.HomePage": {"body": "首页"},
    "home.TabPage": {"body": "栏目页"},
    "units.Unit": {"name": "分端及问政办理单位名", "short_name": "单位简称"},
    "accounts.User": {"nickname": "评论署名"},
    # 志愿者之家, perks, 服务+ and 民生信息 (the new capabilities).
    "volunteers.Team": {"name": "志愿队伍页", "intro": "志愿队伍页"},
    "volunteers.Activity": {"title": "志愿活动页", "description": "志愿活动页",
                            "requirements": "志愿活动页", "place": "志愿活动页"},
    "volunteers.ShowcasePost": {"body": "活动风采（运营审核后公开）"},
    "volunteers.MenuItem": {"name": "文明实践服务菜单", "description": "文明实践服务菜单"},
    "volunteers.Volunteer": {"real_name": "荣誉榜与志愿证明上的姓名"},
    "perks.Perk": {"title": "志愿者礼遇", "terms": "志愿者礼遇"},
    "directory.ServiceCategory": {"name": "服务+分类"},
    "directory.Service": {"name": "服务+", "tags": "服务+", "summary": "办事指南",
                          "materials": "办事指南", "steps": "办事指南", "fees": "办事指南",
                          "hours": "办事指南", "place": "办事指南", "phone": "办事指南"},
    "directory.ServiceHall": {"name": "政务服务中心", "address": "政务服务中心",
                              "hours": "政务服务中心", "phone": "政务服务中心"},
    "classifieds.Category": {"name": "民生信息分类"},
    "classifieds.Post": {"title": "民生信息", "body": "民生信息", "contact_name": "民生信息"},
    # 活动: contests, quizzes and public draws.
    "activities.Contest": {"title": "评选页", "rules": "评选规则", "organiser": "评选页"},
    "activities.Entry": {"title": "参赛作品页", "text": "参赛作品页", "author_name": "参赛作品署名"},
    "activities.Invalidation": {"reason": "作废票公示"},
    "activities.Question": {"text": "答题试卷", "explanation": "答题解析"},
    "activities.Quiz": {"title": "答题活动页", "intro": "答题活动页"},
    "activities.LiveQuiz": {"title": "直播答题页与直播间"},
    "activities.PublicDraw": {"title": "公开摇号页", "description": "公开摇号页",
                              "public_value_source": "公开摇号页"},
    # Wagtail's own models: image titles become alt text in stories and on outlets.
    "wagtailimages.Image": {"title": "图片替代文字"},
    "wagtailcore.Page": {"title": "页面标题", "seo_title": "分享标题",
                         "search_description": "分享描述"},
}

_STAFF = "仅后台工作人员可见"
_SECRET = "凭证或哈希，不显示"
_LOG = "系统记录，不公开"

NOT_PUBLIC: dict[str, dict[str, str]] = {
    "accounts.User": {"password": _SECRET, "phone": "个人信息，不公开",
                      "name": "实名，不公开（公开署名用昵称）"},
    "accounts.PhoneOtp": {"*": _SECRET},
    "accounts.SmsMessage": {"*": "发给本人的短信（模板固定），不公开"},
    "accounts.RealNameRecord": {"*": "实名信息，加密保存"},
    "accounts.AppToken": {"*": _SECRET},
    "accounts.WechatBinding": {"*": "微信登录绑定（openid、unionid、微信昵称），仅用于登录，不公开，注销时删除"},
    "accounts.PersonalDataAccess": {"*": _LOG},
    "units.Unit": {"path": "树结构编码", "code": "单位编码", "contact_phone": _STAFF,
                   "address": _STAFF},
    "units.UnitMembership": {"title": _STAFF},
    "notices.Notice": {"*": "发给本人的站内通知，内容由系统模板生成"},
    "wordgate.WordEntry": {"*": "词库本身，仅管理员可见"},
    "wordgate.DictionaryVersion": {"*": _LOG},
    "media.MediaAsset": {"*": "素材库，标题不对外显示（稿件中的说明另行检查）"},
    "push.PushSubscription": {"*": "订阅凭证"},
    "push.PushMessage": {"topic": "主题代码", "url": "站内链接"},
    "points.PointsEntry": {"*": "积分流水，仅本人可见，文字由系统生成"},
    "points.EarningRule": {"*": "规则配置，文字由运营在后台设定，仅显示规则名"},
    "outlets.Outlet": {"*": "渠道配置与密钥"},
    "outlets.Snapshot": {"*": "已发布版本的记录（其内容在发布前已检查）"},
    "outlets.Delivery": {"*": _LOG},
    "outlets.DeliveryAttempt": {"*": _LOG},
    "outlets.Retraction": {"*": _LOG},
    "outlets.OutletFigure": {"*": "各平台粉丝与阅读数及取数说明，仅后台可见"},
    "engage.ReadFlush": {"*": _LOG},
    "engage.Comment": {"reject_reason": _STAFF},
    "engage.Report": {"*": "举报内容，仅审核人员可见"},
    "engage.ModerationLog": {"*": _LOG},
    "news.FeedEntry": {"*": "已发布稿件的副本（稿件发布前已检查）"},
    "news.PublishBlock": {"*": _LOG},
    "news.UrgentPublish": {"*": "审核记录，仅后台可见"},
    "merchants.Merchant": {"credit_code": _STAFF, "contact_name": _STAFF,
                           "contact_phone": _STAFF, "review_note": _STAFF,
                           "shop_phone": "店铺电话：只有数字和连字符（按电话格式校验），没有文字"},
    "merchants.MerchantInvitation": {"*": _SECRET},
    "merchants.MerchantStaffEvent": {"*": _LOG},
    "merchants.MerchantPost": {"review_note": _STAFF},
    "vouchers.VoucherCampaign": {
        "lottery_commitment": "摇号承诺值（哈希）", "lottery_public_source": "公开随机源（数字）",
        "lottery_entries_digest": "哈希", "lottery_public_value": "公开随机值（数字）",
        "lottery_seed": "随机种子"},
    "vouchers.Voucher": {"*": _SECRET},
    "mall.Product": {"review_note": _STAFF},
    "mall.Order": {"*": "订单，仅本人和商户可见"},
    "mall.OrderEvent": {"*": _LOG},
    "mall.StockAdjustment": {"*": _LOG},
    "wenzheng.HolidayDay": {"*": "节假日名称（系统日历）"},
    "wenzheng.Open311Partner": {"*": "接口伙伴配置"},
    "wenzheng.Open311Reporter": {"*": _SECRET},
    "wenzheng.ProgressNote": {"review_note": _STAFF},
    "wenzheng.AbuseReport": {"*": "举报，仅后台可见"},
    "wenzheng.Case": {"receipt_no": "受理编号", "idempotency_key": _LOG,
                      "title": "群众原文，公开前另写公开标题（public_title）",
                      "description": "群众原文，公开前另写公开内容（public_description）",
                      "address": "个人信息", "contact_name_encrypted": "加密个人信息",
                      "contact_phone_encrypted": "加密个人信息", "reject_reason": "发给本人",
                      "referral": _STAFF, "info_request": "发给本人"},
    "wenzheng.CaseEvent": {"state_from": "状态代码", "state_to": "状态代码", "note": _STAFF},
    "wenzheng.UnitRequest": {"*": _STAFF},
    "wenzheng.CaseReply": {"review_note": _STAFF},
    "wenzheng.Briefing": {"review_note": _STAFF},
    "wenzheng.TransferNotice": {"*": _STAFF},
    "wenzheng.Instruction": {"*": "领导批示，仅后台可见"},
    "wenzheng.CaseRating": {"*": "评价，仅办理单位和后台可见"},
    "live.LiveRoom": {"review_note": _STAFF, "stream_name": "推流名", "stream_key_hash": _SECRET,
                      "stream_key_encrypted": _SECRET, "replay_error": _LOG,
                      "stream_client_id": "媒体服务器的推流连接编号"},
    "live.IngestEvent": {"*": _LOG},
    "live.Recording": {"*": _LOG},
    "live.LiveMute": {"*": _STAFF},
    "live.ModerationLog": {"*": _LOG},
    "live.LiveProduct": {"url": "链接", "image_url": "链接"},
    "live.LiveDraw": {"seed": "随机种子", "commitment": "哈希", "entries_digest": "哈希"},
    "live.PushTarget": {"*": "转推地址配置"},
    "news.SearchWord": {"*": "搜索词典，仅运营可见"},
    "news.SearchSynonym": {"*": "搜索同义词，仅运营可见"},
    "news.SearchMiss": {"*": "无结果搜索记录，仅运营可见"},
    "analytics.IngestBatch": {"*": _LOG},
    "analytics.Event": {"*": "匿名使用事件，仅统计"},
    "analytics.Device": {"*": "匿名设备标识，仅统计"},
    "analytics.DailyCount": {"*": "统计数字"},
    "analytics.ChannelCode": {"*": "渠道码，仅后台可见"},
    "analytics.ReportingCounty": {"*": "参与排名的县及其公钥，仅后台可见"},
    "analytics.AnalyticsSettings": {"*": _STAFF},
    "volunteers.Volunteer": {"skills": "个人信息，仅队长可见", "availability": "个人信息，仅队长可见",
                             "card_code": "志愿者编号"},
    "volunteers.Activity": {"qr_secret": _SECRET},
    "volunteers.Signup": {"*": "服务记录，仅本人与队长可见"},
    "volunteers.ServiceOrder": {"*": "群众点单，仅派单与接单方可见"},
    "volunteers.GridService": {"*": "三长服务记录，仅乡镇审核可见"},
    "volunteers.ShowcasePost": {"review_note": _STAFF},
    "directory.Service": {"url": "链接", "miniprogram_appid": "小程序编号",
                          "miniprogram_path": "小程序路径", "search_text": "检索用拼音",
                          "link_error": _STAFF},
    "classifieds.Post": {"contact_phone": "联系电话，脱敏显示，查看留痕",
                         "review_note": _STAFF},
    "classifieds.Report": {"*": "举报，仅后台可见"},
    # 策划指挥: newsroom-internal. A resident's 爆料 passes the word gate all the same; what
    # becomes public is the story written from it, which the newsroom's own gate checks.
    "planning.Tip": {"title": "爆料，仅编辑部可见（提交时过敏感词）",
                     "body": "爆料，仅编辑部可见（提交时过敏感词）",
                     "place": "爆料，仅编辑部可见（提交时过敏感词）",
                     "contact_name": "爆料人联系方式，脱敏显示，查看留痕",
                     "contact_phone": "爆料人联系方式，脱敏显示，查看留痕",
                     "wenzheng_receipt": "问政受理号",
                     "triage_note": "发给本人（处理时过敏感词）",
                     "idempotency_key": "提交标识，不显示"},
    "planning.Topic": {"*": "选题，仅编辑部、报题单位与承接人可见（报题与审核意见过敏感词）"},
    "planning.Resource": {"*": "车辆与器材，仅编辑部可见"},
    "planning.Assignment": {
        "*": "派单，仅编辑部与承接人可见（地点、要求、拒绝与取消原因过敏感词）"},
    "planning.AssignmentUpdate": {"*": "派单进展，仅编辑部与承接人可见（过敏感词）"},
    "planning.Event": {"*": "策划日历，仅编辑部与报题人员可见（登记时过敏感词）"},
    "planning.Coverage": {"*": "报道计划，仅编辑部可见（报道要求过敏感词）"},
    "activities.Contest": {"live_url": "链接", "proposal_note": _STAFF},
    "activities.RegistrationPhoto": {"*": "报名照片的存储编号，仅运营可见"},
    "activities.Registration": {"id_number_encrypted": "报名身份证号（加密），仅运营留痕查看"},
    "activities.Entry": {"review_note": _STAFF},
    "activities.Vote": {"*": "投票记录及风控信号，仅后台可见"},
    "activities.QuestionBank": {"name": "题库名，仅后台可见"},
    "activities.Question": {"category": "抽题分类，仅后台可见"},
    "activities.Quiz": {"category": "抽题分类，仅后台可见"},
    "activities.LiveQuizAnswer": {"*": "观众的作答，仅用于计分与排行（排行中姓名脱敏）"},
    "activities.PublicDraw": {"seed": "随机种子，摇号后原样公开供核验（不能改动）",
                              "commitment": _SECRET, "entries_digest": _SECRET,
                              "public_value": "开奖号码等公开随机数，原样公开供核验（不能改动）",
                              "live_url": "链接"},
    "activities.DrawEntrant": {"code": "报名编号，原样公开供核验",
                               "name": "姓名，公开时脱敏"},
}


def registered(label: str, field: str) -> bool:
    return field in PUBLIC_TEXT.get(label, {})


def exemption(label: str, field: str) -> str:
    reasons = NOT_PUBLIC.get(label, {})
    return reasons.get(field) or reasons.get("*") or ""


# -- the gate ---------------------------------------------------------------------------------

_scanner: Callable | None = None


def set_scanner(scan: Callable) -> None:
    """The word gate plugs in its ``scan(text) -> Verdict`` (rongmei.wordgate.apps)."""
    global _scanner
    _scanner = scan


def scan(text: str):
    """The word gate's verdict on ``text``, or None when the word gate is not installed."""
    if _scanner is None or not text:
        return None
    return _scanner(text)


def gate_texts(**texts: str) -> None:
    """Raise ``ServiceError("wordgate_blocked")`` naming the first field holding a blocked
    word; ``texts`` maps field name to text (``gate_texts(title=t, body=b)``)."""
    for field, text in texts.items():
        verdict = scan(text or "")
        if verdict is not None and verdict.blocked:
            raise ServiceError("wordgate_blocked", f"内容含有禁用词，不能发布：{verdict.message}",
                               field=field)


def blocked_fields(instance) -> dict[str, str]:
    """{field: Chinese message} for each registered public text field of a model instance
    that holds a blocked word."""
    found = {}
    for field in PUBLIC_TEXT.get(instance._meta.label, {}):
        value = getattr(instance, field, None)
        if isinstance(value, str):
            verdict = scan(value)
            if verdict is not None and verdict.blocked:
                found[field] = f"含有禁用词，不能发布：{verdict.message}"
    return found


class GatedPublicText:
    """Model mixin for what staff edit in generic console forms (Wagtail's ModelViewSet and
    snippets, whose forms call ``full_clean``): the registered public text fields pass the
    word gate there, so no hand-written form can forget it."""

    def clean(self):
        super().clean()
        found = blocked_fields(self)
        if found:
            from django.core.exceptions import ValidationError

            raise ValidationError(found)
