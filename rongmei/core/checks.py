from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def rongmei_deploy_checks(app_configs, **kwargs):
    issues = []
    if settings.PRODUCTION and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        issues.append(Warning(
            "Production is running on SQLite.",
            hint="Set DATABASE_URL to a PostgreSQL database.", id="rongmei.W001"))
    if settings.PRODUCTION and not settings.REDIS_URL:
        issues.append(Warning(
            "Production is running without Redis: rate limits and caches are per process.",
            hint="Set REDIS_URL.", id="rongmei.W002"))
    if settings.PRODUCTION and not settings.FIELD_ENCRYPTION_KEY:
        issues.append(Warning(
            "FIELD_ENCRYPTION_KEY is not set; personal data is encrypted with a key derived "
            "from SECRET_KEY, so rotating SECRET_KEY would make it unreadable.",
            hint="Generate one with `rongmei generate-field-key`.", id="rongmei.W003"))
    return issues
