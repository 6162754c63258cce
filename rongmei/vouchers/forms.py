"""Console forms for 消费券: operators type amounts in yuan; the database keeps fen."""

from __future__ import annotations

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput

from rongmei.core.modules import module_is_on
from rongmei.merchants.models import Merchant, MerchantStatus

from .models import CampaignStatus, Distribution, Issuer, VoucherCampaign, yuan
from .money import MAX_AMOUNT_FEN, AmountError, parse_yuan


class YuanField(forms.CharField):
    """An amount typed in yuan ("20", "15.5", "15.50元") and cleaned to integer fen."""

    def __init__(self, *, allow_zero: bool = False, max_fen: int = MAX_AMOUNT_FEN, **kwargs):
        self.allow_zero = allow_zero
        self.max_fen = max_fen
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 12}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # Initial values come from the model in fen; typed values stay as typed.
        if isinstance(value, int) and not isinstance(value, bool):
            return yuan(value)
        return value

    def to_python(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return value  # a disabled field cleans its initial value, already in fen
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_yuan(text, allow_zero=self.allow_zero, max_fen=self.max_fen)
        except AmountError as exc:
            raise ValidationError(exc.message, code=exc.code) from None


# Once residents can hold a campaign's vouchers, its rules stay as announced.
RULE_FIELDS = (
    "issuer", "issuer_merchant", "category", "face_value", "threshold", "per_person_limit",
    "require_realname", "volunteer_min_stars", "distribution", "lottery_signup_until",
    "valid_from", "valid_until", "valid_days", "return_expired", "refuse_below_face_value",
)


class CampaignForm(WagtailAdminModelForm):
    face_value = YuanField(label="面额（元）", help_text="每张券抵扣的金额，如 20 或 15.5")
    threshold = YuanField(label="使用门槛（元）", required=False, allow_zero=True,
                          help_text="消费满多少元可用（满100减20 填 100）；留空或填 0 表示无门槛")

    class Meta:
        model = VoucherCampaign
        fields = [
            "title", "description", "issuer", "issuer_merchant", "category", "face_value",
            "threshold", "refuse_below_face_value", "per_person_limit", "require_realname",
            "volunteer_min_stars", "distribution", "lottery_signup_until", "valid_from",
            "valid_until", "valid_days",
            "all_merchants_in_category", "merchants", "per_merchant_daily_limit",
            "return_expired",
        ]
        widgets = {"merchants": forms.CheckboxSelectMultiple}
        help_texts = {
            "issuer_merchant": "发放方为商户时必填：该商户自己发的券只能在本店使用",
            "lottery_signup_until": "报名摇号活动必填；开奖须在报名截止之后",
            "valid_from": "固定有效期：与“有效期结束”一起填写",
            "return_expired": "勾选后，过期未用的券和场次未领完的数量退回下一场继续发放",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Approved merchants, and whoever the campaign already names (even if suspended since).
        live = Q(status=MerchantStatus.APPROVED)
        if self.instance.pk:
            live |= Q(pk=self.instance.issuer_merchant_id) | Q(campaigns=self.instance)
        merchants = Merchant.objects.filter(live).distinct().order_by("category", "name")
        self.fields["issuer_merchant"].queryset = merchants
        self.fields["merchants"].queryset = merchants
        self.fields["merchants"].label_from_instance = (
            lambda m: f"{m.name}（{m.get_category_display()}）")
        if not self.instance.pk:
            self.fields["issuer"].initial = Issuer.GOVERNMENT
        elif self.instance.status != CampaignStatus.DRAFT:
            for name in RULE_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = "活动已发布，券的使用规则不能再修改"

    def clean_volunteer_min_stars(self):
        stars = self.cleaned_data.get("volunteer_min_stars")
        if stars is None:
            return None
        if not 0 <= stars <= 5:
            raise ValidationError("最低星级须在0至5之间（0 为所有注册志愿者）")
        if not module_is_on("volunteers"):
            raise ValidationError("本县未启用“志愿者之家”，不能发放志愿者礼遇券")
        return stars

    def clean_per_person_limit(self):
        limit = self.cleaned_data["per_person_limit"]
        if limit is not None and limit < 1:
            raise ValidationError("每人限领至少1张")
        return limit

    def clean(self):
        data = super().clean()
        self._clean_issuer(data)
        self._clean_amounts(data)
        self._clean_validity(data)
        self._clean_distribution(data)
        if (data.get("issuer") == Issuer.GOVERNMENT and not data.get("all_merchants_in_category")
                and not data.get("merchants")):
            self.add_error("merchants", "请勾选可以核销的商户，或选择“同行业商户均可使用”")
        return data

    def _clean_issuer(self, data):
        if data.get("issuer") == Issuer.MERCHANT and not data.get("issuer_merchant"):
            self.add_error("issuer_merchant", "发放方为商户时，请选择发放商户")
        elif data.get("issuer") == Issuer.GOVERNMENT:
            data["issuer_merchant"] = None

    def _clean_amounts(self, data):
        if data.get("threshold") is None and "threshold" not in self.errors:
            data["threshold"] = 0
        face, threshold = data.get("face_value"), data.get("threshold")
        if face and threshold and threshold <= face:
            self.add_error("threshold",
                           f"使用门槛须高于面额：面额{yuan(face)}元时，门槛应大于{yuan(face)}元"
                           "（如满100减20），或填 0 表示无门槛")

    def _clean_validity(self, data):
        days, start, until = data.get("valid_days"), data.get("valid_from"), data.get("valid_until")
        if days:
            if start or until:
                self.add_error("valid_days", "固定有效期与“领取后有效天数”只能选一种")
        elif not start and not until:
            self.add_error("valid_days", "请填写有效期：固定的起止时间，或领取后有效天数")
        elif not start:
            self.add_error("valid_from", "请填写有效期开始时间")
        elif not until:
            self.add_error("valid_until", "请填写有效期结束时间")
        elif until <= start:
            self.add_error("valid_until", "有效期结束须晚于开始")

    def _clean_distribution(self, data):
        if data.get("distribution") == Distribution.LOTTERY:
            if not data.get("lottery_signup_until"):
                self.add_error("lottery_signup_until", "报名摇号活动须填写报名截止时间")
        else:
            data["lottery_signup_until"] = None


class RoundBatchForm(forms.Form):
    """批量添加场次: e.g. 10:00 daily for five days."""

    first_start = forms.DateTimeField(label="第一场开抢时间", widget=AdminDateTimeInput)
    minutes = forms.IntegerField(label="每场时长（分钟）", min_value=1, max_value=1440,
                                 initial=120, error_messages={
                                     "min_value": "每场至少1分钟", "max_value": "每场不超过24小时"})
    days = forms.IntegerField(label="连续天数", min_value=1, max_value=60, initial=1,
                              help_text="每天同一时间开一场", error_messages={
                                  "min_value": "至少1天", "max_value": "一次最多添加60天"})
    stock = forms.IntegerField(label="每场发放数量", min_value=1, max_value=10_000_000,
                               error_messages={"min_value": "每场至少发放1张",
                                               "max_value": "每场发放数量过大"})


def new_lottery_seed() -> str:
    return secrets.token_hex(16)


class LotteryCommitForm(forms.Form):
    seed = forms.CharField(
        label="摇号种子", required=False, max_length=64,
        help_text="可自行输入16–64个字符（如公证处见证时抽取的一串字符），留空则由系统随机生成",
        error_messages={"max_length": "种子最多64个字符"})

    public_source = forms.CharField(
        label="公开随机数来源", max_length=120,
        help_text="报名截止以后才开奖、谁也控制不了的公开号码，写明日期和期号，"
                  "如“2026年6月1日 福彩3D 第2026145期开奖号码”",
        error_messages={"required": "请写明开奖时使用的公开随机数来源",
                        "max_length": "最多120个字"})

    public_draw_on = forms.DateField(
        label="这一期的开奖日期", widget=AdminDateInput,
        help_text="必须在报名截止之后；开奖日之后才能录入号码",
        error_messages={"required": "请填写这一期公开号码的开奖日期",
                        "invalid": "请填写正确的日期，如 2026-12-20"})

    def clean_seed(self):
        return self.cleaned_data["seed"] or new_lottery_seed()


class LotteryValueForm(forms.Form):
    public_value = forms.CharField(
        label="公开随机数", max_length=60,
        help_text="按公告原样录入约定那一期的开奖号码，如“5 8 1”；录入后由另一位工作人员复核开奖",
        error_messages={"required": "请录入公开随机数", "max_length": "最多60个字符"})


class LotteryDrawForm(forms.Form):
    public_value = forms.CharField(
        label="公开随机数（复核）", max_length=60,
        help_text="对照开奖公告再输入一遍约定那一期的开奖号码，须与录入的一致",
        error_messages={"required": "请录入公开随机数", "max_length": "最多60个字符"})
    seed = forms.CharField(label="摇号种子", max_length=64,
                           help_text="输入生成承诺时保存的种子；与承诺不一致将无法开奖",
                           error_messages={"required": "请输入种子",
                                           "max_length": "种子最多64个字符"})


class StatementGenerateForm(forms.Form):
    period_start = forms.DateField(label="结算开始日", widget=AdminDateInput)
    period_end = forms.DateField(label="结算结束日", widget=AdminDateInput,
                                 help_text="建议结算已经结束的时段（如上个月）")

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "结算结束日不能早于开始日")
        if end and end >= timezone.localdate():
            self.add_error("period_end", "只能结算已经结束的日期（结算结束日须早于今天）")
        return data


class SuspiciousFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label="活动", queryset=VoucherCampaign.objects.exclude(status=CampaignStatus.DRAFT)
        .order_by("-created_at"), error_messages={"required": "请选择活动",
                                                  "invalid_choice": "请选择活动"})
    n = forms.IntegerField(label="同一IP/设备账号数超过", min_value=1, max_value=10_000,
                           initial=5,
                           error_messages={"min_value": "至少为1", "invalid": "请输入整数"})
