from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from rongmei.core.access import has_role
from rongmei.core.masking import mask_phone
from rongmei.core.roles import ADMINISTRATOR, OPERATOR

from . import selectors
from .models import PersonalDataAccess, SmsMessage


class SmsIndexView(generic.IndexView):
    @property
    def columns(self):
        return [
            Column("phone", label="手机号", accessor=lambda m: mask_phone(m.phone)),
            Column("template", label="模板"),
            Column("provider", label="通道"),
            Column("status", label="状态", accessor="get_status_display"),
            Column("error", label="错误信息"),
            DateColumn("created_at", label="时间"),
        ]


class SmsMessageViewSet(ModelViewSet):
    """The SMS delivery log (administrators): did the code reach the gateway?"""

    model = SmsMessage
    icon = "mail"
    menu_label = "短信记录"
    add_to_settings_menu = True
    index_view_class = SmsIndexView
    list_filter = ["status", "template", "provider"]
    inspect_view_enabled = True
    inspect_view_fields = ["template", "provider", "status", "provider_message_id", "error",
                           "created_at", "sent_at"]
    copy_view_enabled = False
    form_fields = ["status"]


class AccessLogIndexView(generic.IndexView):
    @property
    def columns(self):
        return [
            Column("viewer", label="查看人", accessor=lambda a: a.viewer.get_full_name() if a.viewer else "-"),
            Column("subject", label="被查看人", accessor=lambda a: a.subject.masked_phone if a.subject else "-"),
            Column("what", label="内容"),
            Column("reason", label="事由"),
            DateColumn("created_at", label="时间"),
        ]


class ReadOnlyPolicy(ModelPermissionPolicy):
    """An append-only record: nobody, a superuser included, adds, edits or deletes it in the
    console; the services write it when personal data is looked at."""

    def user_has_permission(self, user, action):
        allowed = super().user_has_permission(user, action)  # the model's own permissions
        return allowed and action not in ("add", "change", "delete")

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class PersonalDataAccessViewSet(ModelViewSet):
    model = PersonalDataAccess
    icon = "view"
    menu_label = "个人信息访问记录"
    add_to_settings_menu = True
    index_view_class = AccessLogIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = ["viewer", "subject", "what", "reason", "created_at"]
    form_fields = ["reason"]

    @property
    def permission_policy(self):
        return ReadOnlyPolicy(self.model)


@hooks.register("register_admin_viewset")
def register_sms_log():
    return SmsMessageViewSet("sms_messages")


@hooks.register("register_admin_viewset")
def register_access_log():
    return PersonalDataAccessViewSet("personal_data_access")


class PlatformSummaryPanel(Component):
    """Dashboard figures a director reads at a glance."""

    name = "rongmei_summary"
    order = 50

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None):
        figures = selectors.platform_summary()
        cells = format_html_join(
            "", '<div class="rm-stat"><div class="rm-stat__num">{}</div>'
                        '<div class="rm-stat__label">{}</div></div>',
            ((value, label) for label, value in figures),
        )
        return format_html(
            '<section class="panel rm-summary" aria-labelledby="rm-summary-title">'
            '<h2 id="rm-summary-title" class="w-panel__heading">平台概况</h2>'
            '<div class="rm-stats">{}</div></section>', cells)


@hooks.register("construct_homepage_panels")
def add_summary_panel(request, panels):
    if has_role(request.user, ADMINISTRATOR, OPERATOR):
        panels.append(PlatformSummaryPanel(request))


@hooks.register("before_bulk_action")
def forget_tokens_before_bulk_active_state(request, action_type, objects, action_class_instance):
    """The console's bulk 设置启用状态 updates accounts without saving them, so the token
    cache's ``pre_save`` never hears of it: tombstone the accounts' tokens first (whichever
    way they are set: a tombstone only sends the next vote to the database)."""
    if action_type == "set_active_state" and objects:
        from . import tokens

        tokens.forget_accounts(obj.pk for obj in objects)


@hooks.register("before_bulk_action")
def keep_accounts_with_records(request, action_type, objects, action_class_instance):
    """The console's bulk 删除 of accounts that points, orders, cases … point at would stop
    at the database's PROTECT with a 500: say why in Chinese and delete none of them."""
    if action_type != "delete" or not objects:
        return None
    from django.contrib import messages
    from django.contrib.auth import get_user_model
    from django.db import router
    from django.db.models import ProtectedError
    from django.db.models.deletion import Collector
    from django.shortcuts import redirect

    from .wagtail_users import KEEPS_RECORDS

    model = get_user_model()
    if not all(isinstance(obj, model) for obj in objects):
        return None
    try:
        Collector(using=router.db_for_write(model)).collect(list(objects))
    except ProtectedError:
        messages.error(request, KEEPS_RECORDS)
        return redirect("wagtailusers_users:index")
    return None
