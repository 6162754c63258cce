"""Accepting one invitation twice at once (in the app and by code, or two taps) makes one
clerk, on real PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from rongmei.merchants import services
from rongmei.merchants.models import MerchantInvitation, MerchantStaff, MerchantStaffEvent
from rongmei.tests_support import invitation_code, make_merchant, make_user, run_at_once

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: conditional updates under real concurrency")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_one_invitation_accepted_four_times_at_once_makes_one_clerk():
    shop = make_merchant()
    person = make_user(phone="13912346666")
    services.staff_invite(actor=shop.applicant, merchant=shop, phone=person.phone)
    invitation = MerchantInvitation.objects.get()
    code = invitation_code(person.phone)
    calls = [lambda: services.invitation_answer(user=person, invitation_id=invitation.pk,
                                                accept=True)] * 2 + [
        lambda: services.invitation_accept_by_code(phone=person.phone, code=code,
                                                   ip="10.0.0.1")] * 2
    outcomes = run_at_once(calls)
    assert outcomes.count("ok") == 1, outcomes
    assert MerchantStaff.objects.filter(merchant=shop, user=person).count() == 1
    assert MerchantStaffEvent.objects.filter(action="joined").count() == 1
