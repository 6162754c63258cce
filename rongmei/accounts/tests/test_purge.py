from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from rongmei.accounts import services
from rongmei.accounts.models import AppToken, PhoneOtp, SmsMessage


@pytest.mark.django_db
def test_purge_removes_only_what_has_expired(make_user, capsys):
    now = timezone.now()
    services.otp_request(phone="13812345678", ip="1.1.1.1")
    PhoneOtp.objects.create(phone="13800000000", code_hash="x", expires_at=now - timedelta(days=2))
    user = make_user()
    services.api_token_issue(user=user, label="新手机")
    AppToken.objects.create(user=user, token_hash="old", expires_at=now - timedelta(seconds=1))
    SmsMessage.objects.create(phone="13800000000", template="login_code", provider="outbox",
                              created_at=now - timedelta(days=200))
    call_command("purge_expired")
    assert "验证码 1 条，令牌 1 个，短信记录 1 条" in capsys.readouterr().out
    assert PhoneOtp.objects.count() == 1 and AppToken.objects.count() == 1
    assert SmsMessage.objects.count() == 1
    call_command("purge_expired")
    assert "验证码 0 条，令牌 0 个，短信记录 0 条" in capsys.readouterr().out
