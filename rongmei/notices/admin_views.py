"""Console screens of notices: every staff member's 待办与消息, and the SMS delivery record
(operators), where failures show with the gateway's reason and can be sent again."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from rongmei.core.console import RoleScreen, RoleScreenViewSet
from rongmei.core.errors import ServiceError
from rongmei.core.roles import OPERATOR

from . import kinds, selectors, services
from .models import Box, SmsState


class _Screen(RoleScreen, WagtailAdminTemplateMixin, TemplateView):
    pass


class InboxView(_Screen):
    template_name = "notices/admin/inbox.html"
    page_title = "待办与消息"
    header_icon = "mail"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update({
            "counts": selectors.counts(user=user),
            "todos": selectors.inbox(user=user, box=Box.TODO)[:100],
            "page": Paginator(selectors.inbox(user=user, box=Box.MESSAGE), 30)
            .get_page(self.request.GET.get("p")),
        })
        return context

    def post(self, request, *args, **kwargs):
        marked = services.mark_all_read(user=request.user, box=Box.MESSAGE)
        messages.success(request, f"已将{marked}条消息标为已读")
        return redirect(request.get_full_path())


class SmsView(_Screen):
    template_name = "notices/admin/sms.html"
    page_title = "短信发送记录"
    header_icon = "mail"
    roles = (OPERATOR,)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", SmsState.FAILED)
        state = state if state in SmsState.values else SmsState.FAILED
        context.update({
            "state": state, "states": [(v, l) for v, l in SmsState.choices if v],
            "failed": selectors.sms_failure_count(),
            "page": Paginator(selectors.deliveries(state=state), 50)
            .get_page(self.request.GET.get("p")),
            "kinds": [(k, k.sms_params, kinds.tencent_template_id(k.code))
                      for k in kinds.all_kinds() if k.sms_text],
        })
        return context

    def post(self, request, *args, **kwargs):
        ids = (services.failed_ids() if request.POST.get("all") == "1"
               else request.POST.getlist("notice"))
        try:
            queued = services.sms_resend(actor=request.user, notice_ids=ids)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已重新发送{queued}条短信")
        return redirect(request.get_full_path())


class InboxViewSet(RoleScreenViewSet):
    view_class = InboxView
    menu_label = "待办与消息"
    icon = "mail"
    add_to_admin_menu = True
    menu_order = 50


class SmsViewSet(RoleScreenViewSet):
    view_class = SmsView
    menu_label = "短信发送记录"
    icon = "mail"
    add_to_settings_menu = True
    roles = (OPERATOR,)
