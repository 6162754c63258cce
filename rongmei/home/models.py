"""The resident app's home page and tab pages, laid out by operators in the console.

Operators change the layout (banners, channel tabs, icon grids, news modules) by editing
and publishing the page; Wagtail keeps every revision, and publishing clears the page
cache so residents see the change at once — no deploy.
"""

from django.db import models
from django.http import Http404
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from rongmei.core.modules import link_is_on
from rongmei.core.pagecache import LISTS, mark_cacheable, page_tag

from .blocks import layout_blocks

TAB_CHOICES = [("home", "首页"), ("video", "视频"), ("services", "服务"), ("mall", "商城")]


class LayoutPage(Page):
    body = StreamField(layout_blocks(), blank=True, use_json_field=True, verbose_name="版面")
    tab = models.CharField("所属底部栏目", max_length=16, choices=TAB_CHOICES, default="home")

    content_panels = Page.content_panels + [FieldPanel("body")]
    promote_panels = Page.promote_panels + [FieldPanel("tab")]

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        if not link_is_on(self.get_url_parts(request)[2] if self.get_url_parts(request) else ""):
            raise Http404("该栏目未开通")  # a tab of a module that is off (e.g. 商城)
        response = super().serve(request, *args, **kwargs)
        if not getattr(request, "is_preview", False):
            # Built from blocks that list stories (and whatever else invalidates everything).
            mark_cacheable(response, seconds=300, tags=(LISTS, page_tag(self.pk)))
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
