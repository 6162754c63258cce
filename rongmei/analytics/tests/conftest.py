"""Fixtures for the 数据 tests: the buffer backend (files, or Redis when REDIS_URL is set),
a clock for the beacon, and helpers that go through the doors (HTTP, the timer command)."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from rongmei.analytics import services

REDIS_URL = os.environ.get("REDIS_URL", "")
BACKENDS = ["file"] + (["redis"] if REDIS_URL else [])


@pytest.fixture(params=BACKENDS)
def backend(request, settings, tmp_path):
    settings.ANALYTICS_BUFFER_DIR = str(tmp_path / "buffer")
    from rongmei.analytics import buffer

    buffer._batcher.rates.clear()  # this process's per-minute counts from earlier tests
    if request.param == "file":
        settings.REDIS_URL = ""
    else:
        from rongmei.core.redis import get_redis

        get_redis().flushdb()
    return request.param


class Clock:
    """The receive time the beacon stamps on events: set it to any county-local moment."""

    def __init__(self, monkeypatch):
        self.moment = timezone.now()
        monkeypatch.setattr(services, "now_ms", lambda: int(self.moment.timestamp() * 1000))

    def at(self, day: date, hour: int = 10, minute: int = 0):
        self.moment = datetime.combine(day, time(hour, minute),
                                       tzinfo=timezone.get_current_timezone())
        return self


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def signed(device: str) -> str:
    """The id as the server would have issued it (``POST /analytics/device``)."""
    from rongmei.analytics.devices import sign

    return sign(device)


def send(client, device: str, events: list[dict], **extra):
    response = client.post("/analytics/collect", {"device": signed(device), "events": events},
                           content_type="application/json", **extra)
    assert response.status_code == 204, response.content
    return response


def aggregate() -> str:
    out = StringIO()
    call_command("analytics_aggregate", "--all", stdout=out)
    return out.getvalue()


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)
