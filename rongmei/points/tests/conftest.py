import pytest



@pytest.fixture
def rules(db):
    """The default earning rules (transactional tests flush what migrations created)."""
    from importlib import import_module

    from rongmei.points.models import EarningRule

    default = import_module("rongmei.points.migrations.0002_default_rules")
    for order, (action, label, points, cap) in enumerate(default.RULES):
        EarningRule.objects.get_or_create(action=action, defaults={
            "label": label, "points": points, "daily_cap": cap, "sort_order": order})
    return {r.action: r for r in EarningRule.objects.all()}
