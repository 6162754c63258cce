"""企业之家 on the console home (rongmei.core.dashboard): applications and posts to review."""

from __future__ import annotations

from django.urls import reverse

from rongmei.core.dashboard import WorkItem, add_work

from .models import Merchant, MerchantPost, MerchantStatus, PostStatus


def add_panel(request, panels) -> None:
    user = request.user
    if not user.has_perm("merchants.change_merchant"):
        return
    items = [WorkItem("待审商户", Merchant.objects.filter(status=MerchantStatus.PENDING).count(),
                      reverse("merchant_console:index") + "?status=pending")]
    if user.has_perm("merchants.change_merchantpost"):
        items.append(WorkItem(
            "待审商户动态", MerchantPost.objects.filter(status=PostStatus.PENDING).count(),
            reverse("merchant_post_console:index") + "?status=pending"))
    add_work(panels, request, group="企业之家", items=items, order=40)
