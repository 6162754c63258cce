"""The ``mall-redeem`` bench scenario sets up, sends valid orders, and verifies the books."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_mall_redeem_scenario_round_trip(client, shop, monkeypatch):
    from bench.scenarios import SCENARIOS

    monkeypatch.setenv("BENCH_MALL_STOCK", "3")
    monkeypatch.setenv("BENCH_MALL_RESIDENTS", "5")
    monkeypatch.setattr("rongmei.units.demo.operator_phone", lambda: shop.operator.phone)
    scenario = SCENARIOS["mall-redeem"]
    context = scenario.setup()
    targets = scenario.targets(context)
    assert len(targets) == 5
    statuses = []
    for target in targets:
        response = client.generic(target.method, target.path, target.body,
                                  content_type="application/json",
                                  HTTP_AUTHORIZATION=target.headers["Authorization"])
        assert response.status_code in target.expect_status
        statuses.append(response.status_code)
    assert statuses.count(200) == 3 and statuses.count(409) == 2
    result = scenario.verify(context)
    assert result["oversold"] == 0 and result["books_balance"] and result["sold"] == 3
    assert result["negative_balances"] == 0
