"""The newsroom in the staff console: 写稿 (pick a section and a kind), 栏目, the word gate on
the publish button, and the review-word warnings after a save."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import Channel, StoryPage


class ChannelViewSet(SnippetViewSet):
    model = Channel
    icon = "list-ul"
    menu_label = "栏目"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "slug", "sort_order", "is_active"]
    search_fields = ["name", "slug"]


register_snippet(ChannelViewSet)


@hooks.register("register_admin_urls")
def register_write_urls():
    return [
        path("news/write/", admin_views.write, name="news_write"),
        path("news/blocks/", admin_views.publish_blocks, name="news_publish_blocks"),
    ]


class WriteMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.user_can_write(request.user)


@hooks.register("register_admin_menu_item")
def register_write_menu_item():
    return WriteMenuItem("写稿", reverse("news_write"), icon_name="edit", order=150)


class BlocksMenuItem(MenuItem):
    def is_shown(self, request):
        from rongmei.core.access import has_role
        from rongmei.core.roles import CHIEF_EDITOR, DIRECTOR, EDITOR, OPERATOR
        return has_role(request.user, EDITOR, CHIEF_EDITOR, DIRECTOR, OPERATOR)


@hooks.register("register_admin_menu_item")
def register_blocks_menu_item():
    return BlocksMenuItem("敏感词拦截记录", reverse("news_publish_blocks"), icon_name="warning",
                          order=152)


@hooks.register("before_publish_page")
def gate_before_publish(request, page):
    """The editor's 发布 button: refuse blocked words with the hits highlighted (the draft
    revision is already saved, so nothing typed is lost)."""
    if not isinstance(page, StoryPage):
        return None
    from .gate import check_page, report_html
    verdict = check_page(page)
    if not verdict.blocked:
        return None
    from .models import PublishBlock
    PublishBlock.objects.create(page_id=page.pk, message=verdict.message, user=request.user)
    messages.error(request, f"稿件已保存为草稿，但含有禁用词，不能发布：{report_html(page)}")
    return redirect("wagtailadmin_pages:edit", page.pk)


def _warn_review_words(request, page):
    if not isinstance(page, StoryPage):
        return
    from .gate import check_page, report_html
    verdict = check_page(page)
    if verdict.review_hits:
        messages.warning(request, f"请核对提示词（不影响发布）：{report_html(page)}")


@hooks.register("after_edit_page")
def warn_after_edit(request, page):
    _warn_review_words(request, page)


@hooks.register("after_create_page")
def warn_after_create(request, page):
    _warn_review_words(request, page)
