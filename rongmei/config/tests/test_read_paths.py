"""List pages and list APIs of every capability run as many queries for 50 items as for 5
(the newsroom's own, with covers and tags: rongmei/news/tests/test_read_paths.py).

Each URL is requested twice per size with a throwaway query parameter, so that the
anonymous page cache misses, and the second request is counted.
"""

from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db
_fresh = count()
_n = count()


def queries(client, url: str) -> int:
    joiner = "&" if "?" in url else "?"
    client.get(f"{url}{joiner}_={next(_fresh)}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{url}{joiner}_={next(_fresh)}")
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def same_for_5_and_50(client, urls, add):
    add(5)
    small = {url: queries(client, url) for url in urls}
    add(45)
    large = {url: queries(client, url) for url in urls}
    assert large == small


def test_comments(client):
    from rongmei.engage.models import Comment, CommentStatus
    from rongmei.engage.tests.conftest import make_story
    from rongmei.tests_support import make_user

    story = make_story()

    def add(n):
        for _ in range(n):
            comment = Comment.objects.create(page=story, author=make_user(nickname="居民"),
                                             body=f"说得好{next(_n)}",
                                             status=CommentStatus.APPROVED)
            comment.replies.create(author=make_user("editor"), body="谢谢关注")

    same_for_5_and_50(client, [f"/api/v1/engage/pages/{story.pk}/comments?limit=50",
                               f"/engage/pages/{story.pk}/comments/"], add)


def test_merchants_directory(client):
    from rongmei.merchants.models import MerchantPost, PostKind, PostStatus
    from rongmei.tests_support import make_merchant

    def add(n):
        for _ in range(n):
            merchant = make_merchant(name=f"莲城商户{next(_n):03d}")
            MerchantPost.objects.create(merchant=merchant, author=merchant.staff.get().user,
                                        kind=PostKind.NOTICE, title="新品上架", body="欢迎光临",
                                        status=PostStatus.PUBLISHED)

    same_for_5_and_50(client, ["/api/v1/merchants?limit=50", "/merchants/"], add)


def test_mall_products(client):
    from rongmei.mall.tests.conftest import make_product
    from rongmei.tests_support import make_merchant

    def add(n):
        for _ in range(n):
            make_product(make_merchant(name=f"荷塘农家{next(_n)}"), name="荷塘莲子")

    same_for_5_and_50(client, ["/api/v1/mall/products", "/mall/products/"], add)


def test_voucher_campaigns(client):
    from rongmei.tests_support import make_merchant, make_user
    from rongmei.vouchers.models import VoucherCampaign, VoucherRound

    operator = make_user("operator")
    merchant = make_merchant()

    def add(n):
        now = timezone.now()
        for _ in range(n):
            campaign = VoucherCampaign.objects.create(
                title=f"消费券{next(_n)}", issuer="merchant", issuer_merchant=merchant,
                category="retail", face_value=2000, threshold=10000, per_person_limit=1,
                require_realname=False, valid_days=7, status="published", created_by=operator)
            for hours in (1, 2):
                VoucherRound.objects.create(campaign=campaign, starts_at=now + timedelta(hours=hours),
                                            ends_at=now + timedelta(hours=hours + 1), stock=100,
                                            remaining=100)

    same_for_5_and_50(client, ["/api/v1/vouchers/campaigns", "/vouchers/"], add)
