"""The resident app's home page and tab pages, laid out by operators in the console.

Operators change the layout (banners, channel tabs, icon grids, news modules) by editing
and publishing the page; Wagtail keeps every revision, and publishing clears the page
cache so residents see the change at once — no deploy.
"""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from rongmei.core.pagecache import mark_cacheable

from .blocks import LayoutBlocks

TAB_CHOICES = [("home", "首页"), ("video", "视频"), ("services", "服务"), ("mall", "商城")]


class LayoutPage(Page):
    body = StreamField(LayoutBlocks(), blank=True, use_json_field=True, verbose_name="版面")
    tab = models.CharField("所属底部栏目", max_length=16, choices=TAB_CHOICES, default="home")

    content_panels = Page.content_panels + [FieldPanel("body")]
    promote_panels = Page.promote_panels + [FieldPanel("tab")]

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if not getattr(request, "is_preview", False):
            mark_cacheable(response, seconds=300)
        return response


class HomePage(LayoutPage):
    """首页: the root of the resident site."""

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    template = "home/home_page.html"

    class Meta:
        verbose_name = "首页"


class TabPage(LayoutPage):
    """A bottom-tab page (视频, 服务, 商城) composed from the same blocks."""

    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    template = "home/tab_page.html"

    class Meta:
        verbose_name = "栏目页"
