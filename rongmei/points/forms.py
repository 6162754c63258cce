"""Console forms for 积分: earning rules and manual adjustments."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from rongmei.accounts.models import User
from rongmei.accounts.validators import normalize_phone

from .models import EarningRule

RULE_FIELDS = ["action", "label", "points", "daily_cap", "is_active", "sort_order"]


class EarningRuleForm(WagtailAdminModelForm):
    class Meta:
        model = EarningRule
        fields = RULE_FIELDS
        help_texts = {
            "action": "程序识别用的英文代码（如 read_article），创建后不能修改",
            "sort_order": "数字小的排在前面（居民“今日任务”中的顺序）",
        }


class EarningRuleEditForm(EarningRuleForm):
    """The action code is what the code that pays points looks up: fixed after creation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].disabled = True
        self.fields["action"].help_text = "行为代码创建后不能修改"


class AdjustForm(forms.Form):
    phone = forms.CharField(label="居民手机号", max_length=20)
    amount = forms.IntegerField(
        label="调整积分", help_text="正数为增加，负数为扣减，如 50 或 -20",
        error_messages={"required": "请填写调整积分", "invalid": "请填写整数"})
    # The reason is required by points_adjust itself (one rule, one place).
    note = forms.CharField(label="调整原因", max_length=100, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="必填，将记入积分明细并留存操作人")

    def clean_phone(self):
        try:
            phone = normalize_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None
        user = User.objects.filter(phone=phone, is_active=True).first()
        if user is None:
            raise ValidationError("没有找到这个手机号的用户")
        self.cleaned_data["user"] = user
        return phone
