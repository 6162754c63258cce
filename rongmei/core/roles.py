"""The staff and partner roles of a county media center, as Django groups.

Roles are groups so that an administrator can see and adjust them in the staff console;
``ensure_roles()`` (run by a migration and by ``rongmei ensure-roles``) creates them and grants
the permissions listed here, never removing what an administrator added.

A *resident* is any active account: there is no resident group, because putting 150,000
people in a group buys nothing and costs a join on every check.

Some roles are *unit-scoped*: the group says what a person may do, and their
``units.UnitMembership`` rows say where (a unit and everything below it in the tree).
Apps add permissions for their own models to ``ROLE_PERMISSIONS`` entries below as they land.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    code: str
    name: str  # the group's name, as staff see it
    description: str
    console: bool  # may enter the Wagtail staff console
    unit_scoped: bool = False


RESIDENT = "resident"
REPORTER = "reporter"
EDITOR = "editor"
CHIEF_EDITOR = "chief_editor"
DIRECTOR = "director"
UNIT_ADMIN = "unit_admin"
WENZHENG_HANDLER = "wenzheng_handler"
UNIT_HANDLER = "unit_handler"
GRID_LEADER = "grid_leader"
PROPAGANDA = "propaganda"
MERCHANT = "merchant"
VOLUNTEER_LEADER = "volunteer_leader"
OPERATOR = "operator"
DISPATCHER = "dispatcher"
JUDGE = "judge"
ADMINISTRATOR = "administrator"

ROLES: tuple[Role, ...] = (
    Role(REPORTER, "记者", "采集稿件、上传图片视频、提交审核", console=True),
    Role(EDITOR, "编辑（初审）", "编辑稿件、生成多端版本、初审", console=True),
    Role(CHIEF_EDITOR, "主编（复审）", "复审稿件、退回修改", console=True),
    Role(DIRECTOR, "总编辑（终审）", "终审、定时发布、撤稿与更正", console=True),
    Role(UNIT_ADMIN, "分端管理员", "在本单位分端内供稿，由中心审核", console=True,
         unit_scoped=True),
    Role(WENZHENG_HANDLER, "问政专员", "问政分拣、转办、审核公开答复", console=True),
    Role(UNIT_HANDLER, "责任单位办理员", "签收问政、联系群众、反馈进展和答复", console=False,
         unit_scoped=True),
    Role(GRID_LEADER, "三长", "处理网格内的群众诉求，参与基层治理", console=False,
         unit_scoped=True),
    Role(PROPAGANDA, "宣传部", "接收舆情内参、下发转办告知单、督办", console=True),
    Role(MERCHANT, "商户", "店铺主页、促销、核销消费券和提货码、结算", console=False),
    Role(VOLUNTEER_LEADER, "志愿队长", "发布志愿活动、签到签退、确认服务时长", console=False,
         unit_scoped=True),
    Role(DISPATCHER, "策划调度", "线索分拣、查看爆料人联系方式、选题审批、派单和指挥调度看板",
         console=True),
    Role(JUDGE, "评委", "为受邀的征集评选给决赛作品打分（只改自己的评分）", console=True),
    Role(OPERATOR, "运营", "首页布局、积分规则、消费券、商城、活动、推送、数据看板", console=True),
    Role(ADMINISTRATOR, "管理员", "管理账号、角色、单位和全部设置", console=True),
)
ROLE_BY_CODE = {role.code: role for role in ROLES}
ROLE_BY_NAME = {role.name: role for role in ROLES}

# Permissions per role ("app_label.codename"). Missing permissions (an app not installed)
# are skipped, so this list can name permissions of apps that may be switched off.
_CONSOLE = ("wagtailadmin.access_admin",)
_MEDIA = (
    "wagtailimages.add_image", "wagtailimages.change_image", "wagtailimages.choose_image",
    "wagtaildocs.add_document", "wagtaildocs.change_document", "wagtaildocs.choose_document",
    # 音视频库 (rongmei.media); services check the role (and a unit admin's unit) again
    "media.add_mediaasset", "media.change_mediaasset", "media.view_mediaasset",
)
_COMMERCE = (  # 企业之家 review and 消费券 operations
    "merchants.view_merchant", "merchants.change_merchant",
    "merchants.view_merchantpost", "merchants.change_merchantpost",
    "vouchers.add_vouchercampaign", "vouchers.change_vouchercampaign",
    "vouchers.view_vouchercampaign", "vouchers.add_voucherround",
    "vouchers.change_voucherround", "vouchers.view_voucherround",
    "vouchers.view_voucher", "vouchers.view_settlementstatement",
    "vouchers.add_settlementstatement", "vouchers.view_lotteryentry",
)
_POINTS = (  # 积分 rules and the ledger (manual adjustments go through points_adjust)
    "points.view_earningrule", "points.change_earningrule", "points.add_earningrule",
    "points.view_pointsentry",
)
_MALL = (  # 融媒商城: product review, orders, stock adjustments
    "mall.view_product", "mall.change_product", "mall.view_order", "mall.view_orderevent",
    "mall.view_stockadjustment", "mall.add_stockadjustment",
)
_ENGAGE = (  # 互动: comment moderation, official replies, reports (services check roles too)
    "engage.view_comment", "engage.change_comment", "engage.add_commentreply",
    "engage.view_report", "engage.change_report", "engage.view_pagestats",
    "engage.change_pagecommentsetting", "engage.view_moderationlog",
)
_PUSH = (  # 消息推送: breaking-news Web Push (sending goes through push.services.broadcast)
    "push.view_pushmessage", "push.add_pushmessage", "push.view_pushsubscription",
)
_WORDGATE_VIEW = ("wordgate.view_wordentry",)  # 敏感词库: see it and use the checker
_WORDGATE_MANAGE = _WORDGATE_VIEW + ("wordgate.add_wordentry", "wordgate.change_wordentry")
_DELIVERIES = (  # 多端分发: the delivery queue (view, retry, cancel)
    "outlets.view_delivery", "outlets.change_delivery", "outlets.view_snapshot",
)
_OUTLETS = _DELIVERIES + (  # 分发渠道 settings and credentials
    "outlets.view_outlet", "outlets.add_outlet", "outlets.change_outlet",
)
_WENZHENG = (  # 问政 categories and working-day rules (the workflow screens check roles)
    "wenzheng.view_casecategory", "wenzheng.add_casecategory", "wenzheng.change_casecategory",
    "wenzheng.view_deadlinerule", "wenzheng.add_deadlinerule", "wenzheng.change_deadlinerule",
    "wenzheng.delete_deadlinerule",
)
_DIRECTORY = (  # 服务+: services, categories and halls (usage and import check the role)
    "directory.view_service", "directory.add_service", "directory.change_service",
    "directory.delete_service", "directory.view_servicecategory",
    "directory.add_servicecategory", "directory.change_servicecategory",
    "directory.view_servicehall", "directory.add_servicehall", "directory.change_servicehall",
)
_CLASSIFIEDS = (  # 民生信息 categories (review and reports are operator screens)
    "classifieds.view_category", "classifieds.change_category",
)
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    REPORTER: _CONSOLE + _MEDIA,
    EDITOR: _CONSOLE + _MEDIA + _ENGAGE + _WORDGATE_VIEW + _DELIVERIES,
    CHIEF_EDITOR: _CONSOLE + _MEDIA + _ENGAGE + _WORDGATE_VIEW + _DELIVERIES,
    DIRECTOR: _CONSOLE + _MEDIA + _ENGAGE + _PUSH + _WORDGATE_VIEW + _DELIVERIES,
    UNIT_ADMIN: _CONSOLE + _MEDIA + ("units.view_unit",),
    WENZHENG_HANDLER: _CONSOLE + ("units.view_unit",) + _WENZHENG,
    UNIT_HANDLER: (),
    GRID_LEADER: (),
    PROPAGANDA: _CONSOLE + ("units.view_unit",),
    MERCHANT: (),
    VOLUNTEER_LEADER: (),
    # Which contests a judge scores is activities' own list (ContestJudge), asked with the role.
    JUDGE: _CONSOLE,
    # 策划指挥 screens check the role through the access module; the media library lets a
    # dispatcher look at what crews hand in.
    DISPATCHER: _CONSOLE + _MEDIA + ("planning.view_resource", "planning.add_resource",
                                     "planning.change_resource"),
    OPERATOR: _CONSOLE + _MEDIA + (
        "units.view_unit", "accounts.view_user",
    ) + _COMMERCE + _POINTS + _MALL + _ENGAGE + _PUSH + _WORDGATE_MANAGE + _OUTLETS,
    ADMINISTRATOR: _CONSOLE + _MEDIA + (
        "units.add_unit", "units.change_unit", "units.delete_unit", "units.view_unit",
        "units.add_unitmembership", "units.change_unitmembership",
        "units.delete_unitmembership", "units.view_unitmembership",
        "accounts.add_user", "accounts.change_user", "accounts.delete_user",
        "accounts.view_user", "accounts.view_smsmessage", "accounts.view_personaldataaccess",
        "auth.add_group", "auth.change_group", "auth.delete_group", "auth.view_group",
        "wagtailsites.change_site",
    ) + _COMMERCE + _POINTS + _MALL + _ENGAGE + _PUSH + _WORDGATE_MANAGE + _OUTLETS,
}
for _role in (OPERATOR, ADMINISTRATOR):  # 问政分类 and 办理时限 in the console
    ROLE_PERMISSIONS[_role] += _WENZHENG
for _role in (OPERATOR, ADMINISTRATOR):  # 数据: the population and county code (设置)
    ROLE_PERMISSIONS[_role] += ("analytics.change_analyticssettings",)
for _role in (OPERATOR, ADMINISTRATOR):  # 服务+ in the console
    ROLE_PERMISSIONS[_role] += _DIRECTORY + _CLASSIFIEDS
ROLE_PERMISSIONS[ADMINISTRATOR] += ("planning.view_resource", "planning.add_resource",
                                    "planning.change_resource")  # 车辆与器材


# Page tree rights (Wagtail's GroupPagePermission on the root page). Unit sections get their
# own, narrower rights from the newsroom app.
PAGE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    OPERATOR: ("add_page", "change_page", "publish_page"),
    ADMINISTRATOR: ("add_page", "change_page", "publish_page", "bulk_delete_page",
                    "lock_page", "unlock_page"),
}
# Wagtail grants image and document rights per collection, not through model permissions.
_COLLECTION_APPS = {"wagtailimages", "wagtaildocs"}


def ensure_roles() -> list[str]:
    """Create every role's group and grant its permissions. Idempotent; returns new groups.

    Never removes a permission: what an administrator added in the console stays. A few
    queries per role whatever the number of permissions (tests create users by the
    thousand, and each asks for the roles first).
    """
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    root_collection = Collection.get_first_root_node()
    root_page = Page.get_first_root_node()
    permissions = {(p.content_type.app_label, p.codename): p
                   for p in Permission.objects.select_related("content_type")}
    groups = {g.name: g for g in Group.objects.filter(name__in=[r.name for r in ROLES])}
    created_names = []
    for role in ROLES:
        group = groups.get(role.name)
        if group is None:
            group, created = Group.objects.get_or_create(name=role.name)
            if created:
                created_names.append(role.name)
        plain, per_collection = [], []
        for dotted in ROLE_PERMISSIONS.get(role.code, ()):
            app_label, codename = dotted.split(".", 1)
            permission = permissions.get((app_label, codename))
            if permission is None:
                continue
            if app_label in _COLLECTION_APPS and root_collection is not None:
                per_collection.append(permission)
            else:
                plain.append(permission)
        if plain:
            group.permissions.add(*plain)
        if per_collection:
            held = set(GroupCollectionPermission.objects.filter(
                group=group, collection=root_collection).values_list("permission_id", flat=True))
            GroupCollectionPermission.objects.bulk_create(
                [GroupCollectionPermission(group=group, collection=root_collection, permission=p)
                 for p in per_collection if p.pk not in held])
        page_permissions = [permissions.get(("wagtailcore", codename))
                            for codename in PAGE_PERMISSIONS.get(role.code, ())]
        page_permissions = [p for p in page_permissions if p is not None]
        if page_permissions and root_page is not None:
            held = set(GroupPagePermission.objects.filter(
                group=group, page=root_page).values_list("permission_id", flat=True))
            GroupPagePermission.objects.bulk_create(
                [GroupPagePermission(group=group, page=root_page, permission=p)
                 for p in page_permissions if p.pk not in held])
    return created_names
