from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def push_deploy_checks(app_configs, **kwargs):
    if settings.PRODUCTION and not settings.VAPID_PRIVATE_KEY:
        return [Warning("VAPID_PRIVATE_KEY is not set: Web Push cannot work",
                        hint="Run `rongmei push_keys` and put the private key in the environment.",
                        id="rongmei.push.W001")]
    return []
