"""Operations endpoints, security headers, error pages, the page cache, deploy checks."""

import json
import os
import subprocess
import sys

import pytest
from django.core.cache import cache

from rongmei.core import ratelimit
from rongmei.core.errors import RateLimitedError


@pytest.mark.django_db
def test_healthz_and_readyz(client):
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["migrations"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_broken_cache(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "set", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["cache"] == "error"


@pytest.mark.django_db
def test_metrics_only_for_allowed_addresses_or_staff(client, settings, make_user):
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403
    allowed = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert allowed.status_code == 200
    assert b"rongmei_http_requests_total" in allowed.content
    client.force_login(make_user("operator"))
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 200


@pytest.mark.django_db
def test_security_headers_on_resident_pages(client):
    response = client.get("/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_not_found_is_a_friendly_chinese_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_server_error_page_is_chinese_and_self_contained(rf):
    from rongmei.core.views import server_error

    response = server_error(rf.get("/x/"))
    assert response.status_code == 500 and "服务器开小差了" in response.content.decode()
    api = server_error(rf.get("/api/v1/x"))
    assert json.loads(api.content)["code"] == "server_error"


@pytest.mark.django_db
def test_csrf_failure_is_explained(make_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post("/me/settings/", {"nickname": "x"})
    assert response.status_code == 403 and "页面已过期" in response.content.decode()


def test_rate_limit_window_counts_and_refuses():
    for _ in range(3):
        ratelimit.hit("t", "a", limit=3, window=60, message="太快了")
    with pytest.raises(RateLimitedError) as exc:
        ratelimit.hit("t", "a", limit=3, window=60, message="太快了")
    assert exc.value.message == "太快了" and 0 < exc.value.retry_after <= 60
    ratelimit.hit("t", "b", limit=3, window=60, message="太快了")  # other identities unaffected


def test_masking():
    from rongmei.core.masking import mask_id_number, mask_name, mask_phone

    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("11010119900307803X") == "110***********803X"
    assert mask_name("欧阳娜娜") == "欧**娜" and mask_name("张三") == "张*"


def test_sanitize_html_removes_scripts_and_handlers():
    from rongmei.core.text import plain_text, sanitize_html

    dirty = '<p onclick="x()">好<script>alert(1)</script><a href="javascript:evil()">链接</a></p>'
    clean = sanitize_html(dirty)
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean
    assert "<p>好" in clean
    assert plain_text("<b>粗体</b>\x00文字") == "粗体文字"


def _run_check_deploy(extra_env):
    env = {**os.environ, "RONGMEI_ENV": "production", "SECRET_KEY": "x" * 64 + "-prod-key-Q9",
           "ALLOWED_HOSTS": "app.example.cn", "BASE_URL": "https://app.example.cn",
           "FIELD_ENCRYPTION_KEY":
           "u4T3y0oqK2sHn3jX3sQ6m5yq0mXG8QyQbq2c4pQ0C1Y=", **extra_env}
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run([sys.executable, "-m", "rongmei.cli", "check", "--deploy",
                           "--fail-level", "WARNING"], env=env, capture_output=True, text=True,
                          timeout=120)


def test_production_profile_passes_check_deploy():
    result = _run_check_deploy({"DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
                                "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_about_sqlite_in_production():
    result = _run_check_deploy({"DATABASE_URL": "sqlite:////tmp/x.sqlite3",
                                "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert result.returncode != 0 and "rongmei.W001" in result.stderr + result.stdout


def test_check_warns_when_base_url_is_unset_in_production():
    """Feeds and Open311 hand absolute links to other systems: `rongmei check` (not only
    --deploy) says so when BASE_URL would leave them pointing at 127.0.0.1."""
    env = {**os.environ, "RONGMEI_ENV": "production", "SECRET_KEY": "x" * 64 + "-prod-key-Q9",
           "ALLOWED_HOSTS": "app.example.cn", "DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}
    env.pop("BASE_URL", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run([sys.executable, "-m", "rongmei.cli", "check"], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert "rongmei.W004" in result.stderr + result.stdout
    env["BASE_URL"] = "https://app.example.cn"
    result = subprocess.run([sys.executable, "-m", "rongmei.cli", "check"], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert "rongmei.W004" not in result.stderr + result.stdout


@pytest.mark.django_db
def test_the_demo_links_to_the_port_it_is_served_on(client, settings, monkeypatch):
    """`rongmei demo --port 8765` with no BASE_URL: the absolute links feeds, ninjs and
    Open311 hand out point at :8765 (they pointed at :8000 whatever the port); a BASE_URL
    that is set is kept."""
    import io

    from django.core.management import call_command

    from rongmei.core.management.commands import demo

    ran = []
    monkeypatch.setattr(demo, "call_command", lambda name, *a, **k: ran.append((name, k)))
    monkeypatch.setenv("BASE_URL", "")
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"  # restored after the test
    call_command("demo", port=8765, stdout=io.StringIO())
    assert ("serve", {"port": 8765, "host": "127.0.0.1", "workers": ran[-1][1]["workers"]}) \
        == ran[-1]
    base = "http://127.0.0.1:8765"
    assert os.environ["BASE_URL"] == base  # what any process the demo starts reads
    discovery = client.get("/open311/discovery.json").json()
    assert discovery["endpoints"][0]["url"] == f"{base}/open311/v2"
    rss = client.get("/feeds/rss.xml").content.decode()
    assert f"<link>{base}/news/</link>" in rss
    assert client.get("/feeds/ninjs.json").json()["uri"] == f"{base}/feeds/ninjs.json"
    monkeypatch.setenv("BASE_URL", "https://app.example.cn")
    call_command("demo", port=8766, no_serve=True, stdout=io.StringIO())
    assert settings.WAGTAILADMIN_BASE_URL == base and os.environ["BASE_URL"] != base


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "RONGMEI_ENV": "production", "SECRET_KEY": ""}
    result = subprocess.run([sys.executable, "-m", "rongmei.cli", "check"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_no_inline_event_handlers_in_resident_templates():
    """The resident CSP forbids inline script, handlers included: they would silently fail."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [f"{path.relative_to(root)}: {match.group(0)}"
                 for path in root.rglob("templates/**/*.html") if "/admin/" not in str(path)
                 for match in re.finditer(r"\son[a-z]+=\"", path.read_text())]
    assert not offenders, offenders


def test_serve_runs_one_process_without_redis(settings, monkeypatch):
    """Without Redis the live channel (comments, notices, 直播答题) and the caches are in one
    process's memory: with two processes a viewer on the second never saw what the host
    published on the first."""
    import io

    from django.core.management import call_command

    from rongmei.core.management.commands import serve

    started = []
    monkeypatch.setattr(serve, "run_gunicorn", started.append)
    settings.REDIS_URL = ""
    call_command("serve", workers=5, stdout=io.StringIO())
    assert started[-1]["workers"] == 1
    settings.REDIS_URL = "redis://127.0.0.1:6379/9"
    call_command("serve", workers=5, stdout=io.StringIO())
    expected = 2 if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else 5
    assert started[-1]["workers"] == expected
