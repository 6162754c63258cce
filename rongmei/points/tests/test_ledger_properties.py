"""A property-based (hypothesis stateful) test of the ledger: whatever sequence of earns,
spends, refunds, adjustments and expiries happens, the books balance."""

from datetime import datetime, timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from rongmei.core.errors import ServiceError
from rongmei.points import services
from rongmei.points.models import EarningRule, PointsAccount, PointsEntry, PointsLot
from rongmei.tests_support import make_user

TZ = timezone.get_fixed_timezone(8 * 60)  # Asia/Shanghai


@pytest.mark.django_db
def test_ledger_state_machine(rules):
    operator = make_user("operator")

    class Ledger(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.user = make_user()
            self.now = datetime(2026, 1, 1, 9, tzinfo=TZ)
            self.spends = []
            self.refunded = set()
            self.counter = 0

        def _key(self, prefix):
            self.counter += 1
            return f"{prefix}:{self.user.pk}:{self.counter}"

        @rule(action=st.sampled_from(["read_article", "quiz", "share", "watch_video"]),
              source=st.integers(0, 5))
        def earn(self, action, source):
            services.points_earn(user=self.user, action=action, source=f"s:{source}",
                                 now=self.now)

        @rule(amount=st.integers(1, 15))
        def spend(self, amount):
            try:
                self.spends.append(services.points_spend(
                    user=self.user, amount=amount, action="mall", reason="兑换",
                    source="order", key=self._key("spend"), now=self.now))
            except ServiceError as exc:
                assert exc.code == "insufficient_points"

        @precondition(lambda self: any(s.pk not in self.refunded for s in self.spends))
        @rule(data=st.data())
        def refund(self, data):
            spend = data.draw(st.sampled_from([s for s in self.spends
                                               if s.pk not in self.refunded]))
            services.points_refund(spend=spend, reason="退款", now=self.now)
            self.refunded.add(spend.pk)

        @rule(amount=st.integers(-10, 10).filter(bool))
        def adjust(self, amount):
            try:
                services.points_adjust(actor=operator, user=self.user, amount=amount,
                                       note="测试", now=self.now)
            except ServiceError as exc:
                assert exc.code == "insufficient_points"

        @rule(hours=st.sampled_from([1, 13, 24 * 40, 24 * 200]))
        def time_passes(self, hours):
            self.now += timedelta(hours=hours)
            services.points_expire(now=self.now)

        @invariant()
        def books_balance(self):
            account = PointsAccount.objects.filter(user=self.user).first()
            if account is None:
                return
            entries = PointsEntry.objects.filter(account=account)
            total = entries.aggregate(s=Sum("amount"))["s"] or 0
            lots = PointsLot.objects.filter(account=account).aggregate(
                s=Sum("remaining"))["s"] or 0
            assert account.balance == total == lots >= 0
            assert not entries.filter(balance_after__lt=0).exists()

    Ledger.TestCase.settings = settings(max_examples=15, stateful_step_count=25, deadline=None,
                                        suppress_health_check=list(HealthCheck))
    assert EarningRule.objects.exists()
    Ledger.TestCase().runTest()
