"""企业之家 in the staff console: 商户 (applications and listings) and 商户动态 (post review)."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from . import console
from .models import Merchant, MerchantPost


class ReviewViewSet(ModelViewSet):
    """A list and a detail screen with review actions, and nothing else.

    Every change to a merchant or a post goes through ``services.py`` (role checks, page
    cache), so the generic add / edit / copy / delete / history screens are left out.
    """

    inspect_view_enabled = True
    copy_view_enabled = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None, edit_url_name=None, delete_url_name=None,
            history_url_name=None, usage_url_name=None, **kwargs)

    @property
    def url_finder_class(self):
        # Links to a merchant or post from elsewhere in the console open its detail screen.
        return type("_ReviewURLFinder", (ModelAdminURLFinder,),
                    {"edit_url_name": self.get_url_name("inspect")})

    def get_extra_urlpatterns(self):
        return []

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            *self.get_extra_urlpatterns(),
        ]


class MerchantViewSet(ReviewViewSet):
    model = Merchant
    url_prefix = "merchants"
    url_namespace = "merchant_console"
    icon = "home"
    menu_label = "商户"
    index_view_class = console.MerchantIndexView
    inspect_view_class = console.MerchantInspectView
    list_filter = ["status", "category"]
    search_fields = ["name", "credit_code", "address", "contact_name"]
    inspect_view_fields = [
        "name", "category", "credit_code", "address", "contact_name", "contact_phone",
        "opening_hours", "intro", "status", "review_note", "reviewed_by", "reviewed_at",
        "applicant", "created_at",
    ]

    def get_extra_urlpatterns(self):
        return [
            path("action/<int:pk>/", console.merchant_action, name="action"),
            path("licence/<int:pk>/", console.licence_view, name="licence"),
        ]


class MerchantPostViewSet(ReviewViewSet):
    model = MerchantPost
    url_prefix = "merchant-posts"
    url_namespace = "merchant_post_console"
    icon = "doc-full"
    menu_label = "商户动态"
    index_view_class = console.PostIndexView
    inspect_view_class = console.PostInspectView
    list_filter = ["status", "kind"]
    search_fields = ["title", "merchant__name"]
    inspect_view_fields = [
        "merchant", "kind", "title", "body", "starts_on", "ends_on", "status", "review_note",
        "author", "created_at", "reviewed_by", "published_at",
    ]

    def get_extra_urlpatterns(self):
        return [path("action/<int:pk>/", console.post_action, name="action")]


class MerchantsGroup(ViewSetGroup):
    menu_label = "企业之家"
    menu_icon = "home"
    menu_order = 400
    items = (MerchantViewSet("merchants"), MerchantPostViewSet("merchant_posts"))


@hooks.register("register_admin_viewset")
def register_merchants():
    return MerchantsGroup()


@hooks.register("rongmei_me_cells")
def me_cells(request):
    from django.urls import reverse

    from rongmei.accounts.me import MeCell

    from .access import works_for_a_merchant

    if works_for_a_merchant(request.user):
        return [MeCell("我的店铺", reverse("merchants:mine"), "企业之家", group="work", order=10)]
    return [MeCell("商户入驻", reverse("merchants:mine"), "企业之家", order=90)]


@hooks.register("construct_homepage_panels")
def add_work_panel(request, panels):
    from . import dashboard

    dashboard.add_panel(request, panels)
