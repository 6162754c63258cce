from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register

LOOPBACK_HOSTS = {"", "127.0.0.1", "localhost", "::1", "0.0.0.0"}


@register()
def rongmei_base_url_check(app_configs, **kwargs):
    """Feeds (RSS, Atom, ninjs), outlets, push links and Open311 build absolute URLs from
    BASE_URL; unset, it falls back to the development address, which no reader can open."""
    host = urlsplit(settings.WAGTAILADMIN_BASE_URL or "").hostname or ""
    if settings.PRODUCTION and host in LOOPBACK_HOSTS:
        return [Warning(
            f"BASE_URL is not set (absolute links would point at {settings.WAGTAILADMIN_BASE_URL!r}).",
            hint="Set BASE_URL to the public address, e.g. https://app.example.cn — feeds, "
                 "ninjs, outlets and Open311 give it to other systems.", id="rongmei.W004")]
    return []


@register(deploy=True)
def rongmei_deploy_checks(app_configs, **kwargs):
    issues = []
    if settings.PRODUCTION and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        issues.append(Warning(
            "Production is running on SQLite.",
            hint="Set DATABASE_URL to a PostgreSQL database.", id="rongmei.W001"))
    if settings.PRODUCTION and not settings.REDIS_URL:
        issues.append(Warning(
            "Production is running without Redis: rate limits and caches are per process, so "
            "a story the news_publish_due timer takes down (another process) keeps being "
            "served from the page cache until its copy expires (up to 5 minutes).",
            hint="Set REDIS_URL.", id="rongmei.W002"))
    if settings.PRODUCTION and not settings.FIELD_ENCRYPTION_KEY:
        issues.append(Warning(
            "FIELD_ENCRYPTION_KEY is not set; personal data is encrypted with a key derived "
            "from SECRET_KEY, so rotating SECRET_KEY would make it unreadable.",
            hint="Generate one with `rongmei generate-field-key`.", id="rongmei.W003"))
    return issues


@register()
def rongmei_wechat_check(app_configs, **kwargs):
    """微信: an AppID without its AppSecret would offer 微信登录 and share cards that can
    only fail (docs/operations.md, "微信公众号")."""
    if settings.WECHAT_APP_ID and not settings.WECHAT_APP_SECRET:
        return [Warning("WECHAT_APP_ID is set but WECHAT_APP_SECRET is empty.",
                        hint="Set WECHAT_APP_SECRET (公众平台 → 基本配置 → 开发者密码), or "
                             "unset WECHAT_APP_ID to switch the WeChat features off.",
                        id="rongmei.W006")]
    return []
