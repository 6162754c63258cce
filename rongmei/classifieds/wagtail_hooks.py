"""民生信息 in the staff console: categories (review mode, expiry, open), the review queue
and the 举报 queue; 我的发布 in 我的."""

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from rongmei.core.console import OperatorViewSet

from . import admin_views
from .models import Category


class CategoryViewSet(ModelViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = "信息分类"
    url_prefix = "classifieds/categories"
    url_namespace = "classifieds_categories"
    add_view_enabled = False  # the six kinds come with their fields; operators tune them
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["name", Column("review_mode", label="审核方式",
                                   accessor="get_review_mode_display"),
                    "expiry_days", "is_open", "order"]
    form_fields = ["name", "review_mode", "expiry_days", "is_open", "order"]


class ClassifiedsGroup(ViewSetGroup):
    menu_label = "民生信息"
    menu_icon = "doc-full"
    menu_order = 430
    items = (
        OperatorViewSet("classifieds_review", menu_label="信息审核", icon="tasks",
                        view_class=admin_views.ReviewView),
        OperatorViewSet("classifieds_reports", menu_label="信息举报", icon="warning",
                        view_class=admin_views.ReportsView),
        CategoryViewSet("classifieds_categories"),
    )


@hooks.register("register_admin_viewset")
def register_classifieds():
    return ClassifiedsGroup()


@hooks.register("rongmei_me_cells")
def me_cells(request):
    from django.urls import reverse

    from rongmei.accounts.me import MeCell

    if not request.user.is_authenticated:
        return []
    return [MeCell("我的发布", reverse("classifieds:mine"), "民生信息", order=46,
                   testid="me-classifieds")]


@hooks.register("rongmei_merchant_offers")
def merchant_offers(merchant):
    """A merchant's live 民生信息 (its 招聘, a shop for rent) on its 企业之家 page."""
    from django.urls import reverse

    from rongmei.merchants.offers import MerchantOffer

    from .models import Post, PostStatus

    posts = (Post.objects.filter(merchant=merchant, status=PostStatus.PUBLISHED)
             .select_related("category").order_by("-published_at")[:5])
    return [MerchantOffer("classified", post.pk, post.title, post.category.name,
                          reverse("classifieds:detail", args=[post.pk]), action="查看")
            for post in posts]
