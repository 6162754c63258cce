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
from .models import Channel, StoryPage, TopicPage


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
        path("news/search-dictionary/", admin_views.search_dictionary,
             name="news_search_dictionary"),
    ]


class WriteMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.user_can_write(request.user)


@hooks.register("register_admin_menu_item")
def register_write_menu_item():
    return WriteMenuItem("写稿", reverse("news_write"), icon_name="edit", order=150)


class BlocksMenuItem(MenuItem):
    def is_shown(self, request):
        from rongmei.core.roles import CHIEF_EDITOR, DIRECTOR, EDITOR, OPERATOR
        from rongmei.units.access import has_role
        return has_role(request.user, EDITOR, CHIEF_EDITOR, DIRECTOR, OPERATOR)


@hooks.register("register_admin_menu_item")
def register_blocks_menu_item():
    return BlocksMenuItem("敏感词拦截记录", reverse("news_publish_blocks"), icon_name="warning",
                          order=152)


class SearchDictionaryMenuItem(MenuItem):
    def is_shown(self, request):
        from .search_terms import can_manage
        return can_manage(request.user)


@hooks.register("register_admin_menu_item")
def register_search_dictionary_menu_item():
    return SearchDictionaryMenuItem("搜索词典", reverse("news_search_dictionary"),
                                    icon_name="search", order=153)


@hooks.register("before_publish_page")
def gate_before_publish(request, page):
    """The editor's 发布 button: refuse blocked words with the hits highlighted (the draft
    revision is already saved, so nothing typed is lost)."""
    if not hasattr(page, "gate_fields"):
        return None
    from .gate import check_page, report_html
    verdict = check_page(page)
    if verdict.blocked:
        from .models import PublishBlock
        if isinstance(page, (StoryPage, TopicPage)):
            PublishBlock.objects.create(page_id=page.pk, message=verdict.message,
                                        user=request.user)
        messages.error(request, f"已保存为草稿，但含有禁用词，不能发布：{report_html(page)}")
        return redirect("wagtailadmin_pages:edit", page.pk)
    if not isinstance(page, (StoryPage, TopicPage)):
        return None
    waiting = page.media_pending() if isinstance(page, StoryPage) else ""
    if waiting:
        messages.error(request, f"稿件已保存为草稿，未发布：{waiting}")
        return redirect("wagtailadmin_pages:edit", page.pk)
    # Publishing from the editor skips 三审: a 紧急发布, with its reason in the trail.
    from .review import record_urgent_publish, urgent_refusal
    reason = request.POST.get("urgent_reason", "")
    refusal = urgent_refusal(page, request.user, reason)
    if refusal:
        messages.error(request, f"稿件已保存为草稿，未发布：{refusal}")
        return redirect("wagtailadmin_pages:edit", page.pk)
    record_urgent_publish(page, page.get_latest_revision(), request.user, reason)
    return None


@hooks.register("register_log_actions")
def register_urgent_publish_log(actions):
    from wagtail.log_actions import LogFormatter

    from .review import URGENT_LOG_ACTION

    @actions.register_action(URGENT_LOG_ACTION)
    class UrgentPublishFormatter(LogFormatter):
        label = "紧急发布"
        message = "紧急发布（跳过三审）"

        def format_comment(self, log_entry):
            return (log_entry.data or {}).get("reason", "")


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


@hooks.register("construct_homepage_panels")
def add_work_panel(request, panels):
    from . import dashboard

    dashboard.add_panel(request, panels)


@hooks.register("rongmei_analytics_measures")
def analytics_measures(start, end):
    """数据: stories published per channel, per 分端 (section) and per reporter (plain dicts;
    the analytics module imports nothing from here)."""
    from django.db.models import Count

    from .models import FeedEntry

    live = FeedEntry.objects.filter(published_at__date__range=(start, end))

    def table(code, title, first, rows):
        return {"code": code, "title": title, "group": "内容", "columns": [first, "发稿量"],
                "rows": [[label or "（未填写）", n] for label, n in rows]}

    return [
        {"code": "stories_published", "label": "发稿量", "value": live.count(), "unit": "篇",
         "group": "内容"},
        table("news_by_channel", "各栏目发稿量", "栏目",
              live.values_list("channel__name").annotate(n=Count("pk")).order_by("-n")),
        table("news_by_section", "各分端发稿量", "分端",
              live.values_list("section__title").annotate(n=Count("pk")).order_by("-n")),
        table("news_by_reporter", "记者发稿量（前30）", "记者",
              live.values_list("page__reporter").annotate(n=Count("pk")).order_by("-n")[:30]),
    ]


@hooks.register("before_copy_page")
def copies_are_drafts(request, page):
    """A copy is a new story: it goes through 三审 and the word gate like any other, so
    Wagtail's “publish copies” (which makes the copy live without calling publish) is refused."""
    if request.method == "POST" and request.POST.get("publish_copies"):
        messages.error(request, "复制出的稿件须重新经过三审后发布：请取消勾选“发布副本”再复制")
        return redirect("wagtailadmin_pages:copy", page.pk)
    # An alias of a live page is live at once, in whichever 分端 it lands (adversarial
    # review: an alias put a story into a deactivated unit's section with no review).
    if request.method == "POST" and request.POST.get("alias"):
        messages.error(request, "不能创建别名：请复制后送三审，由审核人决定在哪个分端发布")
        return redirect("wagtailadmin_pages:copy", page.pk)
    return None


@hooks.register("before_move_page")
def sections_stay_where_they_are(request, page, destination):
    """A section belongs under 新闻, tied to its unit: nobody moves it by hand."""
    from .models import SectionPage
    if isinstance(page.specific, SectionPage):
        messages.error(request, "分端由系统按单位管理，不能移动")
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_serve_page")
def serve_feed_pages(page, request, serve_args, serve_kwargs):
    """新闻 and each 分端 page are the feed of their stories (the view reads the flat copy).

    These hooks run before Wagtail checks 隐私 (its ``on_serve_page`` chain), so a restricted
    section a visitor may not read is left to that chain: the login or password page."""
    from django.utils.cache import add_never_cache_headers

    from .models import NewsIndexPage, SectionPage
    from .views import feed_page
    if not isinstance(page, (NewsIndexPage, SectionPage)):
        return None
    restrictions = list(page.get_view_restrictions())
    if any(not restriction.accept_request(request) for restriction in restrictions):
        return None
    response = (feed_page(request, index_page=page) if isinstance(page, NewsIndexPage)
                else feed_page(request, section=page))
    if restrictions:
        add_never_cache_headers(response)  # as Wagtail does for any restricted page
    return response
