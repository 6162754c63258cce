"""SMS one-time code login: the rules a resident meets at the login page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.accounts import selectors, services
from rongmei.accounts.models import PhoneOtp, SmsMessage, User
from rongmei.core.errors import RateLimitedError, ServiceError

PHONE = "13812345678"


def latest_code(phone=PHONE):
    return selectors.outbox_latest_code(phone=phone)


@pytest.mark.django_db
class TestRequestCode:
    def test_code_is_six_digits_sent_through_outbox_and_stored_only_hashed(self):
        otp = services.otp_request(phone=PHONE, ip="10.0.0.1")
        code = latest_code()
        assert code is not None and len(code) == 6 and code.isdigit()
        assert code not in otp.code_hash
        assert len(otp.code_hash) == 64
        message = SmsMessage.objects.get(phone=PHONE)
        assert message.status == "sent" and message.provider == "outbox"
        assert (otp.expires_at - otp.created_at) == timedelta(minutes=5)

    def test_phone_formats_are_normalized(self):
        services.otp_request(phone="+86 138-1234-5678", ip="10.0.0.1")
        assert PhoneOtp.objects.filter(phone=PHONE).exists()

    @pytest.mark.parametrize("bad", ["", "12345678901", "1381234567", "abc", "23812345678",
                                     "138123456789"])
    def test_malformed_phone_is_refused_in_chinese(self, bad):
        with pytest.raises(ServiceError) as exc:
            services.otp_request(phone=bad, ip="10.0.0.1")
        assert exc.value.code == "invalid_phone"
        assert "手机号" in exc.value.message
        assert not PhoneOtp.objects.exists()

    def test_resend_within_a_minute_is_refused(self):
        services.otp_request(phone=PHONE, ip="10.0.0.1")
        with pytest.raises(ServiceError) as exc:
            services.otp_request(phone=PHONE, ip="10.0.0.1")
        assert exc.value.code == "otp_too_soon"
        assert exc.value.status == 429
        assert PhoneOtp.objects.count() == 1

    def test_daily_limit_per_phone(self, settings):
        settings.OTP_RESEND_SECONDS = 0
        settings.OTP_MAX_PER_PHONE_PER_DAY = 3
        for _ in range(3):
            services.otp_request(phone=PHONE, ip="10.0.0.1")
        with pytest.raises(RateLimitedError) as exc:
            services.otp_request(phone=PHONE, ip="10.0.0.1")
        assert exc.value.code == "otp_daily_limit"
        assert PhoneOtp.objects.count() == 3

    def test_per_ip_limit_stops_sms_bombing_many_numbers(self, settings):
        settings.OTP_MAX_PER_IP_PER_HOUR = 5
        for i in range(5):
            services.otp_request(phone=f"1391111000{i}", ip="10.9.9.9")
        with pytest.raises(RateLimitedError):
            services.otp_request(phone="13911110009", ip="10.9.9.9")
        assert SmsMessage.objects.count() == 5
        # Another address is not affected.
        services.otp_request(phone="13911110009", ip="10.9.9.8")

    def test_new_code_replaces_the_previous_one(self, settings):
        settings.OTP_RESEND_SECONDS = 0
        services.otp_request(phone=PHONE, ip="10.0.0.1")
        first = latest_code()
        services.otp_request(phone=PHONE, ip="10.0.0.1")
        second = latest_code()
        if first != second:
            with pytest.raises(ServiceError):
                services.login_with_otp(phone=PHONE, code=first, ip="10.0.0.1")
        assert services.login_with_otp(phone=PHONE, code=second, ip="10.0.0.1").phone == PHONE


@pytest.mark.django_db
class TestLoginWithCode:
    def test_first_login_creates_the_account(self):
        services.otp_request(phone=PHONE, ip="10.0.0.1")
        user = services.login_with_otp(phone=PHONE, code=latest_code(), ip="10.0.0.1")
        assert user.phone == PHONE and not user.has_usable_password()
        assert User.objects.count() == 1

    def test_existing_account_is_reused(self, make_user):
        existing = make_user(phone=PHONE)
        services.otp_request(phone=PHONE, ip="10.0.0.1")
        user = services.login_with_otp(phone=PHONE, code=latest_code(), ip="10.0.0.1")
        assert user.pk == existing.pk

    def test_code_works_only_once(self):
        services.otp_request(phone=PHONE, ip="10.0.0.1")
        code = latest_code()
        services.login_with_otp(phone=PHONE, code=code, ip="10.0.0.1")
        with pytest.raises(ServiceError) as exc:
            services.login_with_otp(phone=PHONE, code=code, ip="10.0.0.1")
        assert exc.value.code == "otp_invalid"

    def test_expired_code_is_refused(self):
        services.otp_request(phone=PHONE, ip="10.0.0.1")
        PhoneOtp.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        with pytest.raises(ServiceError) as exc:
            services.login_with_otp(phone=PHONE, code=latest_code(), ip="10.0.0.1")
        assert exc.value.code == "otp_invalid" and "过期" in exc.value.message
        assert not User.objects.exists()

    def test_wrong_code_counts_attempts_then_locks_the_code(self):
        services.otp_request(phone=PHONE, ip="10.0.0.1")
        right = latest_code()
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        messages = []
        for _ in range(5):
            with pytest.raises(ServiceError) as exc:
                services.login_with_otp(phone=PHONE, code=wrong, ip="10.0.0.1")
            messages.append(exc.value.message)
        assert messages[0] == "验证码错误，还可尝试4次"
        assert "过多" in messages[-1]
        # Even the right code no longer works: the attacker cannot keep guessing.
        with pytest.raises(ServiceError) as exc:
            services.login_with_otp(phone=PHONE, code=right, ip="10.0.0.1")
        assert exc.value.code == "otp_locked"
        assert not User.objects.exists()

    @pytest.mark.parametrize("bad", ["", "12345", "1234567", "abcdef", "12 456"])
    def test_malformed_code(self, bad):
        services.otp_request(phone=PHONE, ip="10.0.0.1")
        with pytest.raises(ServiceError) as exc:
            services.login_with_otp(phone=PHONE, code=bad, ip="10.0.0.1")
        assert exc.value.code == "invalid_code" and exc.value.field == "code"

    def test_disabled_account_cannot_log_in(self, make_user):
        make_user(phone=PHONE, is_active=False)
        services.otp_request(phone=PHONE, ip="10.0.0.1")
        with pytest.raises(ServiceError) as exc:
            services.login_with_otp(phone=PHONE, code=latest_code(), ip="10.0.0.1")
        assert exc.value.code == "account_disabled"

    def test_unknown_and_known_numbers_get_the_same_answer(self, make_user, client):
        make_user(phone="13900001111")
        answers = []
        for phone in ("13900001111", "13900002222"):
            response = client.post("/api/v1/auth/otp", {"phone": phone},
                                   content_type="application/json")
            answers.append((response.status_code, response.json()))
        assert answers[0] == answers[1]


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_get_no_more_than_the_allowed_attempts():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real parallel updates (CI runs this on PostgreSQL)")
    services.otp_request(phone=PHONE, ip="10.0.0.1")
    right = latest_code()
    wrong = [f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, 31)]

    def guess(code):
        try:
            services.login_with_otp(phone=PHONE, code=code, ip=f"10.1.0.{len(code)}")
            return "ok"
        except ServiceError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=15) as pool:
        answers = list(pool.map(guess, wrong))
    assert answers.count("otp_invalid") <= 4 and "ok" not in answers
    assert PhoneOtp.objects.get(phone=PHONE).attempts == 5
    with pytest.raises(ServiceError) as exc:
        services.login_with_otp(phone=PHONE, code=right, ip="10.0.0.1")
    assert exc.value.code == "otp_locked"
