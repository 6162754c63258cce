"""Console screens of the newsroom that are not page editing: 写稿 and the gate's log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from rongmei.core.roles import CHIEF_EDITOR, DIRECTOR, EDITOR, OPERATOR
from rongmei.units.access import has_role

from . import services
from .models import STORY_PAGE_TYPES, PublishBlock, SectionPage

KINDS = [(name.split(".")[1].lower(), name) for name in STORY_PAGE_TYPES]


def writable_sections(user) -> list[SectionPage]:
    """Sections where ``user`` may add stories (cached on the user for the request)."""
    cached = getattr(user, "_news_writable", None)
    if cached is None:
        # "add" on the section: stories go into its archive folders, which inherit the right.
        # A superuser's tester has no ``permissions`` set: Wagtail grants them everything.
        cached = [
            section for section in SectionPage.objects.select_related("unit").order_by("path")
            if user.is_active and (user.is_superuser
                                   or "add" in section.permissions_for_user(user).permissions)]
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
    own, others = _own_first(request.user, sections)
    query = (request.GET.get("q") or "").strip()
    if query:
        own, others = _matching(own, query), _matching(others, query)
    return TemplateResponse(request, "news/admin/write.html", {
        "own": own, "others": others, "kinds": kinds, "query": query,
        "total": len(sections), "page_title": "写稿", "header_title": "写稿",
    })


def _own_first(user, sections):
    """The writer's own units' sections (where they are a member), then the rest."""
    from rongmei.core.roles import ROLES
    from rongmei.units.access import unit_scope_paths

    paths = unit_scope_paths(user, *(role.code for role in ROLES if role.unit_scoped))
    own = [s for s in sections if s.unit and any(s.unit.path.startswith(p) for p in paths)]
    others = [s for s in sections if s not in own]
    return own, others


def _matching(sections, query: str):
    return [s for s in sections if query in s.title or (s.unit and (
        query in s.unit.name or query in s.unit.short_name or query.upper() in s.unit.code))]


def publish_blocks(request):
    if not has_role(request.user, EDITOR, CHIEF_EDITOR, DIRECTOR, OPERATOR):
        raise PermissionDenied
    blocks = PublishBlock.objects.select_related("page", "user")[:200]
    return TemplateResponse(request, "news/admin/publish_blocks.html", {
        "blocks": blocks, "page_title": "敏感词拦截记录", "header_title": "敏感词拦截记录",
    })


def search_dictionary(request):
    """搜索词典: the county words and synonyms operators add, and the queries that found
    nothing (most recent first)."""
    from rongmei.core.errors import ServiceError

    from . import search_terms
    from .models import SearchSynonym, SearchWord

    if not search_terms.can_manage(request.user):
        raise PermissionDenied
    error = None
    if request.method == "POST":
        action, data = request.POST.get("action"), request.POST
        try:
            if action == "add_word":
                search_terms.word_add(actor=request.user, word=data.get("word", ""),
                                      note=data.get("note", ""))
            elif action == "delete_word":
                search_terms.word_delete(actor=request.user, pk=int(data.get("pk", 0)))
            elif action == "add_synonym":
                search_terms.synonym_add(actor=request.user, words=data.get("words", ""))
            elif action == "delete_synonym":
                search_terms.synonym_delete(actor=request.user, pk=int(data.get("pk", 0)))
            return redirect("news_search_dictionary")
        except (ServiceError, ValueError) as exc:
            error = getattr(exc, "message", "参数无效")
    return TemplateResponse(request, "news/admin/search_dictionary.html", {
        "words": SearchWord.objects.all(), "synonyms": SearchSynonym.objects.all(),
        "misses": search_terms.misses(actor=request.user), "error": error,
        "page_title": "搜索词典", "header_title": "搜索词典",
    }, status=400 if error else 200)
