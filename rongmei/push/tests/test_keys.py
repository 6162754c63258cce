"""VAPID keys: configured (PEM or base64url raw), generated once for development, required
in production, and the push_keys command."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from rongmei.push import keys


@pytest.fixture
def fresh_keys(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    keys._server_key.cache_clear()
    yield settings
    keys._server_key.cache_clear()


def test_push_keys_prints_a_pair_that_configures_the_server(fresh_keys):
    for args in ((), ("--pem",)):
        out = io.StringIO()
        call_command("push_keys", *args, stdout=out)
        private_line, public_line = out.getvalue().splitlines()
        fresh_keys.VAPID_PRIVATE_KEY = private_line.split("=", 1)[1]
        assert keys.application_server_key() == public_line.rsplit(" ", 1)[1]
    assert not (fresh_keys.DATA_DIR / keys.KEY_FILE_NAME).exists()  # configured: no file


def test_pem_and_raw_forms_of_one_key_are_the_same_key():
    key = keys.generate_private_key()
    from_pem = keys.parse_private_key(keys.private_pem(key))
    from_raw = keys.parse_private_key(keys.private_raw_b64url(key))
    assert keys.public_key_b64url(from_pem) == keys.public_key_b64url(from_raw) == \
        keys.public_key_b64url(key)


@pytest.mark.parametrize("value", ["not-a-key", keys.b64url(b"\x01" * 31),
                                   "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"])
def test_a_malformed_key_is_a_configuration_error(value):
    with pytest.raises(ImproperlyConfigured):
        keys.parse_private_key(value)


def test_development_generates_one_key_once_even_when_processes_race(fresh_keys):
    results = []

    def load():
        keys._server_key.cache_clear()
        results.append(keys.public_key_b64url(keys._load_or_create_local_key()))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert keys.application_server_key() == results[0]
    key_file = fresh_keys.DATA_DIR / keys.KEY_FILE_NAME
    assert key_file.stat().st_mode & 0o077 == 0  # readable by the owner only
    assert [p.name for p in fresh_keys.DATA_DIR.iterdir()] == [keys.KEY_FILE_NAME]


def test_production_refuses_to_run_without_a_key(fresh_keys):
    fresh_keys.PRODUCTION = True
    fresh_keys.VAPID_PRIVATE_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="VAPID_PRIVATE_KEY"):
        keys.server_private_key()


def test_production_without_a_key_answers_503_and_refuses_to_broadcast(fresh_keys, client):
    from rongmei.core.errors import ServiceError
    from rongmei.push.services import broadcast

    fresh_keys.PRODUCTION = True
    fresh_keys.VAPID_PRIVATE_KEY = ""
    response = client.get("/api/v1/push/vapid-public-key")
    assert response.status_code == 503
    assert response.json()["code"] == "push_unavailable" and "VAPID" in response.json()["message"]
    with pytest.raises(ServiceError) as refused:
        broadcast(title="标题", body="内容", url="/")
    assert refused.value.code == "push_unavailable"


def test_an_unreadable_configured_key_fails_the_system_check(fresh_keys):
    from rongmei.push.checks import push_key_check

    fresh_keys.VAPID_PRIVATE_KEY = "not-a-key"
    assert [e.id for e in push_key_check(None)] == ["rongmei.push.E001"]
    fresh_keys.VAPID_PRIVATE_KEY = keys.private_raw_b64url(keys.generate_private_key())
    assert push_key_check(None) == []
    fresh_keys.VAPID_PRIVATE_KEY = ""
    assert push_key_check(None) == []
