from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from wagtail.admin.forms.auth import LoginForm
from wagtail.users.forms import UserCreationForm, UserEditForm

from rongmei.core.http import client_ip

from . import services
from .validators import normalize_phone

User = get_user_model()


class StaffLoginForm(LoginForm):
    """The staff console login: phone + password, locked after repeated failures."""

    error_messages = {
        "invalid_login": "手机号或密码错误。",
        "inactive": "该账号已停用。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "手机号"
        self.fields["username"].widget.attrs.update(
            {"placeholder": "请输入手机号", "autocomplete": "username", "inputmode": "tel"}
        )
        self.fields["password"].label = "密码"
        self.fields["password"].widget.attrs["placeholder"] = "请输入密码"

    def clean(self):
        raw = self.cleaned_data.get("username") or ""
        try:
            phone = normalize_phone(raw)
        except ValidationError:
            phone = raw.strip()[:20]
        locked_for = services.staff_login_locked_for(phone)
        if locked_for:
            minutes = max(locked_for // 60, 1)
            raise ValidationError(f"登录失败次数过多，账号已临时锁定，请{minutes}分钟后再试。",
                                  code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            services.staff_login_failed(phone=phone, ip=client_ip(self.request))
            raise
        services.staff_login_succeeded(phone=phone)
        return cleaned


class _StaffUserFormMixin(forms.ModelForm):
    # Wagtail's user form asks for first/last name and e-mail; a Chinese name is one field
    # and staff are reached by phone.
    first_name = None
    last_name = None
    email = forms.EmailField(required=False, label="电子邮箱")
    # Accept "139 0000 9999" or "+86…" and store the 11 digits.
    phone = forms.CharField(label="手机号", max_length=20)

    def clean_phone(self):
        try:
            return normalize_phone(self.cleaned_data.get("phone"))
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None


class StaffUserCreationForm(_StaffUserFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = {"phone", "name", "nickname", "email", "is_superuser", "groups"}


class StaffUserEditForm(_StaffUserFormMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = {"phone", "name", "nickname", "email", "is_active", "is_superuser", "groups"}
