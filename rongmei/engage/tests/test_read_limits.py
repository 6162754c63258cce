"""Read beacons are limited per address and per reader: random device ids cannot inflate a
story's reads or fill Redis with dedupe keys (issue 15)."""

from __future__ import annotations

import secrets

import pytest
import time_machine

from rongmei.engage import counters
from rongmei.engage.models import PageStats

BEACON = "/api/v1/engage/pages/{}/read"


@pytest.fixture(autouse=True)
def frozen_clock():
    """Rate limits count in fixed one-minute windows: keep the test inside one of them."""
    with time_machine.travel("2026-06-01 10:00:05 +0800", tick=False):
        yield


def reads(page) -> int:
    counters.reads_flush()
    return PageStats.objects.filter(pk=page.pk).values_list("reads", flat=True).first() or 0


def beacon(client, page, device, ip="10.8.0.1"):
    return client.post(BEACON.format(page.pk), {"device": device},
                       content_type="application/json", REMOTE_ADDR=ip)


def test_random_device_ids_from_one_address_stop_counting_at_the_limit(client, story,
                                                                       settings):
    settings.ENGAGE_READS_PER_IP_PER_MINUTE = 5
    answers = [beacon(client, story, f"random-{secrets.token_hex(6)}") for _ in range(12)]
    assert [a.status_code for a in answers].count(200) == 5
    assert {a.json()["code"] for a in answers if a.status_code != 200} == {"rate_limited"}
    assert reads(story) == 5
    # Readers elsewhere are not affected.
    assert beacon(client, story, "device-elsewhere", ip="10.9.0.7").json() == {"counted": True}
    assert reads(story) == 6


def test_one_device_is_limited_across_pages(client, db, settings):
    from .conftest import make_story

    settings.ENGAGE_READS_PER_READER_PER_MINUTE = 3
    pages = [make_story(f"稿件{n}") for n in range(5)]
    answers = [beacon(client, page, "device-0001") for page in pages]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert sum(reads(page) for page in pages) == 3
