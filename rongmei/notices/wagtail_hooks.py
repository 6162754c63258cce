"""Notices in the staff console: 待办与消息 for everyone, a homepage panel with what is
waiting, and the SMS delivery record (settings menu) for operators."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin.ui.components import Component

from rongmei.core.roles import OPERATOR
from rongmei.units.access import has_role

from . import selectors
from .admin_views import InboxViewSet, SmsViewSet


@hooks.register("register_admin_viewset")
def register_inbox():
    return InboxViewSet("notices_inbox")


@hooks.register("register_admin_viewset")
def register_sms():
    return SmsViewSet("notices_sms")


class InboxPanel(Component):
    """我的待办 on the console's home page (and, for operators, failed SMS)."""

    name = "rongmei_notices"
    order = 40

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None):
        user = self.request.user
        counts = selectors.counts(user=user)
        todos = list(selectors.inbox(user=user, box="todo")[:5])
        failed = selectors.sms_failure_count() if has_role(user, OPERATOR) else 0
        if not (counts["total"] or failed):
            return ""
        items = format_html_join("", '<li><a href="{}">{}</a> <span class="help">{}</span></li>',
                                 ((reverse("notices:open", args=[n.pk]), n.title, n.body[:60])
                                  for n in todos))
        warning = format_html(
            '<p class="help-block help-warning" role="alert">有{}条短信发送失败，<a href="{}">'
            '查看并重发</a></p>', failed, reverse("notices_sms:index")) if failed else ""
        return format_html(
            '<section class="panel rm-notices-panel" aria-labelledby="rm-notices-title">'
            '<h2 id="rm-notices-title" class="w-panel__heading">我的待办（{}）· 未读消息 {}</h2>'
            '{}<ul>{}</ul><p><a href="{}">全部待办与消息</a></p></section>',
            counts["todo"], counts["message"], warning, items, reverse("notices_inbox:index"))


@hooks.register("construct_homepage_panels")
def add_inbox_panel(request, panels):
    panels.append(InboxPanel(request))


@hooks.register("rongmei_me_cells")
def me_cells(request):
    """我的 → 消息, with what is waiting."""
    from rongmei.accounts.me import MeCell

    counts = selectors.counts(user=request.user)
    parts = ([f"待办 {counts['todo']}"] if counts["todo"] else []) + (
        [f"{counts['message']}条未读"] if counts["message"] else [])
    return [MeCell("消息", reverse("notices:inbox"), " · ".join(parts) or "待办、通知",
                   order=5, testid="me-notices")]
