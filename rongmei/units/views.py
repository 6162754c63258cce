"""Staff console screens for units and their people."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import HeaderButton

from rongmei.core.errors import ServiceError
from rongmei.core.excel import XLSX
from rongmei.core.roles import (
    ADMINISTRATOR,
    OPERATOR,
    PROPAGANDA,
    UNIT_ADMIN,
    WENZHENG_HANDLER,
)

from . import services
from .access import has_role, unit_scope
from .forms import ExcelImportForm

COUNTY_WIDE_READERS = (ADMINISTRATOR, OPERATOR, WENZHENG_HANDLER, PROPAGANDA)


def scoped_units(user):
    if has_role(user, *COUNTY_WIDE_READERS):
        from .models import Unit

        return Unit.objects.all()
    return unit_scope(user, UNIT_ADMIN)


class IndentedTitleColumn(TitleColumn):
    def get_value(self, instance):
        return "　" * (instance.depth - 1) + instance.name


class UnitIndexView(generic.IndexView):
    default_ordering = "path"

    def get_base_queryset(self):
        return scoped_units(self.request.user).order_by("path")

    @property
    def columns(self):
        return [
            IndentedTitleColumn("name", label="单位名称", get_url=self.get_edit_url),
            Column("code", label="单位编码"),
            Column("kind", label="类型", accessor="get_kind_display"),
            Column("contact_phone", label="联系电话"),
            Column("is_active", label="启用", accessor=lambda u: "是" if u.is_active else "否"),
        ]

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(HeaderButton("导出 Excel", url=reverse("units:export"), icon_name="download"))
        if has_role(self.request.user, ADMINISTRATOR):
            buttons.append(HeaderButton("从 Excel 导入单位", url=reverse("units:import"),
                                        icon_name="upload"))
            buttons.append(HeaderButton("从 Excel 导入人员", url=reverse("units:import-members"),
                                        icon_name="upload"))
        return buttons


class UnitCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.unit_create(
            parent=data.get("parent"), name=data["name"], code=data["code"], kind=data["kind"],
            short_name=data.get("short_name", ""), contact_phone=data.get("contact_phone", ""),
            address=data.get("address", ""), is_active=data.get("is_active", True),
        )


class UnitEditView(generic.EditView):
    # Only administrators (county-wide) hold units.change_unit, so no further scoping here.
    def save_instance(self):
        unit = self.form.save()
        new_parent = self.form.cleaned_data.get("parent")
        current = unit.get_parent()
        if new_parent is not None and (current is None or current.pk != new_parent.pk):
            unit.move(new_parent, pos="last-child")
            unit.refresh_from_db()
        return unit


class MembershipIndexView(generic.IndexView):
    def get_base_queryset(self):
        from .models import UnitMembership

        units = scoped_units(self.request.user)
        return (UnitMembership.objects.filter(unit__in=units)
                .select_related("unit", "user").order_by("unit__path", "role"))

    @property
    def columns(self):
        return [
            TitleColumn("user", label="人员", accessor=lambda m: m.user.get_full_name(),
                        get_url=self.get_edit_url),
            Column("phone", label="手机号", accessor=lambda m: m.user.masked_phone),
            Column("unit", label="单位", accessor=lambda m: m.unit.name),
            Column("role", label="角色", accessor="get_role_display"),
            Column("title", label="职务"),
        ]


class MembershipCreateView(generic.CreateView):
    def save_instance(self):
        from rongmei.accounts.models import User

        data = self.form.cleaned_data
        user, _ = User.objects.get_or_create(phone=data["phone"],
                                             defaults={"name": data.get("name", "")})
        return services.membership_add(unit=data["unit"], user=user, role=data["role"],
                                       title=data.get("title", ""))


def _import_view(request, *, title, columns, importer, template_hint):
    if not has_role(request.user, ADMINISTRATOR):
        messages.error(request, "只有管理员可以导入")
        return redirect("units:index")
    form = ExcelImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = importer(actor=request.user, data=form.cleaned_data["file"].read())
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            if report.ok:
                messages.success(request, f"导入完成：新建 {report.created} 条，更新 {report.updated} 条")
                return redirect("units:index")
    return TemplateResponse(request, "units/import.html", {
        "form": form, "report": report, "page_title": title, "columns": columns,
        "template_hint": template_hint,
    })


def import_units(request):
    return _import_view(request, title="从 Excel 导入单位", columns=services.UNIT_COLUMNS,
                        importer=services.units_import_excel,
                        template_hint="类型可填：县（根）、融媒体中心、乡镇、县直部门、学校、社区/村、企事业单位、其他。")


def import_members(request):
    return _import_view(request, title="从 Excel 导入单位人员", columns=services.MEMBER_COLUMNS,
                        importer=services.members_import_excel,
                        template_hint="角色可填：分端管理员、责任单位办理员、三长、志愿队长。")


def export_units(request):
    try:
        data = services.units_export_excel(actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("wagtailadmin_home")
    filename = f"units-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
