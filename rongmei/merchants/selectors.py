"""Read paths for 企业之家. Every function shapes its queryset once, so the templates that
loop over the results run no further queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    DateTimeField,
    F,
    IntegerField,
    Prefetch,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from .models import (
    InvitationStatus,
    Merchant,
    MerchantInvitation,
    MerchantPost,
    MerchantStaff,
    MerchantStaffEvent,
    MerchantStaffRole,
    MerchantStatus,
    PostStatus,
)


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


def applications_of(*, user):
    """Everything ``user`` applied for, newest first, whatever its status."""
    return Merchant.objects.filter(applicant=user).order_by("-created_at")


@dataclass
class Workspace:
    """One shop a person works in, with what the 我的店铺 page shows for it."""

    merchant: Merchant
    role: str
    posts: list = field(default_factory=list)
    staff: list = field(default_factory=list)
    invitations: list = field(default_factory=list)  # pending, for the owner
    staff_events: list = field(default_factory=list)  # recent, for the owner

    @property
    def is_owner(self) -> bool:
        return self.role == MerchantStaffRole.OWNER

    @property
    def form_prefix(self) -> str:
        """Keeps the ids of this shop's form fields apart from another shop's on one page."""
        return f"m{self.merchant.pk}-"


def workspaces_of(*, user, post_limit: int = 20) -> list[Workspace]:
    """The approved shops ``user`` works in (owner or clerk), with their posts and staff."""
    if not user.is_authenticated:
        return []
    memberships = list(
        MerchantStaff.objects.filter(user=user, merchant__status=MerchantStatus.APPROVED)
        .select_related("merchant")
        .prefetch_related(
            Prefetch("merchant__staff",
                     queryset=MerchantStaff.objects.select_related("user").order_by("created_at")))
        .order_by("merchant__name"))
    if not memberships:
        return []
    # The newest ``post_limit`` posts of each shop, in one query however many shops.
    posts = (MerchantPost.objects.filter(merchant__in=[m.merchant_id for m in memberships])
             .annotate(_row=Window(RowNumber(), partition_by=F("merchant_id"),
                                   order_by=F("created_at").desc()))
             .filter(_row__lte=post_limit).order_by("-created_at"))
    posts_by_merchant: dict[int, list] = {}
    for post in posts:
        posts_by_merchant.setdefault(post.merchant_id, []).append(post)
    owned = [m.merchant_id for m in memberships if m.role == MerchantStaffRole.OWNER]
    invitations_by_merchant: dict[int, list] = {}
    for invitation in (MerchantInvitation.objects.filter(
            merchant__in=owned, status=InvitationStatus.PENDING, expires_at__gt=timezone.now())
            .order_by("-created_at")):
        invitations_by_merchant.setdefault(invitation.merchant_id, []).append(invitation)
    events_by_merchant: dict[int, list] = {}
    for event in (MerchantStaffEvent.objects.filter(merchant__in=owned)
                  .select_related("actor")
                  .annotate(_row=Window(RowNumber(), partition_by=F("merchant_id"),
                                        order_by=F("created_at").desc()))
                  .filter(_row__lte=10).order_by("-created_at", "-pk")):
        events_by_merchant.setdefault(event.merchant_id, []).append(event)
    return [
        Workspace(merchant=m.merchant, role=m.role,
                  posts=posts_by_merchant.get(m.merchant_id, []),
                  staff=list(m.merchant.staff.all()),
                  invitations=invitations_by_merchant.get(m.merchant_id, []),
                  staff_events=events_by_merchant.get(m.merchant_id, []))
        for m in memberships
    ]


def invitations_for(*, user):
    """Pending clerk invitations to the number ``user`` signed in with (not yet expired)."""
    if not user.is_authenticated or not user.phone:
        return MerchantInvitation.objects.none()
    return (MerchantInvitation.objects.select_related("merchant")
            .filter(phone=user.phone, status=InvitationStatus.PENDING,
                    expires_at__gt=timezone.now(), merchant__status=MerchantStatus.APPROVED)
            .order_by("-created_at"))


def pending_first(queryset, *, pending: str):
    """Order a review list: what waits comes first (oldest first), then the rest, newest first."""
    return queryset.annotate(
        _waiting=Case(When(status=pending, then=Value(0)), default=Value(1),
                      output_field=IntegerField()),
        _queued_at=Case(When(status=pending, then=F("created_at")),
                        output_field=DateTimeField()),
    ).order_by("_waiting", F("_queued_at").asc(nulls_last=True), "-created_at")


def merchant_review_list():
    return pending_first(Merchant.objects.select_related("applicant", "reviewed_by"),
                         pending=MerchantStatus.PENDING)


def post_review_list():
    return pending_first(MerchantPost.objects.select_related("merchant", "author"),
                         pending=PostStatus.PENDING)
