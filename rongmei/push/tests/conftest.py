import pytest


@pytest.fixture
def push_service(tmp_path, settings, monkeypatch):
    """The stand-in push service on https://127.0.0.1:<port>, trusted by requests for this
    test, accepted as an endpoint host, retries without pauses."""
    from rongmei.push.keys import application_server_key

    from .push_service import StandInPushService

    service = StandInPushService(tmp_path).start()
    service.application_server_key = application_server_key()
    settings.PUSH_ENDPOINT_HOSTS = ("127.0.0.1",)
    settings.PUSH_RETRY_DELAY_SECONDS = 0
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(service.cert_file))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    try:
        yield service
    finally:
        service.stop()


def subscribe(client, subscription: dict, **extra):
    import json

    return client.post("/api/v1/push/subscriptions", json.dumps(subscription),
                       content_type="application/json", **extra)
