"""The Tencent Cloud SMS adapter against a local stand-in of sms.tencentcloudapi.com.

The stand-in re-derives the TC3-HMAC-SHA256 signature from the raw request, step by step as
Tencent's "签名方法 v3" document describes, and refuses anything that does not match — so
a signing mistake in the adapter fails here the way it would fail against the real gateway.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rongmei.accounts import services
from rongmei.accounts.models import SmsMessage
from rongmei.accounts.sms import SmsSendError
from rongmei.accounts.sms.tencent import TencentSmsProvider
from rongmei.core.errors import ServiceError

SECRET_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"


def _sign(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class StandIn(BaseHTTPRequestHandler):
    received: list[dict] = []
    answer: dict | None = None

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        error = self.verify(body)
        if error:
            reply = {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                            "Message": error}, "RequestId": "r-1"}}
        else:
            payload = json.loads(body)
            StandIn.received.append({"headers": self.headers, "payload": payload})
            reply = StandIn.answer or {"Response": {"SendStatusSet": [{
                "SerialNo": "2433:42949672961", "PhoneNumber": payload["PhoneNumberSet"][0],
                "Fee": 1, "Code": "Ok", "Message": "send success"}], "RequestId": "r-2"}}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def verify(self, body: str) -> str | None:
        h = self.headers
        if h.get("X-TC-Action") != "SendSms" or h.get("X-TC-Version") != "2021-01-11":
            return "wrong action or version"
        timestamp = int(h["X-TC-Timestamp"])
        auth = h["Authorization"]
        algorithm, rest = auth.split(" ", 1)
        parts = dict(item.strip().split("=", 1) for item in rest.split(","))
        credential = parts["Credential"].split("/")
        date = datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")
        if algorithm != "TC3-HMAC-SHA256" or credential != [SECRET_ID, date, "sms",
                                                            "tc3_request"]:
            return "bad credential scope"
        signed = parts["SignedHeaders"]
        canonical_headers = "".join(f"{name}:{h[name].strip().lower() if name == 'content-type' else h[name]}\n"
                                    for name in signed.split(";"))
        canonical = "\n".join(["POST", "/", "", canonical_headers, signed,
                               hashlib.sha256(body.encode()).hexdigest()])
        to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), f"{date}/sms/tc3_request",
                             hashlib.sha256(canonical.encode()).hexdigest()])
        key = _sign(_sign(_sign(("TC3" + SECRET_KEY).encode(), date), "sms"), "tc3_request")
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts["Signature"]):
            return "signature mismatch"
        return None


@pytest.fixture
def gateway():
    StandIn.received = []
    StandIn.answer = None
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def tencent(settings, gateway):
    settings.SMS_PROVIDER = "tencent"
    settings.SMS_TENCENT = {
        "ENDPOINT": gateway, "SECRET_ID": SECRET_ID, "SECRET_KEY": SECRET_KEY,
        "REGION": "ap-guangzhou", "SDK_APP_ID": "1400006666", "SIGN_NAME": "莲乡融媒",
        "TEMPLATES": {"login_code": "449739"}, "TIMEOUT": 3,
    }
    return settings.SMS_TENCENT


@pytest.mark.django_db
def test_login_code_goes_out_as_a_correctly_signed_sendsms(tencent):
    services.otp_request(phone="13812345678", ip="127.0.0.1")
    assert len(StandIn.received) == 1
    request = StandIn.received[0]
    payload = request["payload"]
    assert payload["PhoneNumberSet"] == ["+8613812345678"]
    assert payload["SmsSdkAppId"] == "1400006666"
    assert payload["SignName"] == "莲乡融媒"
    assert payload["TemplateId"] == "449739"
    code, minutes = payload["TemplateParamSet"]
    assert len(code) == 6 and code.isdigit() and minutes == "5"
    assert request["headers"]["X-TC-Region"] == "ap-guangzhou"
    message = SmsMessage.objects.get()
    assert message.status == "sent" and message.provider_message_id == "2433:42949672961"
    assert message.body == ""  # a real provider never keeps the code in our database


@pytest.mark.django_db
def test_wrong_secret_is_refused_by_the_gateway_and_reported(tencent):
    tencent["SECRET_KEY"] = "not-the-secret"
    with pytest.raises(ServiceError) as exc:
        services.otp_request(phone="13812345678", ip="127.0.0.1")
    assert exc.value.code == "sms_failed" and exc.value.status == 503
    message = SmsMessage.objects.get()
    assert message.status == "failed" and "AuthFailure" in message.error


@pytest.mark.django_db
def test_a_failed_send_leaves_no_usable_code(tencent):
    StandIn.answer = {"Response": {"SendStatusSet": [{"Code": "LimitExceeded.PhoneNumberDailyLimit",
                                                      "Message": "daily limit"}], "RequestId": "x"}}
    with pytest.raises(ServiceError):
        services.otp_request(phone="13812345678", ip="127.0.0.1")
    from rongmei.accounts.models import PhoneOtp

    assert not PhoneOtp.objects.filter(used_at__isnull=True).exists()


def test_unreachable_gateway_is_a_retryable_error():
    provider = TencentSmsProvider({
        "ENDPOINT": "http://127.0.0.1:9", "SECRET_ID": "a", "SECRET_KEY": "b",
        "SDK_APP_ID": "1", "SIGN_NAME": "c", "TEMPLATES": {"login_code": "1"}, "TIMEOUT": 1,
    })
    with pytest.raises(SmsSendError) as exc:
        provider.send(phone="13812345678", template="login_code", params={"code": "123456"})
    assert exc.value.retryable


def test_missing_configuration_is_explained():
    with pytest.raises(SmsSendError) as exc:
        TencentSmsProvider({"ENDPOINT": "http://x", "SECRET_ID": "", "SECRET_KEY": "",
                            "SDK_APP_ID": "", "SIGN_NAME": ""})
    assert "未配置" in str(exc.value)
