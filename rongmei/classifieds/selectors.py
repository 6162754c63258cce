"""Reads for 民生信息: the public list with filters, a post, 我的发布, the review queues."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db.models import Count, Q

from .models import Category, Post, PostStatus, Report, ReportStatus

SEARCH_FIELDS = ("title", "body", "fields__community", "fields__item", "fields__position",
                 "fields__employer", "fields__layout")


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and number >= 0 else None


def public_posts(*, category: Category | None = None, query: str = "", filters=None):
    """Live posts, newest first; ``filters`` may hold price_min/price_max/area_min/area_max
    and exact field values (layout, condition) of the category."""
    posts = (Post.objects.filter(status=PostStatus.PUBLISHED).select_related(
                 "category", "merchant", "unit")
             .prefetch_related("photos"))
    if category is not None:
        posts = posts.filter(category=category)
    filters = filters or {}
    for key, lookup in (("price_min", "price__gte"), ("price_max", "price__lte"),
                        ("area_min", "area__gte"), ("area_max", "area__lte")):
        number = _decimal(filters.get(key)) if filters.get(key) not in (None, "") else None
        if number is not None:
            posts = posts.filter(**{lookup: number})
    for key in ("layout", "condition"):
        if filters.get(key):
            posts = posts.filter(**{f"fields__{key}": str(filters[key])[:20]})
    query = (query or "").strip()[:30]
    if query:
        condition = Q()
        for field in SEARCH_FIELDS:
            condition |= Q(**{f"{field}__icontains": query})
        posts = posts.filter(condition)
    return posts.order_by("-published_at", "-pk")


def live_post(pk) -> Post | None:
    return (Post.objects.filter(pk=pk, status=PostStatus.PUBLISHED)
            .select_related("category", "merchant", "unit").prefetch_related("photos").first())


def visible_post(pk, user) -> Post | None:
    """A live post, or the viewer's own post in any state."""
    post = (Post.objects.filter(pk=pk).select_related("category", "merchant", "unit")
            .prefetch_related("photos").first())
    if post is None:
        return None
    if post.status == PostStatus.PUBLISHED or (user.is_authenticated
                                               and post.author_id == user.pk):
        return post
    return None


def mine(user):
    return (Post.objects.filter(author=user).select_related("category")
            .prefetch_related("photos").order_by("-created_at"))


def categories():
    return list(Category.objects.all())


def open_categories():
    return list(Category.objects.filter(is_open=True))


def review_queue():
    return (Post.objects.filter(status=PostStatus.PENDING).select_related("category", "author")
            .prefetch_related("photos").order_by("created_at"))


def report_queue():
    return (Report.objects.filter(status=ReportStatus.OPEN)
            .select_related("post", "post__category", "reporter")
            .annotate(reports=Count("post__reports")).order_by("created_at"))
