"""SMS providers behind one small interface.

``get_provider()`` returns the provider named by ``settings.SMS_PROVIDER``:

* ``outbox`` — development and tests: the message is stored in ``SmsMessage.body`` and
  logged, nothing leaves the machine. The demo's login page tells you where to read it.
* ``tencent`` — 腾讯云短信 (API 3.0, ``SendSms``, TC3-HMAC-SHA256 signed requests).

A provider turns (phone, template, params) into one delivery; it raises ``SmsSendError``
with a Chinese message when the gateway refuses.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

# The text each template renders to. Providers with server-side templates (Tencent) map the
# template name to their approved template ID and send only the parameters.
TEMPLATES = {
    "login_code": "您的验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。",
    "staff_login_code": "您正在登录管理后台，验证码为{code}，{minutes}分钟内有效。如非本人操作，"
                        "请立即修改密码。",
    "staff_password_code": "您正在设置管理后台密码，验证码为{code}，{minutes}分钟内有效。"
                           "如非本人操作，请勿告诉他人并联系管理员。",
    "wechat_bound": "您的账号已绑定微信（{nickname}），以后可在微信中直接登录。如非本人操作，"
                    "请立即用手机号登录，在“设置”中解除微信绑定。",
    "notice": "{text}",
}

PROVIDERS = {
    "outbox": "rongmei.accounts.sms.outbox.OutboxProvider",
    "tencent": "rongmei.accounts.sms.tencent.TencentSmsProvider",
}


class SmsSendError(Exception):
    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


@dataclass
class SmsResult:
    provider_message_id: str = ""


class SmsProvider:
    name = "base"
    stores_body = False

    def send(self, *, phone: str, template: str, params: dict) -> SmsResult:
        raise NotImplementedError


def render(template: str, params: dict) -> str:
    return TEMPLATES[template].format(**params)


def get_provider() -> SmsProvider:
    dotted = PROVIDERS.get(settings.SMS_PROVIDER, settings.SMS_PROVIDER)
    return import_string(dotted)()
