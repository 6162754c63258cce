from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def push_key_check(app_configs, **kwargs):
    """A configured VAPID key that cannot be read is an error at start-up, not at the first
    breaking story. (A missing key in production is refused when sending and answered 503
    by the API; see docs/operations.md, "Web Push keys".)"""
    if not settings.VAPID_PRIVATE_KEY:
        return []
    from .keys import parse_private_key

    try:
        parse_private_key(settings.VAPID_PRIVATE_KEY)
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="rongmei.push.E001")]
    return []
