"""Staff console screens for 企业之家: the merchant list and its review, the post queue.

Nothing here writes by itself: approve, reject, suspend and resume call the services, which
check the operator role; the screens only show what the services can do.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic

from rongmei.core.console import require_operator
from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.roles import OPERATOR
from rongmei.core.uploads import serve_user_file
from rongmei.units.access import has_role

from . import selectors, services
from .licences import licence_open
from .models import Merchant, MerchantPost, MerchantStatus, PostStatus

MERCHANT_INSPECT = "merchant_console:inspect"
POST_INSPECT = "merchant_post_console:inspect"


def _person(user) -> str:
    if user is None:
        return "-"
    return f"{user.get_full_name()}（{user.masked_phone}）" if user.phone else user.get_full_name()


class DetailView(generic.InspectView):
    """Wagtail's inspect screen, with times in the county's time zone and "-" for blanks.

    (Wagtail renders values with ``|localize``, which formats an aware datetime in UTC.)
    """

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value)
        return "-" if value in (None, "") else value


# --- 商户 ----------------------------------------------------------------------------------

class MerchantIndexView(generic.IndexView):
    def get_base_queryset(self):
        return selectors.merchant_review_list()

    @property
    def columns(self):
        return [
            TitleColumn("name", label="商户名称", get_url=self.get_inspect_url),
            Column("category", label="行业", accessor="get_category_display"),
            Column("status", label="状态", accessor="get_status_display"),
            Column("address", label="地址"),
            Column("applicant", label="申请人", accessor=lambda m: _person(m.applicant)),
            DateColumn("created_at", label="申请时间", sort_key="created_at"),
        ]


class MerchantInspectView(DetailView):
    template_name = "merchants/console/merchant_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(Merchant.objects.select_related("applicant", "reviewed_by"),
                                 pk=self.pk)

    def get_page_title(self):
        return "商户详情"

    def get_applicant_display_value(self):
        return _person(self.object.applicant)

    def get_reviewed_by_display_value(self):
        return _person(self.object.reviewed_by)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        merchant = self.object
        context.update(
            can_review=has_role(self.request.user, OPERATOR),
            is_pending=merchant.status == MerchantStatus.PENDING,
            is_approved=merchant.status == MerchantStatus.APPROVED,
            is_suspended=merchant.status == MerchantStatus.SUSPENDED,
            licence_url=reverse("merchant_console:licence", args=[merchant.pk]),
            action_url=reverse("merchant_console:action", args=[merchant.pk]),
            staff=merchant.staff.select_related("user").order_by("created_at"),
        )
        return context


_MERCHANT_DONE = {
    "approve": "已通过“{}”的入驻申请",
    "reject": "已驳回“{}”的入驻申请",
    "suspend": "已暂停“{}”，店铺主页不再显示",
    "resume": "已恢复“{}”",
}


@require_POST
def merchant_action(request, pk: int):
    require_operator(request)  # before reading anything: the screen is the operators'
    merchant = get_object_or_404(Merchant, pk=pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action in ("approve", "reject"):
            services.merchant_review(actor=request.user, merchant=merchant,
                                     approve=action == "approve", note=note)
        elif action in ("suspend", "resume"):
            services.merchant_set_suspended(actor=request.user, merchant=merchant,
                                            suspended=action == "suspend", note=note)
        else:
            raise ServiceError("invalid_action", "未知的操作")
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _MERCHANT_DONE[action].format(merchant.name))
    return redirect(MERCHANT_INSPECT, pk)


def licence_view(request, pk: int):
    """Stream a licence photo to an operator; never cached, every look logged."""
    merchant = get_object_or_404(Merchant.objects.select_related("applicant"), pk=pk)
    try:
        handle = licence_open(viewer=request.user, merchant=merchant)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    return serve_user_file(handle, name=merchant.licence_photo.name)


# --- 商户动态 ------------------------------------------------------------------------------

class PostIndexView(generic.IndexView):
    def get_base_queryset(self):
        return selectors.post_review_list()

    @property
    def columns(self):
        return [
            TitleColumn("title", label="标题", get_url=self.get_inspect_url),
            Column("merchant", label="商户", accessor=lambda p: p.merchant.name),
            Column("kind", label="类型", accessor="get_kind_display"),
            Column("status", label="状态", accessor="get_status_display"),
            Column("author", label="发布人", accessor=lambda p: _person(p.author)),
            DateColumn("created_at", label="提交时间", sort_key="created_at"),
        ]


class PostInspectView(DetailView):
    template_name = "merchants/console/post_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            MerchantPost.objects.select_related("merchant", "author", "reviewed_by"), pk=self.pk)

    def get_page_title(self):
        return "动态详情"

    def get_merchant_display_value(self):
        return f"{self.object.merchant.name}（{self.object.merchant.get_status_display()}）"

    def get_author_display_value(self):
        return _person(self.object.author)

    def get_reviewed_by_display_value(self):
        return _person(self.object.reviewed_by)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            can_review=has_role(self.request.user, OPERATOR),
            is_pending=self.object.status == PostStatus.PENDING,
            action_url=reverse("merchant_post_console:action", args=[self.object.pk]),
            merchant_url=reverse(MERCHANT_INSPECT, args=[self.object.merchant_id]),
        )
        return context


@require_POST
def post_action(request, pk: int):
    require_operator(request)
    post = get_object_or_404(MerchantPost, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action not in ("approve", "reject"):
            raise ServiceError("invalid_action", "未知的操作")
        services.post_review(actor=request.user, post=post, approve=action == "approve",
                             note=request.POST.get("note", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(POST_INSPECT, pk)
    if action == "approve":
        messages.success(request, f"已发布“{post.title}”")
    else:
        messages.success(request, f"已驳回“{post.title}”")
    # Back to the queue: the next post waiting for review is at its top.
    return redirect("merchant_post_console:index")
