"""The grab's per-device limit keys on what the server issues — a signed device cookie, the
account — and the address; never on an id the client makes up."""

import pytest
import time_machine

from rongmei.accounts.services import api_token_issue
from rongmei.tests_support import make_campaign
from rongmei.vouchers.models import Voucher
from rongmei.vouchers.views import DEVICE_COOKIE


@pytest.fixture(autouse=True)
def frozen_clock():
    """Rate limits count in fixed one-minute windows: keep the test inside one of them."""
    with time_machine.travel("2026-06-01 10:00:05 +0800", tick=False):
        yield


@pytest.fixture
def tight(settings):
    settings.VOUCHER_GRAB_PER_ACCOUNT_PER_MINUTE = 3
    settings.VOUCHER_GRAB_PER_DEVICE_PER_MINUTE = 3
    settings.VOUCHER_GRAB_PER_IP_PER_MINUTE = 1000
    return settings


@pytest.mark.django_db
def test_an_api_client_rotating_device_headers_is_still_limited_per_account(
        client, make_user, tight):
    campaign = make_campaign(stock=10, per_person_limit=1)
    url = f"/api/v1/vouchers/rounds/{campaign.rounds.get().pk}/grab"
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=make_user())}"}
    answers = [client.post(url, HTTP_X_DEVICE_ID=f"made-up-device-{n}", **bearer)
               for n in range(5)]
    assert [a.status_code for a in answers] == [200, 409, 409, 429, 429]
    assert answers[3].json()["code"] == "rate_limited"
    assert Voucher.objects.count() == 1 and Voucher.objects.get().claim_device == ""


@pytest.mark.django_db
def test_the_h5_device_is_a_signed_cookie_shared_by_every_account_on_that_phone(
        client, make_user, tight):
    campaign = make_campaign(stock=10, per_person_limit=1)
    url = f"/vouchers/r/{campaign.rounds.get().pk}/grab/"
    first = make_user()
    client.force_login(first)
    client.get(f"/vouchers/c/{campaign.pk}/")
    issued = client.cookies[DEVICE_COOKIE].value
    client.post(url)
    device = Voucher.objects.get(user=first).claim_device
    assert len(device) == 22 and issued.startswith(f"{device}:")  # value:signature
    # Two more accounts on the same phone share the device's budget of three a minute.
    for _ in range(2):
        client.force_login(make_user())
        client.post(url)
    client.force_login(make_user())
    refused = client.post(url, {"campaign": campaign.pk}, follow=True)
    assert "操作过于频繁" in refused.content.decode()
    assert Voucher.objects.count() == 3


@pytest.mark.django_db
def test_a_device_cookie_the_server_did_not_sign_is_ignored_and_replaced(client, make_user):
    campaign = make_campaign(stock=10)
    person = make_user()
    client.force_login(person)
    client.cookies[DEVICE_COOKIE] = "my-own-made-up-id"
    page = client.get(f"/vouchers/c/{campaign.pk}/")
    assert page.cookies[DEVICE_COOKIE].value != "my-own-made-up-id"  # a signed one instead
    client.cookies[DEVICE_COOKIE] = "another-made-up-id"
    client.post(f"/vouchers/r/{campaign.rounds.get().pk}/grab/")
    assert Voucher.objects.get(user=person).claim_device == ""
