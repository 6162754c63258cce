import pytest


@pytest.fixture
def shop(db):
    """An approved merchant, its owner, and an operator."""
    from types import SimpleNamespace

    from rongmei.tests_support import make_merchant, make_user

    merchant = make_merchant(name="荷塘农家")
    return SimpleNamespace(merchant=merchant, owner=merchant.staff.get().user,
                           operator=make_user("operator"))


def make_product(merchant, **fields):
    from rongmei.mall.models import Product, ProductStatus

    values = {"name": "荷塘莲子", "description": "本地特产", "stock": 10, "price_points": 100,
              "price_cash": 0, "per_person_limit": 2, "pickup": True, "delivery": True,
              "status": ProductStatus.APPROVED}
    values.update(fields)
    return Product.objects.create(merchant=merchant, **values)


def give_points(user, amount, operator=None):
    from rongmei.points.services import points_adjust
    from rongmei.tests_support import make_user

    return points_adjust(actor=operator or make_user("operator"), user=user, amount=amount,
                         note="测试发放")


def balance(user) -> int:
    from rongmei.points.models import PointsAccount

    account = PointsAccount.objects.filter(user=user).first()
    return account.balance if account else 0
