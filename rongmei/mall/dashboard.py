"""商城 on the console home (rongmei.core.dashboard): products waiting for review."""

from __future__ import annotations

from django.urls import reverse

from rongmei.core.dashboard import WorkItem, add_work
from rongmei.core.roles import OPERATOR
from rongmei.units.access import has_role

from .models import Product, ProductStatus


def add_panel(request, panels) -> None:
    if has_role(request.user, OPERATOR):
        add_work(panels, request, group="商城", order=45, items=[
            WorkItem("待审商品", Product.objects.filter(status=ProductStatus.PENDING).count(),
                     reverse("mall_products:index")),
        ])
