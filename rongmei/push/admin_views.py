"""The 消息推送 console screen: send a breaking-news push by hand, see the history with
delivery counts and how many browsers subscribe. Operators, directors (总编辑) and
administrators; ``services.broadcast`` checks the role again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from rongmei.core.errors import ServiceError
from rongmei.units.access import has_role

from . import selectors, services
from .models import DEFAULT_TOPIC, TOPICS


def may_send_push(user) -> bool:
    return has_role(user, *services.SENDER_ROLES)


class PushMenuItem(MenuItem):
    def is_shown(self, request):
        return may_send_push(request.user)


class PushConsoleView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "push/admin/index.html"
    page_title = "消息推送"
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not may_send_push(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({
            "topic_name": TOPICS[DEFAULT_TOPIC],
            "subscribers": selectors.subscriber_count(topic=DEFAULT_TOPIC),
            "page": Paginator(selectors.message_history(), 30).get_page(self.request.GET.get("p")),
            "form": kwargs.get("form", {}),
            "error": kwargs.get("error"),
            "error_field": kwargs.get("error_field"),
            "title_max": services.TITLE_MAX, "body_max": services.BODY_MAX,
        })
        return context

    def post(self, request, *args, **kwargs):
        try:
            message = services.broadcast(
                title=request.POST.get("title", ""), body=request.POST.get("body", ""),
                url=request.POST.get("url", ""), actor=request.user)
        except ServiceError as exc:
            context = self.get_context_data(form=request.POST, error=exc.message,
                                            error_field=exc.field)
            return self.render_to_response(context, status=exc.status)
        messages.success(request, f"推送“{message.title}”已提交发送")
        return redirect(request.path)


class PushViewSet(ViewSet):
    menu_item_class = PushMenuItem

    def get_urlpatterns(self):
        from django.urls import path

        return [path("", PushConsoleView.as_view(), name="index")]
