"""Staff console screens of the 敏感词库: the list (search, filters, Excel export,
deactivate/reactivate), add and edit, import, and the 检测 screen.

Who sees what is decided in ``access.py``: editors, chief editors and directors see the list;
operators and administrators also change it; every console role may use the checker. The
writes go through ``services`` / ``imports``, which check the role again.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from rongmei.core.errors import ServiceError
from rongmei.core.excel import XLSX

from . import access, imports, selectors, services
from .models import Kind, Level, WordEntry

PAGE_SIZE = 50
CHECK_MAX_CHARS = 50_000


class WordgateScreen(WagtailAdminTemplateMixin, TemplateView):
    """A console screen; ``allowed`` says who may open it."""

    allowed = staticmethod(access.can_view)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise PermissionDenied  # Wagtail turns this into a redirect with a message
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.request.resolver_match.url_name != "index":
            items.append({"url": reverse("wordgate_words:index"), "label": "敏感词库"})
        return items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = access.can_manage(self.request.user)
        context["can_view"] = access.can_view(self.request.user)
        return context


class WordListView(WordgateScreen):
    template_name = "wordgate/admin/index.html"
    page_title = "敏感词库"
    header_icon = "warning"

    def _filters(self) -> dict:
        get = self.request.GET
        return {"q": get.get("q", "").strip()[:64], "level": get.get("level", ""),
                "kind": get.get("kind", ""), "status": get.get("status", "")}

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        filters = self._filters()
        entries = selectors.entries_for_console(**filters)
        query = self.request.GET.copy()
        query.pop("p", None)
        context = super().get_context_data(**kwargs)
        context.update({
            "filters": filters, "levels": Level.choices, "kinds": Kind.choices,
            "statuses": (("active", "启用中"), ("inactive", "已停用")),
            "page": Paginator(entries, PAGE_SIZE).get_page(self.request.GET.get("p")),
            "counts": selectors.dictionary_counts(), "query": query.urlencode(),
        })
        return context

    def export(self) -> HttpResponse:
        data = imports.words_export_xlsx(selectors.entries_for_console(**self._filters()))
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="wordgate-{timezone.localdate():%Y%m%d}.xlsx"')
        return response

    def post(self, request, *args, **kwargs):
        """Deactivate or reactivate one entry (managers)."""
        entry = get_object_or_404(WordEntry, pk=_int(request.POST.get("entry")))
        active = request.POST.get("action") == "activate"
        try:
            services.word_set_active(actor=request.user, entry=entry, active=active)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"“{entry.word}”已{'启用' if active else '停用'}")
        return redirect(request.get_full_path())


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class WordEntryForm(forms.Form):
    word = forms.CharField(label="词语", max_length=64,
                           help_text="匹配时忽略空格、标点、全半角和大小写，“赌 博”也能匹配“赌博”")
    kind = forms.ChoiceField(label="类型", choices=Kind.choices, initial=Kind.SENSITIVE)
    level = forms.ChoiceField(label="级别", choices=Level.choices, initial=Level.BLOCK,
                              help_text="禁用：含有此词的内容不能发布；提醒：提示人工核对")
    suggestion = forms.CharField(label="正确写法", max_length=64, required=False,
                                 help_text="仅错别字填写，例如“按装”的正确写法是“安装”")
    note = forms.CharField(label="备注", max_length=200, required=False)


class WordFormView(WordgateScreen):
    template_name = "wordgate/admin/form.html"
    header_icon = "warning"
    allowed = staticmethod(access.can_manage)
    entry: WordEntry | None = None

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):  # before looking the entry up
            raise PermissionDenied
        if "pk" in kwargs:
            self.entry = get_object_or_404(WordEntry, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"编辑“{self.entry.word}”" if self.entry else "添加词条"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "form" not in kwargs:
            initial = None
            if self.entry:
                initial = {name: getattr(self.entry, name)
                           for name in ("word", "kind", "level", "suggestion", "note")}
            context["form"] = WordEntryForm(initial=initial)
        context["entry"] = self.entry
        return context

    def post(self, request, *args, **kwargs):
        form = WordEntryForm(request.POST)
        if form.is_valid():
            try:
                if self.entry:
                    entry = services.word_update(actor=request.user, entry=self.entry,
                                                 **form.cleaned_data)
                else:
                    entry = services.word_create(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"“{entry.word}”已保存，立即生效")
                return redirect("wordgate_words:index")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ImportForm(forms.Form):
    file = forms.FileField(label="词库文件", help_text="纯文本文件或 Excel 表格（XLSX），不超过 5 MB")


class WordImportView(WordgateScreen):
    template_name = "wordgate/admin/import.html"
    page_title = "导入词库"
    header_icon = "upload"
    allowed = staticmethod(access.can_manage)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportForm())
        context["columns"] = imports.EXCEL_COLUMNS
        return context

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        summary = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > imports.MAX_FILE_BYTES:
                form.add_error("file", "文件不能超过 5 MB")
            else:
                try:
                    summary = imports.words_import(actor=request.user, data=upload.read(),
                                                   filename=upload.name)
                except ServiceError as exc:
                    form.add_error("file", exc.message)
        if summary is not None and summary.ok:
            messages.success(request, summary.message)
            return redirect("wordgate_words:index")
        return self.render_to_response(self.get_context_data(form=form, summary=summary),
                                       status=400)


class CheckView(WordgateScreen):
    """Paste text (or an article's HTML) and see what the gate finds, highlighted."""

    template_name = "wordgate/admin/check.html"
    page_title = "敏感词检测"
    header_icon = "search"
    allowed = staticmethod(access.can_check)

    def post(self, request, *args, **kwargs):
        raw = request.POST.get("text", "")
        is_html = request.POST.get("mode") == "html"
        context = self.get_context_data(text=raw, is_html=is_html)
        if not raw.strip():
            context["error"] = "请粘贴要检测的内容"
            return self.render_to_response(context, status=400)
        if len(raw) > CHECK_MAX_CHARS:
            context["error"] = f"一次最多检测{CHECK_MAX_CHARS // 10000}万字，请分段检测"
            return self.render_to_response(context, status=400)
        text = services.html_visible_text(raw) if is_html else raw
        verdict = services.scan(text)
        context.update({"checked": True, "verdict": verdict,
                        "highlighted": services.highlight_html(text, verdict.hits)})
        return self.render_to_response(context)
