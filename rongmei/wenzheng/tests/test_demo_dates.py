"""The demo county's 问政 data never lies about time: nothing happened after now."""

import random

import pytest
from django.db.models import DateTimeField
from django.utils import timezone

from rongmei.wenzheng import models

pytestmark = pytest.mark.django_db


class RecentAndSlow(random.Random):
    """The worst case for honest dates: every case submitted two days ago (the shortest
    spread) and handled over the longest stretch (200 hours)."""

    def randint(self, a, b):
        return a if (a, b) == (2, 180) else super().randint(a, b)

    def choice(self, seq):
        return max(seq) if list(seq) == [2, 6, 20, 30, 60, 120, 200] else super().choice(seq)


def test_no_demo_case_was_answered_or_touched_after_now(wz, make_user):
    from rongmei.core.roles import DIRECTOR, PROPAGANDA, WENZHENG_HANDLER
    from rongmei.wenzheng.demo import seed_cases

    for i in range(30):
        make_user(phone=f"152{i:08d}", nickname=f"居民{i}")
    make_user(WENZHENG_HANDLER), make_user(PROPAGANDA), make_user(DIRECTOR)
    assert seed_cases(wz.county.root, count=30, rng=RecentAndSlow(11)) == 30
    now = timezone.now()
    assert models.Case.objects.exclude(answered_at=None).exists()
    future = {}
    from rongmei.notices.models import Notice

    for model in (models.Case, models.CaseEvent, models.CaseAssignment, models.UnitRequest,
                  models.CaseReply, models.CaseRating, models.Briefing, models.TransferNotice,
                  models.Instruction, Notice, models.CaseDeadline):
        for field in model._meta.concrete_fields:
            if not isinstance(field, DateTimeField) or field.auto_now:
                continue
            # Planned moments, not events: due times (deadlines, 告知单), and the start of a
            # close window, which the services set to when the reply is due.
            if field.name == "due_at" or (model is models.CaseDeadline
                                          and field.name == "created_at"):
                continue
            late = model.objects.filter(**{f"{field.name}__gt": now}).count()
            if late:
                future[f"{model.__name__}.{field.name}"] = late
    assert future == {}
    for case in models.Case.objects.exclude(answered_at=None):
        assert case.created_at <= case.answered_at <= (case.closed_at or now)


def test_a_demo_receipt_number_names_the_day_the_case_was_filed(client, wz, make_user):
    """受理编号 carries the filing day (WZ20260906…): a case the demo moved back months was
    numbered with the day of seeding, so Open311 showed WZ20261203… requested in September."""
    import re

    from rongmei.core.roles import DIRECTOR, PROPAGANDA, WENZHENG_HANDLER
    from rongmei.notices.models import Notice
    from rongmei.wenzheng.demo import seed_cases

    for i in range(20):
        make_user(phone=f"152{i:08d}", nickname=f"居民{i}")
    make_user(WENZHENG_HANDLER), make_user(PROPAGANDA), make_user(DIRECTOR)
    assert seed_cases(wz.county.root, count=20, rng=random.Random(5)) == 20
    receipts = list(models.Case.objects.values_list("receipt_no", flat=True))
    response = client.get("/open311/v2/requests.json",
                          {"service_request_id": ",".join(receipts)})
    assert response.status_code == 200
    shown = response.json()
    assert len(shown) >= 5
    for item in shown:
        filed = item["requested_datetime"][:10].replace("-", "")
        assert item["service_request_id"][2:10] == filed, item
    assert any(item["requested_datetime"][:10] < timezone.localdate().isoformat()
               for item in shown)
    quoted = set()
    for title, body in Notice.objects.values_list("title", "body"):
        quoted |= set(re.findall(r"WZ\d{8}[0-9A-Z]{5}", title + body))
    assert quoted and quoted <= set(receipts)
