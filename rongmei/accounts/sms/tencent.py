"""腾讯云短信 SendSms, API 3.0 (version 2021-01-11), signed with TC3-HMAC-SHA256.

Follows Tencent Cloud's "签名方法 v3" document: a canonical request (method, URI, query,
canonical headers ``content-type`` and ``host``, signed headers, SHA-256 of the payload), a
string to sign (algorithm, timestamp, credential scope ``date/sms/tc3_request``, hash of the
canonical request), and a signing key derived as HMAC chains over ``"TC3" + SecretKey``, the
UTC date, the service name and ``"tc3_request"``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from urllib.parse import urlsplit

from django.conf import settings

from . import SmsProvider, SmsResult, SmsSendError

SERVICE = "sms"
ACTION = "SendSms"
VERSION = "2021-01-11"
ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"

# Gateway error codes that retrying will not fix (wrong config, blocked number, bad params).
_PERMANENT_PREFIXES = ("AuthFailure", "InvalidParameter", "FailedOperation.Sign",
                       "FailedOperation.Template", "UnauthorizedOperation",
                       "FailedOperation.PhoneNumberInBlacklist")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def tc3_authorization(*, secret_id: str, secret_key: str, host: str, payload: str,
                      timestamp: int, service: str = SERVICE) -> str:
    """The ``Authorization`` header value for a POST of ``payload`` to ``host``."""
    canonical_headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\n"
    signed_headers = "content-type;host"
    payload_hash = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    canonical_request = "\n".join(
        ["POST", "/", "", canonical_headers, signed_headers, payload_hash]
    )
    date = datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join([
        ALGORITHM, str(timestamp), scope,
        hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
    ])
    secret_date = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    secret_service = _hmac(secret_date, service)
    secret_signing = _hmac(secret_service, "tc3_request")
    signature = hmac.new(secret_signing, string_to_sign.encode("utf-8"),
                         hashlib.sha256).hexdigest()
    return (f"{ALGORITHM} Credential={secret_id}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}")


class TencentSmsProvider(SmsProvider):
    name = "tencent"

    def __init__(self, config: dict | None = None):
        self.config = config or settings.SMS_TENCENT
        missing = [k for k in ("SECRET_ID", "SECRET_KEY", "SDK_APP_ID", "SIGN_NAME")
                   if not self.config.get(k)]
        if missing:
            raise SmsSendError("腾讯云短信未配置：缺少 " + "、".join(missing))

    def send(self, *, phone, template, params):
        template_id = self.config.get("TEMPLATES", {}).get(template)
        if not template_id:
            raise SmsSendError(f"腾讯云短信模板“{template}”未配置模板ID")
        # Tencent templates take positional parameters, in the order they appear.
        body = {
            "PhoneNumberSet": [f"+86{phone}"],
            "SmsSdkAppId": self.config["SDK_APP_ID"],
            "SignName": self.config["SIGN_NAME"],
            "TemplateId": str(template_id),
            "TemplateParamSet": [str(v) for v in params.values()],
        }
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        endpoint = self.config["ENDPOINT"]
        host = urlsplit(endpoint).netloc
        timestamp = int(time.time())
        headers = {
            "Authorization": tc3_authorization(
                secret_id=self.config["SECRET_ID"], secret_key=self.config["SECRET_KEY"],
                host=host, payload=payload, timestamp=timestamp,
            ),
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": ACTION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": VERSION,
            "X-TC-Region": self.config.get("REGION", "ap-guangzhou"),
        }
        request = urllib.request.Request(endpoint, data=payload.encode("utf-8"),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.config.get("TIMEOUT", 5)) as resp:
                answer = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise SmsSendError(f"短信网关返回 HTTP {exc.code}", retryable=exc.code >= 500) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsSendError("无法连接短信网关", retryable=True) from exc
        except ValueError as exc:
            raise SmsSendError("短信网关返回了无法解析的内容", retryable=True) from exc

        response = answer.get("Response", {})
        if "Error" in response:
            code = response["Error"].get("Code", "")
            message = response["Error"].get("Message", "")
            raise SmsSendError(f"短信网关拒绝：{code} {message}".strip(),
                               retryable=not code.startswith(_PERMANENT_PREFIXES))
        statuses = response.get("SendStatusSet") or []
        if not statuses:
            raise SmsSendError("短信网关未返回发送结果", retryable=True)
        status = statuses[0]
        if status.get("Code") != "Ok":
            raise SmsSendError(f"短信发送失败：{status.get('Code')} {status.get('Message', '')}",
                               retryable=False)
        return SmsResult(provider_message_id=status.get("SerialNo", ""))
