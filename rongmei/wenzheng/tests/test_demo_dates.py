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
