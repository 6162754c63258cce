"""The 举报 queue: public cases residents reported, with how many reports wait and why;
the newsroom dismisses them, edits the public text or withdraws the case — recorded on each
report and in the case's log."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from . import selectors, services
from .admin_views import Screen
from .models import AbuseReport, Case, ReportOutcome


class ReportsView(Screen):
    template_name = "wenzheng/admin/reports.html"
    page_title = "问政举报"
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        waiting = Q(abuse_reports__handled_at=None)
        cases = list(Case.objects.filter(waiting)
                     .annotate(pending=Count("abuse_reports", filter=waiting),
                               total=Count("abuse_reports", distinct=True),
                               latest=Max("abuse_reports__created_at"))
                     .select_related("category", "user__realname")
                     .order_by("-pending", "-latest")[:50])
        reasons = {}
        for report in AbuseReport.objects.filter(case__in=cases, handled_at=None).order_by(
                "-created_at"):
            reasons.setdefault(report.case_id, []).append(report.reason)
        for case in cases:
            case.public = selectors.public_case_dict(case, with_timeline=False)
            case.reasons = reasons.get(case.pk, [])[:5]
        context.update({
            "cases": cases,
            "pending_total": AbuseReport.objects.filter(handled_at=None).count(),
            "handled": AbuseReport.objects.exclude(handled_at=None)
            .select_related("case", "handled_by").order_by("-handled_at")[:30],
            "outcomes": ReportOutcome.choices,
        })
        return context

    def post(self, request, *args, **kwargs):
        data = request.POST
        outcome = data.get("outcome", "")
        redact = outcome == ReportOutcome.REDACTED
        return self.act(request, lambda: services.report_handle(
            actor=request.user, case_id=data.get("case"), outcome=outcome,
            note=data.get("note", ""),
            title=data.get("public_title") if redact else None,
            description=data.get("public_description") if redact else None),
            "已处理{result}条举报")
