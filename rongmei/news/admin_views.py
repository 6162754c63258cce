"""Console screens of the newsroom that are not page editing: 写稿 and the gate's log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from rongmei.core.access import has_role
from rongmei.core.roles import CHIEF_EDITOR, DIRECTOR, EDITOR, OPERATOR

from . import services
from .models import STORY_PAGE_TYPES, PublishBlock, SectionPage

KINDS = [(name.split(".")[1].lower(), name) for name in STORY_PAGE_TYPES]


def writable_sections(user) -> list[SectionPage]:
    """Sections where ``user`` may add stories (cached on the user for the request)."""
    cached = getattr(user, "_news_writable", None)
    if cached is None:
        # "add" on the section: stories go into its archive folders, which inherit the right.
        cached = [section for section in SectionPage.objects.select_related("unit").order_by(
            "path") if user.is_active and "add" in section.permissions_for_user(user).permissions]
        user._news_writable = cached
    return cached


def user_can_write(user) -> bool:
    return user.is_authenticated and bool(writable_sections(user))


def write(request):
    """Pick a section and a kind; the story goes into this month's folder of that section."""
    sections = writable_sections(request.user)
    if not sections:
        raise PermissionDenied
    section_id, kind = request.GET.get("section"), request.GET.get("kind")
    if section_id and kind:
        section = next((s for s in sections if str(s.pk) == section_id), None)
        model = dict(KINDS).get(kind)
        if section is None or model is None:
            raise Http404("没有这个分端或稿件类型")
        folder = services.archive_for(section)
        app_label, model_name = model.lower().split(".")
        return redirect(reverse("wagtailadmin_pages:add", args=[app_label, model_name,
                                                                folder.pk]))
    from django.apps import apps
    kinds = [(code, apps.get_model(model)._meta.verbose_name) for code, model in KINDS]
    return TemplateResponse(request, "news/admin/write.html", {
        "sections": sections, "kinds": kinds, "header_title": "写稿",
    })


def publish_blocks(request):
    if not has_role(request.user, EDITOR, CHIEF_EDITOR, DIRECTOR, OPERATOR):
        raise PermissionDenied
    blocks = PublishBlock.objects.select_related("page", "user")[:200]
    return TemplateResponse(request, "news/admin/publish_blocks.html", {
        "blocks": blocks, "header_title": "敏感词拦截记录",
    })
