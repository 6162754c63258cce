"""The newsroom's 问政 console screens (Chinese): triage, dispatch, returns and extensions,
review of replies and public progress notes, 舆情内参/转办告知单 with printable PDFs, case
lookup (with redaction and withdrawal), and the measures dashboard with Excel export; the
举报 queue and the 节假日安排 are in ``admin_moderation`` and ``admin_calendar``. Every
write goes through ``services``, which check the role and unit again; these views only
decide who sees the screen."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from rongmei.core.console import RoleScreen, RoleScreenViewSet
from rongmei.core.errors import ServiceError
from rongmei.core.excel import XLSX
from rongmei.core.roles import DIRECTOR, PROPAGANDA, WENZHENG_HANDLER
from rongmei.units.access import has_role
from rongmei.units.models import Unit, UnitKind

from . import documents, measures, selectors, services
from .models import (
    Briefing,
    Case,
    CaseCategory,
    CaseReply,
    CaseState,
    DocumentStatus,
    Priority,
    ProgressNote,
    ReplyStatus,
    RequestStatus,
    ReviewStatus,
    Track,
    TransferNotice,
    UnitRequest,
)

NEWSROOM = (WENZHENG_HANDLER, DIRECTOR)


class ScreenViewSet(RoleScreenViewSet):
    """One 问政 console screen; the newsroom's unless ``roles`` says otherwise."""

    roles = NEWSROOM


class Screen(RoleScreen, WagtailAdminTemplateMixin, TemplateView):
    roles = NEWSROOM

    def act(self, request, run, done: str):
        try:
            result = run()
        except ServiceError as exc:
            messages.error(request, exc.message)
        except (TypeError, ValueError):
            messages.error(request, "请求无效")
        else:
            messages.success(request, done.format(result=result) if "{" in done else done)
        return redirect(request.get_full_path())


def _units():
    return Unit.objects.filter(is_active=True).exclude(kind=UnitKind.COUNTY)


class TriageView(Screen):
    template_name = "wenzheng/admin/triage.html"
    page_title = "问政分拣"
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cases = (Case.objects.filter(state__in=[CaseState.SUBMITTED, CaseState.NEEDS_INFO])
                 .select_related("category", "area", "user__realname")
                 .prefetch_related("attachments").order_by("created_at"))
        page = Paginator(cases, 20).get_page(self.request.GET.get("p"))
        for case in page.object_list:  # what the board would show, masked
            case.preview_title = selectors.public_text(case, case.title)
            case.preview_description = selectors.public_text(case, case.description)
        context.update({"page": page,
                        "tracks": Track.choices, "priorities": Priority.choices,
                        "categories": CaseCategory.objects.filter(is_active=True),
                        "units": _units()})
        return context

    def post(self, request, *args, **kwargs):
        data, user = request.POST, request.user
        case_id = data.get("case")
        action = data.get("action")
        if action == "accept":
            return self.act(request, lambda: services.case_accept(
                actor=user, case_id=case_id, track=data.get("track"),
                priority=data.get("priority", Priority.NORMAL),
                category_id=data.get("category") or None,
                subject_unit_id=data.get("subject_unit") or None,
                public=data.get("public") == "1", note=data.get("note", ""),
                public_title=data.get("public_title"),
                public_description=data.get("public_description")), "已受理")
        if action == "reject":
            return self.act(request, lambda: services.case_reject(
                actor=user, case_id=case_id, reason=data.get("reason", ""),
                referral=data.get("referral", "")), "已不予受理并告知群众")
        if action == "info":
            return self.act(request, lambda: services.case_request_info(
                actor=user, case_id=case_id, question=data.get("question", "")),
                "已请群众补充信息")
        if action == "merge":
            into = Case.objects.filter(receipt_no=data.get("into", "").strip().upper()).first()
            return self.act(request, lambda: services.case_merge(
                actor=user, case_id=case_id, into_id=into.pk if into else 0), "已合并")
        messages.error(request, "操作无效")
        return redirect(request.get_full_path())


class DispatchView(Screen):
    template_name = "wenzheng/admin/dispatch.html"
    page_title = "问政转办"
    header_icon = "redirect"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({
            "cases": Case.objects.filter(state=CaseState.ACCEPTED)
            .select_related("category", "area").order_by("accepted_at")[:100],
            "units": _units(),
            "areas": Unit.objects.filter(is_active=True,
                                         kind__in=[UnitKind.COMMUNITY, UnitKind.TOWNSHIP]),
            "requests": UnitRequest.objects.filter(status=RequestStatus.PENDING)
            .select_related("assignment__case", "assignment__unit", "requested_by")[:100],
        })
        return context

    def post(self, request, *args, **kwargs):
        data, user = request.POST, request.user
        action = data.get("action")
        if action == "unit":
            return self.act(request, lambda: services.dispatch_to_unit(
                actor=user, case_id=data.get("case"), unit_id=data.get("unit"),
                contact_note=data.get("contact_note", "")), "已转责任单位")
        if action == "grid":
            return self.act(request, lambda: services.dispatch_to_grid(
                actor=user, case_id=data.get("case"), area_id=data.get("area") or None),
                "已转网格三长")
        if action == "redispatch":
            return self.act(request, lambda: services.redispatch(
                actor=user, case_id=data.get("case"), unit_id=data.get("unit"),
                role=data.get("role", "lead")), "已重新转办")
        if action == "decide":
            return self.act(request, lambda: services.request_decide(
                actor=user, request_id=data.get("request"),
                approve=data.get("decision") == "approve", note=data.get("note", "")),
                "已审核")
        messages.error(request, "操作无效")
        return redirect(request.get_full_path())


class RepliesView(Screen):
    """先审后发: every text a unit wants public — replies and progress notes."""

    template_name = "wenzheng/admin/replies.html"
    page_title = "答复与进展审核"
    header_icon = "doc-full"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["replies"] = (CaseReply.objects.filter(status=ReplyStatus.PENDING)
                              .select_related("case", "assignment__unit", "author")
                              .order_by("created_at")[:100])
        context["notes"] = (ProgressNote.objects.filter(status=ReviewStatus.PENDING)
                            .select_related("case", "assignment__unit", "author")
                            .order_by("created_at")[:100])
        # What will be public once approved: the text through the one masking function.
        for item in [*context["replies"], *context["notes"]]:
            item.public_preview = selectors.public_text(item.case, item.text)
        return context

    def post(self, request, *args, **kwargs):
        data = request.POST
        approve = data.get("decision") == "approve"
        if data.get("progress"):
            return self.act(request, lambda: services.progress_review(
                actor=request.user, note_id=data.get("progress"), approve=approve,
                text=data.get("text") if approve else None, note=data.get("note", "")),
                "进展已公开" if approve else "已决定不公开")
        return self.act(request, lambda: services.reply_review(
            actor=request.user, reply_id=data.get("reply"), approve=approve,
            text=data.get("text") if approve else None, note=data.get("note", "")),
            "答复已公开" if approve else "已退回重办")


class BriefingsView(Screen):
    template_name = "wenzheng/admin/briefings.html"
    page_title = "舆情内参与转办告知单"
    header_icon = "doc-full-inverse"
    roles = NEWSROOM + (PROPAGANDA,)

    def get(self, request, *args, **kwargs):
        kind, pk = request.GET.get("pdf"), request.GET.get("id", "")
        if kind in ("briefing", "notice") and pk.isdecimal():
            return self.pdf(kind, int(pk))
        return super().get(request, *args, **kwargs)

    def pdf(self, kind: str, pk: int) -> HttpResponse:
        model = Briefing if kind == "briefing" else TransferNotice
        document = model.objects.select_related("case").filter(pk=pk).first()
        if document is None:
            raise Http404
        try:
            data = (documents.briefing_pdf(viewer=self.request.user, briefing=document)
                    if kind == "briefing" else
                    documents.notice_pdf(viewer=self.request.user, notice=document))
        except ServiceError:
            raise PermissionDenied from None
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{kind}-{document.year}-{document.seq}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({
            "to_draft": Case.objects.filter(state=CaseState.ACCEPTED, track=Track.COMPLEX,
                                            briefing__isnull=True).order_by("accepted_at")[:50],
            "briefings": Briefing.objects.select_related("case", "drafted_by", "reviewed_by")
            .prefetch_related("notice")[:100],
            "units": _units(), "is_newsroom": has_role(self.request.user, *NEWSROOM),
            "is_propaganda": has_role(self.request.user, PROPAGANDA),
            "statuses": dict(DocumentStatus.choices),
            "default_due": "",
        })
        return context

    def post(self, request, *args, **kwargs):
        data, user = request.POST, request.user
        action = data.get("action")
        bid = data.get("briefing")
        runs = {
            "draft": (lambda: services.briefing_draft(
                actor=user, case_id=data.get("case"), title=data.get("title", ""),
                body=data.get("body", "")), "内参草稿已保存"),
            "send": (lambda: services.briefing_send_for_review(actor=user, briefing_id=bid),
                     "已提交审核"),
            "approve": (lambda: services.briefing_review(actor=user, briefing_id=bid,
                                                         approve=True,
                                                         note=data.get("note", "")), "审核通过"),
            "reject": (lambda: services.briefing_review(actor=user, briefing_id=bid,
                                                        approve=False,
                                                        note=data.get("note", "")), "已退回修改"),
            "submit": (lambda: services.briefing_submit(actor=user, briefing_id=bid),
                       "已报送宣传部"),
            "issue": (lambda: services.notice_issue(
                actor=user, briefing_id=bid, lead_unit_id=data.get("lead_unit"),
                assisting_unit_ids=data.getlist("assisting_units"),
                copied_to=[n for n in data.get("copied_to", "").replace("，", ",").split(",")],
                requirements=data.get("requirements", ""),
                due_date=data.get("due_date") or None), "转办告知单已下发"),
            "instruction": (lambda: services.instruction_record(
                actor=user, case_id=data.get("case"), leader=data.get("leader", ""),
                text=data.get("text", "")), "批示已录入"),
        }
        if action not in runs:
            messages.error(request, "操作无效")
            return redirect(request.get_full_path())
        return self.act(request, *runs[action])


class CasesView(Screen):
    template_name = "wenzheng/admin/cases.html"
    page_title = "问政查询"
    header_icon = "search"
    roles = NEWSROOM + (PROPAGANDA,)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:40]
        state = self.request.GET.get("state", "")
        state = state if state in CaseState.values else ""
        cases = selectors.staff_cases(state=state or None, query=query)
        if not has_role(self.request.user, *NEWSROOM):
            cases = cases.filter(track=Track.COMPLEX)
        context.update({"q": query, "state": state, "states": CaseState.choices,
                        "page": Paginator(cases, 30).get_page(self.request.GET.get("p"))})
        case_id = self.request.GET.get("case", "")
        if case_id.isdecimal():
            try:
                case = services.common.staff_case(self.request.user, case_id)
            except ServiceError:
                raise Http404 from None
            context["case"] = case
            context["events"] = case.events.select_related("actor", "unit")
            context["deadlines"] = case.deadlines.select_related("assignment__unit")
            context["assignments"] = case.assignments.select_related("unit")
            context["public"] = selectors.public_case_dict(case)
            context["can_moderate"] = has_role(self.request.user, *NEWSROOM)
            context["reports"] = case.abuse_reports.select_related("handled_by")
        return context

    def post(self, request, *args, **kwargs):
        data, user = request.POST, request.user
        action = data.get("action")
        moderation = {
            "redact": (lambda: services.case_redact(
                actor=user, case_id=data.get("case"), title=data.get("public_title"),
                description=data.get("public_description"),
                reply=data.get("public_reply") or None, reason=data.get("reason", "")),
                "公开内容已修改"),
            "withdraw": (lambda: services.case_withdraw(
                actor=user, case_id=data.get("case"), reason=data.get("reason", "")),
                "已从问政广场撤下"),
            "withdraw_entry": (lambda: services.entry_withdraw(
                actor=user, event_id=data.get("event"), reason=data.get("reason", "")),
                "该条公开记录已撤下"),
        }
        if action in moderation:
            return self.act(request, *moderation[action])
        try:
            contact = services.contact_view(viewer=request.user, case_id=request.POST.get("case"),
                                            reveal=request.POST.get("reveal") == "1",
                                            reason=request.POST.get("reason", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(request.get_full_path())
        context = self.get_context_data()
        context["contact"] = contact
        return self.render_to_response(context)


def _cell(key: str, value) -> str:
    if value is None:
        return "—"
    if key.endswith("_rate") or key == "rated_share":
        return f"{value * 100:.1f}%"
    return str(value)


class DashboardView(Screen):
    template_name = "wenzheng/admin/dashboard.html"
    page_title = "问政统计"
    header_icon = "table"
    roles = NEWSROOM + (PROPAGANDA,)

    def _group(self) -> str:
        group = self.request.GET.get("by", "unit")
        return group if group in measures.GROUPS else "unit"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            data = measures.measures_workbook(group_by=self._group())
            response = HttpResponse(data, content_type=XLSX)
            response["Content-Disposition"] = (
                f'attachment; filename="wenzheng-{self._group()}-{timezone.localdate():%Y%m%d}.xlsx"')
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self._group()
        rows = measures.case_measures(group_by=group)
        chart_rows = [r for r in rows if r["ranked"]] if group == "unit" else rows
        context.update({
            "by": group, "by_label": measures.GROUPS[group], "groups": measures.GROUPS.items(),
            "table": [(r, [_cell(key, r[key]) for key, _ in measures.COLUMNS]) for r in rows],
            "columns": measures.COLUMNS, "min_cases": measures.MIN_CASES_FOR_RANKING,
            "chart_data": {
                "labels": [str(r["label"]) for r in chart_rows[:20]],
                "series": {label: [round((r[key] or 0) * 100, 1) for r in chart_rows[:20]]
                           for key, label in measures.COLUMNS
                           if key in ("response_rate", "resolve_rate", "satisfaction_rate")},
                "cases": [r["cases"] for r in chart_rows[:20]],
            },
        })
        return context
