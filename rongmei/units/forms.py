from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from rongmei.accounts.validators import normalize_phone

from .models import UNIT_ROLE_CHOICES, Unit, UnitMembership


class UnitForm(WagtailAdminModelForm):
    parent = forms.ModelChoiceField(
        queryset=Unit.objects.order_by("path"), required=False, label="上级单位",
        help_text="留空表示顶级单位（通常只有“县”这一个）",
    )

    class Meta:
        model = Unit
        fields = ["parent", "name", "short_name", "code", "kind", "contact_phone", "address",
                  "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].label_from_instance = lambda u: "　" * (u.depth - 1) + u.name
        if self.instance.pk:
            self.fields["parent"].initial = self.instance.get_parent()
            # A unit cannot move under itself or its descendants.
            self.fields["parent"].queryset = Unit.objects.exclude(
                path__startswith=self.instance.path).order_by("path")

    def _get_validation_exclusions(self):
        # treebeard fills path/depth/numchild when the unit is inserted into the tree.
        return super()._get_validation_exclusions() | {"path", "depth", "numchild"}


class ExcelImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError("请上传 .xlsx 格式的 Excel 文件")
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError("文件不能超过 5MB")
        return upload


class MembershipForm(WagtailAdminModelForm):
    phone = forms.CharField(label="手机号", max_length=20,
                            help_text="该手机号尚未注册时将自动创建账号")
    name = forms.CharField(label="姓名", max_length=40, required=False)

    class Meta:
        model = UnitMembership
        fields = ["unit", "role", "title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = UNIT_ROLE_CHOICES
        self.fields["unit"].queryset = Unit.objects.order_by("path")
        self.fields["unit"].label_from_instance = lambda u: "　" * (u.depth - 1) + u.name
        if self.instance.pk:
            self.fields["phone"].initial = self.instance.user.phone
            self.fields["phone"].disabled = True
            self.fields["name"].initial = self.instance.user.name

    def clean_phone(self):
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None

    def _get_validation_exclusions(self):
        # The user is found or created by phone on save (membership_add), which also keeps
        # (unit, user, role) unique.
        return super()._get_validation_exclusions() | {"user"}
