"""Console screens: outlets (operators and administrators) and the 分发队列 (editors,
chief editors, directors, operators, administrators). Writes go through ``services``, which
check the role again."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from rongmei.core.console import OperatorRequiredMixin
from rongmei.core.errors import ServiceError
from rongmei.units.access import has_role

from . import selectors, services
from .forms import OutletForm
from .models import DeliveryStatus, Outlet


class QueueMenuItem(MenuItem):
    def is_shown(self, request):
        return has_role(request.user, *services.QUEUE_ROLES)


class QueueRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not has_role(request.user, *services.QUEUE_ROLES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class Screen(WagtailAdminTemplateMixin, TemplateView):
    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [{"url": "", "label": self.get_page_title()}]


class OutletListView(OperatorRequiredMixin, Screen):
    template_name = "outlets/admin/outlets.html"
    page_title = "分发渠道"
    header_icon = "globe"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["outlets"] = Outlet.objects.order_by("kind", "name")
        return context


class OutletEditView(OperatorRequiredMixin, Screen):
    template_name = "outlets/admin/outlet_form.html"
    header_icon = "globe"

    def get_outlet(self) -> Outlet:
        pk = self.kwargs.get("pk")
        if pk is None:
            return Outlet()
        outlet = Outlet.objects.filter(pk=pk).first()
        if outlet is None:
            raise Http404
        return outlet

    def get_page_title(self):
        return "编辑分发渠道" if self.kwargs.get("pk") else "添加分发渠道"

    def get(self, request, *args, **kwargs):
        outlet = self.get_outlet()
        return self.render_to_response(self.get_context_data(
            form=OutletForm(instance=outlet), outlet=outlet))

    def post(self, request, *args, **kwargs):
        outlet = self.get_outlet()
        form = OutletForm(request.POST, instance=outlet)
        if form.is_valid():
            try:
                services.outlet_save(actor=request.user, outlet=form.save(commit=False),
                                     secret=form.cleaned_data.get("secret", ""))
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"渠道“{outlet.name}”已保存")
                return redirect(reverse("outlet_settings:index"))
        return self.render_to_response(self.get_context_data(form=form, outlet=outlet),
                                       status=400)


class DeliveryQueueView(QueueRequiredMixin, Screen):
    template_name = "outlets/admin/queue.html"
    page_title = "分发队列"
    header_icon = "list-ul"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        status = params.get("status", "")
        try:
            outlet_id = int(params.get("outlet") or 0)
        except ValueError:
            outlet_id = 0
        story = params.get("story", "").strip()[:100]
        deliveries = selectors.deliveries_for_console(status=status, outlet_id=outlet_id,
                                                      story=story)
        context = super().get_context_data(**kwargs)
        context.update({
            "status": status if status in DeliveryStatus.values else "",
            "statuses": DeliveryStatus.choices, "outlet_id": outlet_id, "story": story,
            "outlets": Outlet.objects.order_by("kind", "name"),
            "page": Paginator(deliveries, 50).get_page(params.get("p")),
        })
        return context


class DeliveryDetailView(QueueRequiredMixin, Screen):
    template_name = "outlets/admin/delivery.html"
    page_title = "分发详情"
    header_icon = "list-ul"

    def get_context_data(self, **kwargs):
        delivery = selectors.delivery_detail(self.kwargs["pk"])
        if delivery is None:
            raise Http404
        context = super().get_context_data(**kwargs)
        context.update({
            "delivery": delivery,
            "payload": json.dumps(delivery.payload, ensure_ascii=False, indent=2),
            "attempts": delivery.attempt_log.all(),
        })
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if action == "retry":
                services.delivery_retry(actor=request.user, delivery_id=self.kwargs["pk"])
                messages.success(request, "已重新加入发送队列")
            elif action == "cancel":
                services.delivery_cancel(actor=request.user, delivery_id=self.kwargs["pk"])
                messages.success(request, "已取消这条分发")
            else:
                messages.error(request, "未知操作")
        except ServiceError as exc:
            if exc.status == 403:
                raise PermissionDenied from exc
            messages.error(request, exc.message)
        return redirect(reverse("outlet_deliveries:detail", args=[self.kwargs["pk"]]))
