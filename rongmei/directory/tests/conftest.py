"""Fixtures for 服务+ tests: a few categories and services, people in roles."""

from __future__ import annotations

import pytest


@pytest.fixture
def operator(make_user):
    from rongmei.core.roles import OPERATOR

    return make_user(OPERATOR)


@pytest.fixture
def categories(db):
    from rongmei.directory.demo import CATEGORIES
    from rongmei.directory.models import ServiceCategory

    return {name: ServiceCategory.objects.create(name=name, kind=kind, icon=icon, order=order)
            for name, kind, icon, order in CATEGORIES}


@pytest.fixture
def shebao(categories):
    from rongmei.directory.models import Service

    service = Service(name="社会保险参保登记", kind="government", category=categories["社保"],
                      url="https://si.example.gov.cn/", tags="社保,参保",
                      materials="身份证", steps="1. 登录\n2. 提交", hours="工作日")
    service.save()
    return service


@pytest.fixture
def water(categories):
    from rongmei.directory.models import Service

    service = Service(name="水费查询缴纳", kind="livelihood", category=categories["水电气"],
                      url="https://water.example/", tags="水费,缴费", requires_login=True)
    service.save()
    return service
