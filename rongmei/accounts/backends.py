from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from .validators import normalize_phone

# How a session was signed in is the backend Django records in it (BACKEND_SESSION_KEY):
# the staff console opens only for the password (``rongmei.accounts.middleware``).
PASSWORD_BACKEND = "rongmei.accounts.backends.PhoneBackend"
SMS_CODE_BACKEND = "rongmei.accounts.backends.SmsCodeBackend"


class PhoneBackend(ModelBackend):
    """Password login by phone number (staff). Residents log in with SMS codes instead,
    through ``services.login_with_otp``; inactive or deleted accounts never authenticate."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        raw = username if username is not None else kwargs.get("phone")
        try:
            phone = normalize_phone(raw)
        except ValidationError:
            return None
        return super().authenticate(request, username=phone, password=password)


class SmsCodeBackend(ModelBackend):
    """Names a session signed in with an SMS code (``login(..., backend=SMS_CODE_BACKEND)``
    after ``services.login_with_otp`` or a clerk's invitation code). It authenticates
    nothing itself: it only loads the user of such a session, which never opens the staff
    console."""

    def authenticate(self, request, **credentials):
        return None
