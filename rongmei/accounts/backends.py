from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from .validators import normalize_phone


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
