from django import forms

from .models import Outlet

SETTINGS_HELP = (
    "JSON 格式，按渠道类型填写：微博 {\"rip\": \"服务器公网IP\", \"multi_image\": true（已开通多图高级接口时）}；"
    "抖音 {\"open_id\": \"授权账号的 open_id\"}；公众号可填 {\"token_endpoint\": \"token\"} 改用普通 access_token 接口")


class OutletForm(forms.ModelForm):
    """The secret is write-only: never rendered back, an empty field keeps the stored one."""

    secret = forms.CharField(
        label="密钥", required=False, strip=True, max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="公众号填 AppSecret；微博、抖音填授权令牌；Webhook 和视频号网关填签名密钥。"
                  "出于安全考虑，已保存的密钥不会显示，留空表示不修改。")

    api_base = forms.URLField(
        label="接口地址", required=False, assume_scheme="https", max_length=200,
        help_text="公众号、微博、抖音留空使用官方地址；签名推送和视频号网关填写接收地址")

    class Meta:
        model = Outlet
        fields = ["name", "kind", "is_active", "api_base", "app_id", "settings"]
        help_texts = {"settings": SETTINGS_HELP}

    def clean_settings(self):
        value = self.cleaned_data.get("settings") or {}
        if not isinstance(value, dict):
            raise forms.ValidationError("其他设置必须是 JSON 对象，例如 {\"rip\": \"203.0.113.7\"}")
        return value

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ("webhook", "wechat_channels") and not data.get("api_base"):
            self.add_error("api_base", "Webhook 和视频号网关必须填写接收地址")
        if kind == "wechat_mp" and not data.get("app_id"):
            self.add_error("app_id", "公众号必须填写 AppID")
        if not self.instance.has_secret and not data.get("secret"):
            self.add_error("secret", "请填写密钥")
        return data
