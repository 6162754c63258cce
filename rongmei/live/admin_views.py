"""The staff console's 直播 screens: the rooms, a room's form, and its control screen
(state, stream key, moderation, announcements, goods, draws, simulcast, live blog).

Shown to editors, chief editors, directors, operators, unit admins (their units' rooms) and
reporters (live-blog entries). Every write goes through ``services``, which checks access
again (``live.access``) and writes the room's log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.images import get_image_model
from wagtail.images.widgets import AdminImageChooser

from rongmei.core.errors import ServiceError
from rongmei.core.roles import UNIT_ADMIN
from rongmei.units.access import has_role, unit_scope

from . import access, selectors
from .models import CommentMode, CommentStatus, ReviewStatus, RoomKind
from .services import comments, extras, replay, rooms


class RoomForm(forms.Form):
    title = forms.CharField(label="直播标题", max_length=60)
    kind = forms.ChoiceField(label="类型", choices=RoomKind.choices, initial=RoomKind.VIDEO)
    starts_at = forms.DateTimeField(label="计划开播时间", widget=AdminDateTimeInput)
    intro = forms.CharField(label="简介", max_length=500, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    cover = forms.ModelChoiceField(label="封面图", queryset=get_image_model().objects.all(),
                                   required=False, widget=AdminImageChooser)
    unit = forms.ModelChoiceField(label="所属单位", queryset=None, required=False,
                                  help_text="分端直播选择本单位，须经中心审核；中心直播留空")
    comment_mode = forms.ChoiceField(label="评论方式", choices=CommentMode.choices,
                                     initial=CommentMode.PRE)
    require_realname = forms.BooleanField(label="实名后才能评论", required=False)
    replay_publish = forms.BooleanField(label="自动发布回放", required=False, initial=True)

    def __init__(self, *args, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_scope(user, UNIT_ADMIN)
        if editing:
            del self.fields["kind"], self.fields["unit"]


class LiveScreen(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "media"

    def dispatch(self, request, *args, **kwargs):
        if not has_role(request.user, *access.BLOG_ROLES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [
            {"url": reverse("live_rooms:index"), "label": "直播"},
            {"url": "", "label": self.get_page_title()}]


class RoomListView(LiveScreen):
    template_name = "live/admin/rooms.html"
    page_title = "直播间"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["rooms"] = access.rooms_for(user, blog=True).select_related("unit")[:200]
        context["may_create"] = access.may_run_rooms(user)
        return context


class RoomFormView(LiveScreen):
    # The cover uses Wagtail's image chooser, which starts with an inline script: this
    # screen keeps the console's Wagtail policy (core.middleware._own_view).
    csp_inline_scripts = True
    template_name = "live/admin/room_form.html"

    def get_page_title(self):
        return "编辑直播间" if self.kwargs.get("room_id") else "新建直播间"

    def _room(self):
        room_id = self.kwargs.get("room_id")
        return access.access_room(self.request.user, room_id) if room_id else None

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        room = self._room()
        if form is None:
            initial = {}
            if room is not None:
                initial = {name: getattr(room, name) for name in (
                    "title", "starts_at", "intro", "cover", "comment_mode",
                    "require_realname", "replay_publish")}
            form = RoomForm(user=self.request.user, editing=room is not None, initial=initial)
        context.update({"form": form, "room": room, "media": form.media})
        return context

    def post(self, request, *args, **kwargs):
        try:
            room = self._room()
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("live_rooms:index")
        form = RoomForm(request.POST, user=request.user, editing=room is not None)
        if form.is_valid():
            data = form.cleaned_data
            common = dict(title=data["title"], starts_at=data["starts_at"], intro=data["intro"],
                          cover=data["cover"], comment_mode=data["comment_mode"],
                          require_realname=data["require_realname"],
                          replay_publish=data["replay_publish"])
            try:
                if room is None:
                    room = rooms.room_create(actor=request.user, kind=data["kind"],
                                             unit=data["unit"], **common)
                    messages.success(request, "直播间已创建" if room.is_public
                                     else "直播间已创建，等待中心审核")
                else:
                    rooms.room_update(actor=request.user, room_id=room.pk, **common)
                    messages.success(request, "已保存")
                return redirect("live_rooms:control", room_id=room.pk)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return self.render_to_response(self.get_context_data(form=form))


def _int(value):
    value = str(value or "")
    return int(value) if value.isdecimal() else None


class RoomControlView(LiveScreen):
    """导播台: everything about one room on one screen."""

    template_name = "live/admin/control.html"

    def get_page_title(self):
        return "直播控制台"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        room = access.access_room(user, self.kwargs["room_id"], blog=True)
        runs = access.may_run_rooms(user) and (
            access.is_center(user) or access.rooms_for(user).filter(pk=room.pk).exists())
        server, key = rooms.publish_target(room) if runs and room.is_video else ("", "")
        context.update({
            "room": room, "runs": runs, "server": server, "key": key,
            "show_key": self.request.GET.get("key") == "1",
            "is_reviewer": has_role(user, *access.REVIEWERS),
            "pending": selectors.moderation_queue(room) if runs else [],
            "recent": selectors.moderation_queue(room, status=CommentStatus.APPROVED,
                                                 limit=50) if runs else [],
            "mutes": room.mutes.select_related("user") if runs else [],
            "notices": room.notices.all()[:10],
            "products": room.products.all(),
            "draws": selectors.draws(room),
            "targets": room.push_targets.all() if runs else [],
            "posts": selectors.live_posts(room),
            "figures": selectors.room_figures(room),
            "events": room.ingest_events.all()[:20] if runs else [],
            "log": room.moderation_log.select_related("actor")[:30],
            "review_pending": room.review_status == ReviewStatus.PENDING,
        })
        return context

    ACTIONS = {
        "start": lambda u, r, p: rooms.room_start(actor=u, room_id=r),
        "end": lambda u, r, p: rooms.room_end(actor=u, room_id=r),
        "rotate_key": lambda u, r, p: rooms.key_rotate(actor=u, room_id=r),
        "approve_room": lambda u, r, p: rooms.room_review(actor=u, room_id=r, approve=True,
                                                          note=p.get("note", "")),
        "reject_room": lambda u, r, p: rooms.room_review(actor=u, room_id=r, approve=False,
                                                         note=p.get("note", "")),
        "approve": lambda u, r, p: comments.comment_moderate(
            actor=u, room_id=r, comment_ids=p.getlist("comments"), decision="approve"),
        "remove": lambda u, r, p: comments.comment_moderate(
            actor=u, room_id=r, comment_ids=p.getlist("comments"), decision="remove"),
        "mute": lambda u, r, p: comments.mute(actor=u, room_id=r, user_id=_int(p.get("user")),
                                              reason=p.get("reason", "")),
        "unmute": lambda u, r, p: comments.unmute(actor=u, room_id=r, user_id=_int(p.get("user"))),
        "close_comments": lambda u, r, p: comments.comments_switch(actor=u, room_id=r, closed=True),
        "open_comments": lambda u, r, p: comments.comments_switch(actor=u, room_id=r,
                                                                  closed=False),
        "mode": lambda u, r, p: comments.comments_switch(
            actor=u, room_id=r, closed=p.get("closed") == "1", mode=p.get("mode")),
        "notice": lambda u, r, p: comments.notice_post(actor=u, room_id=r, body=p.get("body", ""),
                                                       pinned=p.get("pinned") == "1"),
        "product_add": lambda u, r, p: extras.product_add(
            actor=u, room_id=r, title=p.get("title", ""), url=p.get("url", ""),
            price_text=p.get("price_text", ""), image_url=p.get("image_url", "")),
        "product_present": lambda u, r, p: extras.product_present(
            actor=u, room_id=r, product_id=_int(p.get("product"))),
        "product_remove": lambda u, r, p: extras.product_remove(
            actor=u, room_id=r, product_id=_int(p.get("product"))),
        "draw_create": lambda u, r, p: extras.draw_create(
            actor=u, room_id=r, prize=p.get("prize", ""),
            winners_count=_int(p.get("winners_count")) or 0),
        "draw_run": lambda u, r, p: extras.draw_run(actor=u, room_id=r,
                                                    draw_id=_int(p.get("draw"))),
        "target_add": lambda u, r, p: extras.push_target_add(
            actor=u, room_id=r, name=p.get("name", ""), url=p.get("url", "")),
        "target_enable": lambda u, r, p: extras.push_target_set(
            actor=u, room_id=r, target_id=_int(p.get("target")), enabled=True),
        "target_disable": lambda u, r, p: extras.push_target_set(
            actor=u, room_id=r, target_id=_int(p.get("target")), enabled=False),
        "target_delete": lambda u, r, p: extras.push_target_set(
            actor=u, room_id=r, target_id=_int(p.get("target")), delete=True),
        "post": lambda u, r, p: extras.post_create(actor=u, room_id=r, body=p.get("body", ""),
                                                   image=_image(p.get("image")),
                                                   pinned=p.get("pinned") == "1"),
        "post_pin": lambda u, r, p: extras.post_update(actor=u, room_id=r,
                                                       post_id=_int(p.get("post")), pinned=True),
        "post_unpin": lambda u, r, p: extras.post_update(actor=u, room_id=r,
                                                         post_id=_int(p.get("post")),
                                                         pinned=False),
        "post_remove": lambda u, r, p: extras.post_update(actor=u, room_id=r,
                                                          post_id=_int(p.get("post")),
                                                          removed=True),
        "replay_retry": lambda u, r, p: replay.replay_retry(actor=u, room_id=r),
    }
    DONE = {"rotate_key": "推流密钥已更换，请在推流软件中使用新密钥", "approve_room": "已通过审核",
            "reject_room": "已退回", "start": "直播已开始", "end": "直播已结束",
            "mute": "已禁言", "unmute": "已解除禁言", "notice": "公告已发出",
            "draw_create": "抽奖已发起，承诺值已公布", "draw_run": "已开奖，结果已在直播间公布",
            "replay_retry": "已重新生成回放"}

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        handler = self.ACTIONS.get(action)
        room_id = self.kwargs["room_id"]
        try:
            if handler is None:
                access.access_room(request.user, room_id, blog=True)
                raise ServiceError("invalid_action", "未知的操作")
            result = handler(request.user, room_id, request.POST)
            done = self.DONE.get(action)
            if done is None and isinstance(result, list):
                done = f"已处理{len(result)}条"
            messages.success(request, done or "已保存")
        except ServiceError as exc:
            messages.error(request, exc.message)
        anchor = request.POST.get("anchor", "")
        return redirect(reverse("live_rooms:control", args=[room_id])
                        + (f"#{anchor}" if anchor.isidentifier() else ""))


def _image(value):
    image_id = _int(value)
    return get_image_model().objects.filter(pk=image_id).first() if image_id else None
