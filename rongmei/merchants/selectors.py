"""Read paths for 企业之家."""

from django.db.models import Q

from .models import Merchant, MerchantPost, MerchantStatus, PostStatus


def directory(*, category: str | None = None, query: str = ""):
    merchants = Merchant.objects.filter(status=MerchantStatus.APPROVED)
    if category:
        merchants = merchants.filter(category=category)
    query = (query or "").strip()[:30]
    if query:
        merchants = merchants.filter(Q(name__icontains=query) | Q(intro__icontains=query)
                                     | Q(address__icontains=query))
    return merchants.order_by("name")


def public_posts(*, merchant: Merchant | None = None, limit: int = 20):
    posts = (MerchantPost.objects.filter(status=PostStatus.PUBLISHED,
                                         merchant__status=MerchantStatus.APPROVED)
             .select_related("merchant"))
    if merchant is not None:
        posts = posts.filter(merchant=merchant)
    return posts.order_by("-published_at")[:limit]


def live_merchant(*, pk: int) -> Merchant | None:
    return Merchant.objects.filter(pk=pk, status=MerchantStatus.APPROVED).first()
