"""Write paths for accounts: one-time codes, logins, real name, tokens, deletion."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from datetime import UTC, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from rongmei.core import crypto, ratelimit
from rongmei.core.errors import ServiceError
from rongmei.core.masking import mask_id_number, mask_phone

from . import sms, tokens
from .signals import account_deleted
from .models import (
    AppToken, OtpPurpose, PersonalDataAccess, PhoneOtp, RealNameRecord, SmsMessage, SmsStatus,
    User, WechatBinding,
)
from .validators import normalize_id_number, normalize_phone, validate_chinese_name

logger = logging.getLogger("rongmei.accounts")

OTP_INVALID = "验证码错误或已过期，请重新获取"


def _clean_phone(raw: str | None) -> str:
    try:
        return normalize_phone(raw)
    except ValidationError as exc:
        raise ServiceError("invalid_phone", exc.messages[0], field="phone") from None


def _code_hash(phone: str, code: str) -> str:
    key = ("otp:" + settings.SECRET_KEY).encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


# --- SMS -----------------------------------------------------------------------------------

def sms_send(*, phone: str, template: str, params: dict) -> SmsMessage:
    """Send one SMS now through the configured provider and record the delivery."""
    provider = sms.get_provider()
    message = SmsMessage.objects.create(
        phone=phone, template=template, provider=provider.name,
        body=sms.render(template, params) if provider.stores_body else "",
    )
    try:
        result = provider.send(phone=phone, template=template, params=params)
    except sms.SmsSendError as exc:
        SmsMessage.objects.filter(pk=message.pk).update(status=SmsStatus.FAILED,
                                                        error=str(exc)[:255])
        logger.warning("SMS to %s failed: %s", mask_phone(phone), exc)
        raise
    SmsMessage.objects.filter(pk=message.pk).update(
        status=SmsStatus.SENT, sent_at=timezone.now(),
        provider_message_id=result.provider_message_id,
    )
    message.refresh_from_db()
    return message


# --- One-time codes ------------------------------------------------------------------------

OTP_TEMPLATES = {OtpPurpose.STAFF: "staff_login_code",
                 OtpPurpose.STAFF_PASSWORD: "staff_password_code"}


def otp_request(*, phone: str, ip: str | None, purpose: str = OtpPurpose.LOGIN) -> PhoneOtp:
    """Create a login code for ``phone`` and text it.

    The answer is the same whether or not the number is registered. Limits: one code per
    number per OTP_RESEND_SECONDS, OTP_MAX_PER_PHONE_PER_DAY per number per day and
    OTP_MAX_PER_IP_PER_HOUR per client address, against SMS bombing.
    """
    phone = _clean_phone(phone)
    ratelimit.hit("otp-ip", ip or "-", limit=settings.OTP_MAX_PER_IP_PER_HOUR, window=3600,
                  message="当前网络获取验证码过于频繁，请稍后再试")
    now = timezone.now()
    last = (PhoneOtp.objects.filter(phone=phone, purpose=purpose)
            .order_by("-created_at").values_list("created_at", flat=True).first())
    if last and (now - last).total_seconds() < settings.OTP_RESEND_SECONDS:
        wait = settings.OTP_RESEND_SECONDS - int((now - last).total_seconds())
        raise ServiceError("otp_too_soon", f"验证码已发送，请{wait}秒后再试", field="phone",
                           status=429, extra={"retry_after": wait})
    ratelimit.hit("otp-phone", phone, limit=settings.OTP_MAX_PER_PHONE_PER_DAY, window=86400,
                  message="该号码今日获取验证码次数过多，请明天再试", code="otp_daily_limit")

    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        # A new code replaces any earlier one still outstanding.
        PhoneOtp.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(
            used_at=now
        )
        otp = PhoneOtp.objects.create(
            phone=phone, purpose=purpose, code_hash=_code_hash(phone, code), created_at=now,
            expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS), requested_ip=ip,
        )
    try:
        sms_send(phone=phone, template=OTP_TEMPLATES.get(purpose, "login_code"),
                 params={"code": code, "minutes": settings.OTP_TTL_SECONDS // 60})
    except sms.SmsSendError:
        PhoneOtp.objects.filter(pk=otp.pk).update(used_at=timezone.now())
        raise ServiceError("sms_failed", "短信发送失败，请稍后重试", status=503) from None
    return otp


def otp_check(*, phone: str, code: str, ip: str | None,
              purpose: str = OtpPurpose.LOGIN) -> str:
    """Consume a correct code and return the normalized phone; raise ServiceError if not.

    Each code allows OTP_MAX_ATTEMPTS guesses; the consuming update is conditional, so two
    concurrent requests with the same code cannot both succeed.
    """
    phone = _clean_phone(phone)
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdecimal()):
        raise ServiceError("invalid_code", "请输入6位数字验证码", field="code")
    ratelimit.hit("otp-verify-ip", ip or "-", limit=120, window=3600,
                  message="尝试次数过多，请稍后再试")
    now = timezone.now()
    otp = (PhoneOtp.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True,
                                   expires_at__gt=now)
           .order_by("-created_at").first())
    if otp is None:
        raise ServiceError("otp_invalid", OTP_INVALID, field="code")
    # Take an attempt before comparing, with a conditional update: parallel guesses cannot
    # all read the same low count and get more than OTP_MAX_ATTEMPTS tries between them.
    reserved = PhoneOtp.objects.filter(
        pk=otp.pk, attempts__lt=settings.OTP_MAX_ATTEMPTS).update(attempts=F("attempts") + 1)
    if not reserved:
        raise ServiceError("otp_locked", "验证码错误次数过多，请重新获取", field="code")
    if not hmac.compare_digest(otp.code_hash, _code_hash(phone, code)):
        left = settings.OTP_MAX_ATTEMPTS - (
            PhoneOtp.objects.values_list("attempts", flat=True).get(pk=otp.pk))
        if left <= 0:
            raise ServiceError("otp_locked", "验证码错误次数过多，请重新获取", field="code")
        raise ServiceError("otp_invalid", f"验证码错误，还可尝试{left}次", field="code")
    used = PhoneOtp.objects.filter(pk=otp.pk, used_at__isnull=True).update(used_at=now)
    if used != 1:
        raise ServiceError("otp_invalid", OTP_INVALID, field="code")
    return phone


def login_with_otp(*, phone: str, code: str, ip: str | None) -> User:
    """Check the code and return the account for the number, creating it on first login."""
    return account_for_verified_phone(phone=otp_check(phone=phone, code=code, ip=ip))


def account_for_verified_phone(*, phone: str) -> User:
    """The account of a number whose holder has just proved it (an SMS code), made now if
    the number has none — the person's own act is their consent. Refuses a disabled one."""
    user = User.objects.filter(phone=phone).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(phone)
        except IntegrityError:  # two first logins racing: the other one created it
            user = User.objects.get(phone=phone)
    if not user.is_active:
        raise ServiceError("account_disabled", "该账号已被停用，如有疑问请联系客服", status=403)
    return user


# --- Staff password login lockout ------------------------------------------------------------

def _lock_key(phone: str) -> str:
    return f"staff-login-lock:{phone}"


def staff_password_account(phone: str) -> User | None:
    """The console account a phone may set the password of by SMS: an active staff member
    who is not a superuser (an administrator's password is reset by another administrator,
    so a stolen SIM alone never opens the whole console)."""
    try:
        phone = _clean_phone(phone)
    except ServiceError:
        return None
    return User.objects.filter(phone=phone, is_active=True, is_staff=True,
                               is_superuser=False).first()


PASSWORD_MESSAGES = {  # Django's own texts are partly untranslated ("This password is too short")
    "password_too_short": "密码太短，至少需要8个字符",
    "password_too_common": "这个密码太常见了，请换一个",
    "password_entirely_numeric": "密码不能全是数字",
    "password_too_similar": "密码与手机号或姓名太相似",
}
PASSWORD_MAX_LENGTH = 128


def password_problems(password: str, user=None) -> str:
    """The site's password validators' verdict in Chinese ("" when the password is fine)."""
    from django.contrib.auth.password_validation import validate_password

    if len(password) > PASSWORD_MAX_LENGTH:
        return f"密码不能超过{PASSWORD_MAX_LENGTH}个字符"
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return "；".join(dict.fromkeys(PASSWORD_MESSAGES.get(error.code, "密码不符合要求")
                                      for error in exc.error_list))
    return ""


def staff_password_request(*, phone: str, ip: str | None) -> None:
    """Text a code for 设置管理后台密码 — only to a staff account's phone, while every answer
    is the same for any number (the page must not tell who is staff): the same resend wait
    and daily limit for all, checked before it is known whether a code goes out."""
    from django.core.cache import cache

    phone = _clean_phone(phone)
    ratelimit.hit("otp-ip", ip or "-", limit=settings.OTP_MAX_PER_IP_PER_HOUR, window=3600,
                  message="当前网络获取验证码过于频繁，请稍后再试")
    now = time.time()
    key = f"staff-password-sent:{phone}"
    if not cache.add(key, now, timeout=settings.OTP_RESEND_SECONDS):
        wait = max(1, settings.OTP_RESEND_SECONDS - int(now - float(cache.get(key) or now)))
        raise ServiceError("otp_too_soon", f"验证码已发送，请{wait}秒后再试", field="phone",
                           status=429, extra={"retry_after": wait})
    ratelimit.hit("staff-password-phone", phone, limit=settings.OTP_MAX_PER_PHONE_PER_DAY,
                  window=86400, message="该号码今日获取验证码次数过多，请明天再试",
                  code="otp_daily_limit")
    if staff_password_account(phone) is not None:
        otp_request(phone=phone, ip=None, purpose=OtpPurpose.STAFF_PASSWORD)


def staff_password_set(*, phone: str, code: str, password: str, ip: str | None) -> User:
    """Set a staff member's console password with a code texted to their phone: for someone
    named to a console role from a resident account (a 评委, a 问政 handler) who never had a
    password, and for a forgotten one. The password must pass the site's validators. A
    wrong, spent or locked code gets one message whoever the number belongs to."""
    problems = password_problems(password or "")
    if problems:  # before the code is spent: a weak password should not cost a new code
        raise ServiceError("weak_password", problems, field="password")
    try:
        phone = otp_check(phone=phone, code=code, ip=ip, purpose=OtpPurpose.STAFF_PASSWORD)
    except ServiceError as exc:
        if exc.code in ("otp_invalid", "otp_locked"):
            raise ServiceError("otp_invalid", OTP_INVALID, field="code") from None
        raise
    user = staff_password_account(phone)
    if user is None:  # no code is ever sent to such a number; it stopped being staff since
        raise ServiceError("otp_invalid", OTP_INVALID, field="code")
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        staff_login_succeeded(phone=phone)  # a lockout from the forgotten password ends
    return user


def staff_login_locked_for(phone: str) -> int:
    """Seconds left on a lockout of ``phone`` (0 if not locked)."""
    from django.core.cache import cache

    until = cache.get(_lock_key(phone))
    if not until:
        return 0
    return max(int(until - timezone.now().timestamp()), 0)


def staff_login_failed(*, phone: str, ip: str | None) -> None:
    from django.core.cache import cache

    window = settings.STAFF_LOGIN_LOCK_SECONDS
    try:
        ratelimit.hit("staff-login-fail", phone, limit=settings.STAFF_LOGIN_MAX_FAILURES - 1,
                      window=window, message="")
        ratelimit.hit("staff-login-fail-ip", ip or "-",
                      limit=settings.STAFF_LOGIN_MAX_FAILURES * 4, window=window, message="")
    except ratelimit.RateLimitedError:
        cache.set(_lock_key(phone), timezone.now().timestamp() + window, timeout=window)
        logger.warning("staff login locked for %s from %s", mask_phone(phone), ip)


def staff_login_succeeded(*, phone: str) -> None:
    ratelimit.reset("staff-login-fail", phone, window=settings.STAFF_LOGIN_LOCK_SECONDS)


# --- Profile, real name, tokens, deletion ------------------------------------------------

def profile_update(*, user: User, nickname: str | None = None,
                   elder_mode: bool | None = None) -> User:
    fields = []
    if nickname is not None:
        from rongmei.core.text import check_name, contains_markup

        nickname = check_name(nickname, field="nickname", label="昵称")
        if len(nickname) > 20:
            raise ServiceError("invalid_nickname", "昵称最多20个字", field="nickname")

        if contains_markup(nickname):
            raise ServiceError("invalid_nickname", "昵称不能包含特殊符号", field="nickname")
        from rongmei.core.public_text import gate_texts

        gate_texts(nickname=nickname)  # shown beside every comment: public text
        user.nickname = nickname
        fields.append("nickname")
    if elder_mode is not None:
        user.elder_mode = bool(elder_mode)
        fields.append("elder_mode")
    if fields:
        user.save(update_fields=fields)
    return user


def realname_register(*, user: User, name: str, id_number: str) -> RealNameRecord:
    """Record the user's real name. The full ID number is kept only encrypted."""
    try:
        name = validate_chinese_name(name)
    except ValidationError as exc:
        raise ServiceError("invalid_name", exc.messages[0], field="name") from None
    try:
        number = normalize_id_number(id_number)
    except ValidationError as exc:
        raise ServiceError("invalid_id_number", exc.messages[0], field="id_number") from None
    if RealNameRecord.objects.filter(user=user).exists():
        raise ServiceError("realname_exists", "您已完成实名登记，如需修改请联系客服")
    try:
        with transaction.atomic():
            return RealNameRecord.objects.create(
                user=user, name=name, id_number_masked=mask_id_number(number),
                id_number_encrypted=crypto.encrypt(number),
                id_number_hash=crypto.keyed_hash(number, purpose="id-number"),
            )
    except IntegrityError:
        raise ServiceError("id_number_taken", "该身份证号已绑定其他账号", field="id_number") from None


def realname_reveal(*, viewer: User, subject: User, reason: str) -> str:
    """Decrypt a person's ID number for an authorised viewer, and log that it happened."""
    from rongmei.core.access import check_role
    from rongmei.core.roles import ADMINISTRATOR

    check_role(viewer, ADMINISTRATOR)
    if not reason.strip():
        raise ServiceError("reason_required", "查看完整身份证号须填写事由", field="reason")
    record = RealNameRecord.objects.get(user=subject)
    PersonalDataAccess.objects.create(viewer=viewer, subject=subject, what="身份证号",
                                      reason=reason.strip()[:120])
    return crypto.decrypt(record.id_number_encrypted)


API_TOKEN_DAYS = 90


def api_tokens_issue(users, *, label: str = "", days: int = API_TOKEN_DAYS) -> list[str]:
    """Issue one bearer token for each user (in one insert); returns the raw tokens, in
    order. Each is cached for the vote path once the transaction commits (``tokens``)."""
    raws = [secrets.token_urlsafe(32) for _ in users]
    expires_at = timezone.now() + timedelta(days=days)
    rows = [AppToken(user=user, token_hash=tokens.digest(raw), label=label[:60],
                     expires_at=expires_at) for user, raw in zip(users, raws, strict=True)]
    AppToken.objects.bulk_create(rows, batch_size=5000)
    transaction.on_commit(lambda: tokens.remember(
        [(row.token_hash, user, expires_at) for row, user in zip(rows, users, strict=True)]))
    return raws


def api_token_issue(*, user: User, label: str = "") -> str:
    return api_tokens_issue([user], label=label)[0]


def _token_user_sql() -> str:
    users, tokens = User._meta.db_table, AppToken._meta.db_table
    return (f"SELECT u.*, t.id AS token_pk, t.last_used_at AS token_last_used, "
            f"t.expires_at AS token_expires "
            f"FROM {users} u JOIN {tokens} t ON t.user_id = u.id "
            f"WHERE t.token_hash = %s AND t.expires_at > %s AND u.is_active")


def _column_datetime(value):
    """An extra column's datetime: SQLite gives it naive (UTC) text, unconverted."""
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def api_token_user(raw: str) -> User | None:
    """The active account a bearer token belongs to, or None (unknown, expired, revoked or
    the account closed or disabled).

    Asked of the database on every request — no cache, so revoking a token, closing or
    disabling an account takes effect on the next request. It is every app request's first
    query, so it is one hand-written join read straight into a full ``User`` (the ORM's
    compilation of ``select_related`` cost more than the query itself)."""
    return _token_user(tokens.digest(raw)) if raw else None


def _token_user(digest: str) -> User | None:
    from django.db import connection

    now = timezone.now()
    params = [digest, connection.ops.adapt_datetimefield_value(now)]
    user = next(iter(User.objects.raw(_token_user_sql(), params)), None)
    if user is None:
        return None
    user.token_expires = _column_datetime(user.token_expires)
    last = _column_datetime(user.token_last_used)
    if not last or (now - last).total_seconds() > 3600:
        AppToken.objects.filter(pk=user.token_pk).update(last_used_at=now)
    return user


def api_token_user_cached(raw: str) -> User | None:
    """``api_token_user`` through the workers' shared token cache (``tokens``), for the
    hot vote path: no query when the token is cached. The user then has only its id and
    ``date_joined`` loaded (any other field is read when asked for). A revoked token, an
    account disabled or erased through any door is refused at once: the cache entry is
    dropped before the database changes. A hit does not touch ``last_used_at``; an entry
    lives at most an hour, so a token in use still has it refreshed hourly."""
    if not raw:
        return None
    digest = tokens.digest(raw)
    held = tokens.lookup(digest)
    if isinstance(held, tuple):
        pk, joined, expires = held
        if expires <= timezone.now():
            return None
        return user_by_id(pk, date_joined=joined)
    user = _token_user(digest)
    if user is not None and held is tokens.MISS:
        tokens.remember([(digest, user, user.token_expires)])
    return user


def user_by_id(pk: int, **fields) -> User:
    """A ``User`` with only its id (and ``fields``) loaded, for a caller that knows who it
    is without asking the database (the token cache): any other field is read when asked
    for."""
    return User.from_db(User.objects.db, ["id", *fields], [pk, *fields.values()])


def api_token_revoke(*, raw: str) -> None:
    # Its own (savepoint) transaction: when the token cache cannot hear of it, the refused
    # revocation leaves the caller's transaction usable (tokens.forget).
    with transaction.atomic():
        AppToken.objects.filter(token_hash=tokens.digest(raw)).delete()


def account_delete(*, user: User) -> None:
    """注销: anonymise the account so nothing identifies the person, keeping the rows that
    other records (points, orders, cases) point at. The phone number becomes free again."""
    if user.is_staff or user.is_superuser:
        raise ServiceError("staff_cannot_self_delete", "工作人员账号请联系管理员注销")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.deleted_at:
            return
        phone = locked.phone
        RealNameRecord.objects.filter(user=locked).delete()
        AppToken.objects.filter(user=locked).delete()
        WechatBinding.objects.filter(user=locked).delete()  # openid, nickname, avatar
        locked.unit_memberships.all().delete()
        locked.groups.clear()
        if phone:
            PhoneOtp.objects.filter(phone=phone).delete()
            SmsMessage.objects.filter(phone=phone).update(phone=mask_phone(phone)[:11], body="")
        locked.phone = None
        locked.name = ""
        locked.nickname = ""
        locked.email = ""
        locked.is_active = False
        locked.set_unusable_password()
        locked.deleted_at = timezone.now()
        locked.save()
        account_deleted.send(sender=User, user=locked)


SMS_RECORD_RETENTION_DAYS = 180


def purge_expired(*, now=None) -> dict[str, int]:
    """Delete what is no longer needed (PIPL: keep personal data no longer than necessary):
    used or expired codes older than a day, expired app tokens, SMS records older than
    SMS_RECORD_RETENTION_DAYS. Safe to run as often as you like."""
    now = now or timezone.now()
    codes, _ = PhoneOtp.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    tokens, _ = AppToken.objects.filter(expires_at__lt=now).delete()
    sms_records, _ = SmsMessage.objects.filter(
        created_at__lt=now - timedelta(days=SMS_RECORD_RETENTION_DAYS)).delete()
    return {"codes": codes, "tokens": tokens, "sms": sms_records}
