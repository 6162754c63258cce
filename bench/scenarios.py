"""Benchmark scenarios and their registry.

A scenario is a small class registered with ``@register``. It names the requests the load
generator sends (``targets``) and may:

* ``setup()`` — create what it needs in the bench database. It runs in a child process with
  Django configured for the bench database (after ``migrate`` and ``seed-demo``), never in
  the process that runs ``rongmei bench``, and returns a JSON-able context for ``targets``.
* ``tally_header`` — name a response header whose values the load generator counts.
* ``report()`` — add fields to the JSON report, e.g. a voucher grab's claims and stock left.

Adding one, e.g. a cached article page::

    @register
    class ArticleCached(Scenario):
        name = "article-cached"
        summary = "匿名访问已缓存的文章页"
        target_ratio = 0.6
        tally_header = PAGE_CACHE_HEADER

        def setup(self):
            from rongmei.newsroom.models import Article
            return {"path": Article.objects.live().first().url}

        def targets(self, context):
            return [Target(context["path"])]

This module imports nothing from Django at import time: the load generator and the parent
process read it without the bench database's settings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, ClassVar

from . import BenchError

if TYPE_CHECKING:
    from .load import LoadResult

PAGE_CACHE_HEADER = "X-Page-Cache"  # "hit" or "miss", set by rongmei.core.pagecache
STATUS_TALLY = ":status"  # as a scenario's tally_header: count responses by status code


@dataclass(frozen=True)
class Target:
    """One request the load generator sends; connections cycle through a scenario's list.

    With several targets, connection *c* of *C* sends targets c, c + C, c + 2C, … so that,
    until the list wraps, no two requests share a target (one grab per resident, say).
    """

    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    expect_status: int | list[int] = 200  # a list when several answers are correct

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Target:
        return cls(**data)


FLOOR = Target("/_hello")  # rongmei.core.views.hello: "ok", no database, no cache


class Scenario:
    """Base class: subclass, set ``name`` and ``summary``, implement ``targets``."""

    name: ClassVar[str]
    summary: ClassVar[str]
    target_ratio: ClassVar[float | None] = None  # the product brief's goal, if it sets one
    tally_header: ClassVar[str | None] = None

    def setup(self) -> dict:
        return {}

    def targets(self, context: dict) -> list[Target]:
        raise NotImplementedError

    def report(self, result: LoadResult, context: dict) -> dict:
        return {}

    # Scenarios that change data check the outcome afterwards in the database: ``verify()``
    # runs in a child process with Django configured for the bench database.
    verifies: ClassVar[bool] = False

    def verify(self, context: dict) -> dict:
        return {}

    # Scenarios that write while the load reads (moderation during a live event) implement
    # ``background()``: it runs in a child process (``bench.background``) for the whole
    # measurement and returns figures for the report once ``stop`` is set.
    has_background: ClassVar[bool] = False

    def background(self, context: dict, *, stop, seconds: float) -> dict:
        return {}


SCENARIOS: dict[str, Scenario] = {}


def register(cls: type[Scenario]) -> type[Scenario]:
    if cls.name in SCENARIOS:
        raise ValueError(f"bench scenario {cls.name!r} is registered twice")
    SCENARIOS[cls.name] = cls()
    return cls


def get_scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise BenchError(f"没有名为 {name!r} 的基准场景（可选：{', '.join(SCENARIOS)}）") from None


@register
class Floor(Scenario):
    name = "floor"
    summary = "基线自测：/_hello 对自身，比值应约等于 1"

    def targets(self, context):
        return [FLOOR]


@register
class HomeCached(Scenario):
    name = "home-cached"
    summary = "匿名访问首页 /，由整页缓存应答（首个请求预热缓存）"
    target_ratio = 0.6  # "a cached article/feed page at ≥ 60% of hello-world throughput"
    tally_header = PAGE_CACHE_HEADER

    def targets(self, context):
        return [Target("/")]

    def report(self, result, context):
        hits = result.tally.get("hit", 0)
        answered = sum(result.tally.values())
        return {
            "page_cache_hits": hits,
            "page_cache_misses": result.tally.get("miss", 0),
            "page_cache_hit_ratio": round(hits / answered, 4) if answered else 0.0,
        }


@register
class VoucherGrab(Scenario):
    """抢券: 50,000 residents press "grab" on a round of 10,000 vouchers.

    Each connection sends a different resident's bearer token (no resident presses twice
    until the list wraps). Winners get 200, everyone after the sell-out 409; both are correct
    answers. Afterwards the database is checked: exactly ``stock`` issued, ``oversold`` 0.
    """

    name = "voucher-grab"
    summary = "5万人抢1万张消费券（POST /api/v1/vouchers/rounds/<id>/grab）"
    target_ratio = 0.5  # "a voucher grab at ≥ 50% of hello-world throughput"
    tally_header = STATUS_TALLY
    verifies = True
    # The issue's example crowd; BENCH_VOUCHER_STOCK / BENCH_VOUCHER_RESIDENTS change it
    # (e.g. a smaller stock shows the sold-out phase within a short measurement).
    stock = 10_000
    residents = 50_000

    def setup(self):
        import os

        self.stock = int(os.environ.get("BENCH_VOUCHER_STOCK", self.stock))
        self.residents = int(os.environ.get("BENCH_VOUCHER_RESIDENTS", self.residents))
        import hashlib
        import secrets
        from datetime import timedelta

        from django.utils import timezone

        from rongmei.accounts.models import AppToken, User
        from rongmei.units.demo import operator_phone
        from rongmei.vouchers import grab
        from rongmei.vouchers.models import VoucherCampaign, VoucherRound

        phones = [str(17000000000 + i) for i in range(self.residents)]
        User.objects.bulk_create([User(phone=p, password="!") for p in phones],
                                 batch_size=5000, ignore_conflicts=True)
        users = list(User.objects.filter(phone__in=phones).values_list("pk", flat=True))
        AppToken.objects.filter(label="bench").delete()
        now = timezone.now()
        tokens = [secrets.token_urlsafe(24) for _ in users]
        AppToken.objects.bulk_create([
            AppToken(user_id=user_id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                     label="bench", expires_at=now + timedelta(days=1), last_used_at=now)
            for user_id, token in zip(users, tokens)], batch_size=5000)
        operator = User.objects.get(phone=operator_phone())
        campaign = VoucherCampaign.objects.create(
            title="基准测试消费券", issuer="government", category="retail", face_value=2000,
            threshold=10000, per_person_limit=1, require_realname=False, valid_days=7,
            status="published", created_by=operator)
        round_obj = VoucherRound.objects.create(
            campaign=campaign, starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=2), stock=self.stock, remaining=self.stock)
        grab.prime(round_obj, force=True)
        return {"round_id": round_obj.pk, "campaign_id": campaign.pk, "tokens": tokens}

    def targets(self, context):
        path = f"/api/v1/vouchers/rounds/{context['round_id']}/grab"
        return [Target(path, method="POST", headers={"Authorization": f"Bearer {token}"},
                       expect_status=[200, 409])
                for token in context["tokens"]]

    def report(self, result, context):
        return {"won_200": result.tally.get("200", 0), "sold_out_409": result.tally.get("409", 0)}

    def verify(self, context):
        from django.db.models import Count

        from rongmei.vouchers.models import Voucher, VoucherRound

        round_obj = VoucherRound.objects.get(pk=context["round_id"])
        issued = Voucher.objects.filter(round=round_obj).count()
        over_limit = (Voucher.objects.filter(campaign_id=context["campaign_id"])
                      .values("user").annotate(n=Count("pk")).filter(n__gt=1).count())
        return {"stock": round_obj.stock, "issued": issued,
                "oversold": max(0, issued - round_obj.stock), "remaining": round_obj.remaining,
                "over_limit_holders": over_limit,
                "books_balance": issued + round_obj.remaining == round_obj.stock}


@register
class MallRedeem(Scenario):
    """商城兑换: many residents order one hot product (points price) at once.

    Each connection sends a different resident's bearer token and idempotency key. Winners
    get 200, everyone after the sell-out 409. Afterwards the database is checked: orders
    never exceed the stock (``oversold`` 0), no balance is negative, the ledger balances.
    Residents' points are granted through ``points_adjust`` (the real write path), so setup
    takes a while for large crowds: BENCH_MALL_RESIDENTS / BENCH_MALL_STOCK change it.
    """

    name = "mall-redeem"
    summary = "5千人抢兑1千件商城热门商品（POST /api/v1/mall/orders）"
    tally_header = STATUS_TALLY
    verifies = True
    stock = 1_000
    residents = 5_000
    price_points = 100

    def setup(self):
        import hashlib
        import os
        import secrets
        from datetime import timedelta

        from django.utils import timezone

        from rongmei.accounts.models import AppToken, User
        from rongmei.mall.models import Product
        from rongmei.merchants.models import Merchant
        from rongmei.points.services import points_adjust
        from rongmei.units.demo import operator_phone

        stock = int(os.environ.get("BENCH_MALL_STOCK", self.stock))
        residents = int(os.environ.get("BENCH_MALL_RESIDENTS", self.residents))
        phones = [str(17600000000 + i) for i in range(residents)]
        User.objects.bulk_create([User(phone=p, password="!") for p in phones],
                                 batch_size=5000, ignore_conflicts=True)
        users = list(User.objects.filter(phone__in=phones))
        operator = User.objects.get(phone=operator_phone())
        for user in users:
            points_adjust(actor=operator, user=user, amount=self.price_points,
                          note="基准测试发放")
        AppToken.objects.filter(label="bench-mall").delete()
        now = timezone.now()
        tokens = [secrets.token_urlsafe(24) for _ in users]
        AppToken.objects.bulk_create([
            AppToken(user_id=user.pk, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                     label="bench-mall", expires_at=now + timedelta(days=1), last_used_at=now)
            for user, token in zip(users, tokens)], batch_size=5000)
        merchant = Merchant.objects.filter(status="approved").first()
        if merchant is None:
            raise BenchError("演示数据中没有已入驻的商户（请先运行 seed-demo）")
        product = Product.objects.create(
            merchant=merchant, name="基准测试特产", stock=stock, price_points=self.price_points,
            per_person_limit=1, status="approved")
        return {"product_id": product.pk, "tokens": tokens, "stock": stock}

    def targets(self, context):
        import json

        return [Target("/api/v1/mall/orders", method="POST",
                       headers={"Authorization": f"Bearer {token}",
                                "Content-Type": "application/json"},
                       body=json.dumps({"product_id": context["product_id"], "quantity": 1,
                                        "fulfilment": "pickup",
                                        "idempotency_key": f"bench-{i}"}),
                       expect_status=[200, 409])
                for i, token in enumerate(context["tokens"])]

    def report(self, result, context):
        return {"ordered_200": result.tally.get("200", 0),
                "sold_out_409": result.tally.get("409", 0)}

    def verify(self, context):
        from django.db.models import Sum

        from rongmei.mall.models import Order, Product
        from rongmei.points.models import PointsAccount

        product = Product.objects.get(pk=context["product_id"])
        sold = (Order.objects.filter(product=product).exclude(status="cancelled")
                .aggregate(n=Sum("quantity"))["n"] or 0)
        return {"stock": context["stock"], "sold": sold, "stock_left": product.stock,
                "oversold": max(0, sold - context["stock"]),
                "books_balance": sold + product.stock == context["stock"],
                "negative_balances": PointsAccount.objects.filter(balance__lt=0).count()}


def _first_story_path() -> str:
    from rongmei.news.models import FeedEntry

    entry = FeedEntry.objects.filter(kind="article").order_by("-published_at").first()
    if entry is None:
        raise BenchError("演示数据中没有已发布的稿件（请先运行 seed-demo）")
    return entry.url


@register
class ArticleCached(Scenario):
    name = "article-cached"
    summary = "匿名访问已缓存的文章页（首个请求预热缓存）"
    target_ratio = 0.6
    tally_header = PAGE_CACHE_HEADER

    def setup(self):
        return {"path": _first_story_path()}

    def targets(self, context):
        return [Target(context["path"])]

    def report(self, result, context):
        return HomeCached.report(self, result, context)


@register
class FeedCached(Scenario):
    name = "feed-cached"
    summary = "匿名访问已缓存的新闻栏目页 /news/?channel=yaowen"
    target_ratio = 0.6
    tally_header = PAGE_CACHE_HEADER

    def targets(self, context):
        return [Target("/news/?channel=yaowen")]

    def report(self, result, context):
        return HomeCached.report(self, result, context)


@register
class FeedScale(Scenario):
    """Feed queries at 1,000 and 100,000 stories: keyset pagination must not slow down.

    Setup writes 101,000 stories straight into the page tree and the feed copy (bulk, not
    through the editor). The HTTP load reads the uncached app API deep inside the
    100,000-story channel; ``verify`` then times the feed query itself at random depths of
    the 1,000- and the 100,000-story channel and reports ``p50_1k_ms``, ``p50_100k_ms`` and
    their ``quotient`` (target ≤ 1.3).
    """

    # ``rongmei bench feed-scale`` is now bench/feed_scale.py: the two sites in separate
    # databases. This scenario keeps the HTTP throughput deep inside one big channel.
    name = "feed-deep"
    summary = "10万条稿件的频道中按游标深翻页（GET /api/v1/news/feed，不走缓存）"
    verifies = True
    small, large = 1_000, 100_000

    def setup(self):
        import random

        from rongmei.news import selectors
        from rongmei.news.bulk import bulk_stories
        from rongmei.news.models import Channel

        small = Channel.objects.create(name="基准千条", slug="bench-1k", sort_order=90)
        large = Channel.objects.create(name="基准十万", slug="bench-100k", sort_order=91)
        bulk_stories(channel=small, count=self.small, prefix="b1k", covers=True)
        bulk_stories(channel=large, count=self.large, prefix="b100k", covers=True)
        rng = random.Random(7)
        cursors = {}
        for channel, total in ((small, self.small), (large, self.large)):
            cursors[channel.slug] = [_cursor_at(selectors, channel, rng.randrange(total - 25))
                                     for _ in range(100)]
        return {"cursors": cursors}

    def targets(self, context):
        return [Target(f"/api/v1/news/feed?channel=bench-100k&cursor={cursor}")
                for cursor in context["cursors"]["bench-100k"]]

    def verify(self, context):
        import statistics
        import time

        from rongmei.news import selectors
        from rongmei.news.models import Channel

        channels = {slug: Channel.objects.get(slug=slug) for slug in ("bench-1k", "bench-100k")}
        timings = {slug: [] for slug in channels}
        # Alternate the two channels query by query, so whatever else the machine does drifts
        # over both alike (as the floor and the scenario alternate in the HTTP measurement).
        for round_no in range(6):
            for i in range(len(context["cursors"]["bench-1k"])):
                for slug, channel in channels.items():
                    started = time.perf_counter()
                    page = selectors.feed(channel=channel, cursor=context["cursors"][slug][i])
                    elapsed = (time.perf_counter() - started) * 1000
                    assert len(page.entries) == selectors.PAGE_SIZE
                    if round_no:  # the first round warms connections and caches
                        timings[slug].append(elapsed)
        small = statistics.median(timings["bench-1k"])
        large = statistics.median(timings["bench-100k"])
        return {"p50_1k_ms": round(small, 3), "p50_100k_ms": round(large, 3),
                "quotient": round(large / small, 3) if small else None,
                "target_quotient": 1.3}


def _cursor_at(selectors, channel, depth: int) -> str:
    from rongmei.news.models import FeedEntry

    entry = (FeedEntry.objects.filter(channel=channel).order_by("-published_at", "-page_id")
             [depth:depth + 1].get())
    return selectors.encode_cursor(entry)


@register
class NewsroomPermissions(Scenario):
    """A county editor opens 写稿, which checks their rights on every unit's section.

    Editors hold their rights once on 新闻 (one group), never in one group per unit. The
    HTTP load is the 写稿 screen for such an editor; ``verify`` times one permission check
    per section for that editor and, as the baseline in the same run, for a user put in
    every section's group (Wagtail issue #14593's case), and reports both and their ratio.
    """

    name = "newsroom-perms"
    summary = "跨全部分端的编辑打开“写稿”（检查其在每个分端的权限）"
    verifies = True

    def setup(self):
        from django.contrib.auth.models import Group
        from django.contrib.sessions.backends.db import SessionStore

        from rongmei.accounts.models import User
        from rongmei.news.models import SectionPage
        from rongmei.units.demo import editor_phone

        editor = User.objects.get(phone=editor_phone())
        session = SessionStore()
        session["_auth_user_id"] = str(editor.pk)
        session["_auth_user_backend"] = "rongmei.accounts.backends.PhoneBackend"
        session["_auth_user_hash"] = editor.get_session_auth_hash()
        session.create()
        many = User.objects.create_user("17999999999", password=None, is_staff=True)
        groups = Group.objects.filter(name__startswith="分端·")
        many.groups.add(*groups)
        return {"session": session.session_key, "editor": editor.pk, "many": many.pk,
                "sections": SectionPage.objects.count(), "groups": groups.count()}

    def targets(self, context):
        return [Target("/admin/news/write/",
                       headers={"Cookie": f"sessionid={context['session']}"})]

    def verify(self, context):
        import statistics
        import time

        from rongmei.accounts.models import User
        from rongmei.news.models import SectionPage

        sections = list(SectionPage.objects.all())

        def per_check_ms(user_pk):
            timings = []
            for _ in range(20):
                user = User.objects.get(pk=user_pk)  # a fresh request's user: no cache
                started = time.perf_counter()
                for section in sections:
                    "add" in section.permissions_for_user(user).permissions  # noqa: B015
                timings.append((time.perf_counter() - started) * 1000 / len(sections))
            return statistics.median(timings)

        per_check_ms(context["editor"])  # warm up
        editor, many = per_check_ms(context["editor"]), per_check_ms(context["many"])
        return {"sections": context["sections"], "section_groups": context["groups"],
                "editor_check_ms": round(editor, 4), "many_groups_check_ms": round(many, 4),
                "editor_vs_many_groups": round(editor / many, 3) if many else None}


def _require_shared_cache() -> None:
    from django.conf import settings

    if "locmem" in settings.CACHES["default"]["BACKEND"].lower():
        raise BenchError("该场景需要 Redis（设置 REDIS_URL）：进程内缓存无法让其他进程的缓存失效")


@register
class ModerationStorm(Scenario):
    """评论审核风暴: during a busy live event, comments on one story are approved at 10 per
    second while residents read the home page and 20 other stories.

    Each approval makes that story's cached page stale (``pagecache.page_tag``); every
    other page must stay cached: ``hit_rate_untouched`` (target ≥ 0.99) counts the
    page-cache answers of the reads, which never include the stormed story. The approvals
    go through ``engage.services.comment_moderate`` (the console's service, role checked)
    in a background process; they need the shared cache (Redis) to reach the workers.
    """

    name = "moderation-storm"
    summary = "每秒审核通过 10 条某稿件的评论，同时匿名读首页和另外 20 篇稿件（整页缓存）"
    tally_header = PAGE_CACHE_HEADER
    has_background = True
    rate = 10.0  # approvals per second
    pending = 3000  # comments waiting for approval (5 minutes at the rate)
    target_hit_rate = 0.99

    def setup(self):
        from django.contrib.auth.models import Group

        from rongmei.accounts.models import User
        from rongmei.core.roles import EDITOR, ROLE_BY_CODE, ensure_roles
        from rongmei.engage.models import Comment
        from rongmei.news.bulk import bulk_stories
        from rongmei.news.models import Channel, FeedEntry

        _require_shared_cache()
        channel, _ = Channel.objects.get_or_create(slug="bench-storm",
                                                   defaults={"name": "基准直播", "sort_order": 92})
        if not FeedEntry.objects.filter(channel=channel).exists():
            bulk_stories(channel=channel, count=21, prefix="storm", covers=True)
        entries = list(FeedEntry.objects.filter(channel=channel).order_by("-published_at"))
        storm, others = entries[0], entries[1:21]
        moderator, _ = User.objects.get_or_create(phone="16900000001",
                                                  defaults={"nickname": "基准审核员"})
        moderator.set_unusable_password()
        moderator.is_staff = True
        moderator.save()
        ensure_roles()
        moderator.groups.add(Group.objects.get(name=ROLE_BY_CODE[EDITOR].name))
        author, _ = User.objects.get_or_create(phone="16900000002",
                                               defaults={"nickname": "热心观众"})
        Comment.objects.filter(page_id=storm.page_id).delete()
        Comment.objects.bulk_create([
            Comment(page_id=storm.page_id, author=author, body=f"主持人好！第{i}条")
            for i in range(self.pending)], batch_size=1000)
        return {"storm_page_id": storm.page_id, "storm_path": storm.url,
                "paths": ["/", *(entry.url for entry in others)],
                "moderator_id": moderator.pk}

    def targets(self, context):
        return [Target(path) for path in context["paths"]]

    def background(self, context, *, stop, seconds):
        import time

        from rongmei.accounts.models import User
        from rongmei.engage import services
        from rongmei.engage.models import Comment, CommentStatus

        moderator = User.objects.get(pk=context["moderator_id"])
        pending = list(Comment.objects.filter(page_id=context["storm_page_id"],
                                              status=CommentStatus.PENDING)
                       .order_by("pk").values_list("pk", flat=True))
        started = time.monotonic()
        deadline = started + seconds
        approved = 0
        for pk in pending:
            due = started + approved / self.rate
            if stop.wait(max(0.0, due - time.monotonic())) or time.monotonic() > deadline:
                break
            services.comment_moderate(actor=moderator, comment_ids=[pk], decision="approve")
            approved += 1
        elapsed = time.monotonic() - started
        return {"approved": approved,
                "approvals_per_s": round(approved / elapsed, 2) if elapsed else 0.0}

    def report(self, result, context):
        hits = result.tally.get("hit", 0)
        answered = sum(result.tally.values())
        rate = hits / answered if answered else 0.0
        return {"page_cache_hits": hits, "page_cache_misses": result.tally.get("miss", 0),
                "hit_rate_untouched": round(rate, 4),
                "target_hit_rate_untouched": self.target_hit_rate,
                "untouched_pages": len(context["paths"])}


# Scenarios kept in their own modules join the registry here (after ``register`` exists).
from . import analytics_ingest  # noqa: F401
@register
class VolunteerSignup(Scenario):
    """志愿活动报名: a crowd of volunteers signs up for one popular activity at once.

    Each connection sends a different volunteer's bearer token. Every answer is 200 (a place
    or the waiting list; a second press by the same volunteer is 409 once the list wraps).
    Afterwards the database is checked: exactly ``capacity`` confirmed places, ``taken``
    equal to them, everyone else on the waiting list.
    """

    name = "volunteer-signup"
    summary = "5000名志愿者同时报名一场限额200人的活动（POST /api/v1/volunteers/activities/<id>/signup）"
    tally_header = STATUS_TALLY
    verifies = True
    capacity = 200
    volunteers = 5_000

    def setup(self):
        import hashlib
        import os
        import secrets
        from datetime import timedelta

        from django.utils import timezone

        from rongmei.accounts.models import AppToken, User
        from rongmei.units.models import Unit
        from rongmei.volunteers.models import Activity, Team, Volunteer

        self.capacity = int(os.environ.get("BENCH_VOLUNTEER_CAPACITY", self.capacity))
        self.volunteers = int(os.environ.get("BENCH_VOLUNTEERS", self.volunteers))
        phones = [str(17100000000 + i) for i in range(self.volunteers)]
        User.objects.bulk_create([User(phone=p, password="!") for p in phones],
                                 batch_size=5000, ignore_conflicts=True)
        users = list(User.objects.filter(phone__in=phones).values_list("pk", flat=True))
        Volunteer.objects.bulk_create(
            [Volunteer(user_id=pk, real_name="基准志愿者", card_code=secrets.token_hex(8))
             for pk in users], batch_size=5000, ignore_conflicts=True)
        AppToken.objects.filter(label="bench-volunteers").delete()
        now = timezone.now()
        tokens = [secrets.token_urlsafe(24) for _ in users]
        AppToken.objects.bulk_create([
            AppToken(user_id=user_id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                     label="bench-volunteers", expires_at=now + timedelta(days=1),
                     last_used_at=now)
            for user_id, token in zip(users, tokens)], batch_size=5000)
        team, _ = Team.objects.get_or_create(
            name="基准测试志愿队", defaults={"unit": Unit.objects.order_by("path").first()})
        start = now + timedelta(days=1)
        activity = Activity.objects.create(
            team=team, title="基准测试活动", place="县城广场", starts_at=start,
            ends_at=start + timedelta(hours=2), cancel_cutoff=start - timedelta(hours=2),
            capacity=self.capacity)
        return {"activity_id": activity.pk, "tokens": tokens}

    def targets(self, context):
        path = f"/api/v1/volunteers/activities/{context['activity_id']}/signup"
        return [Target(path, method="POST", headers={"Authorization": f"Bearer {token}"},
                       expect_status=[200, 409])
                for token in context["tokens"]]

    def report(self, result, context):
        return {"answered_200": result.tally.get("200", 0),
                "repeat_409": result.tally.get("409", 0)}

    def verify(self, context):
        from rongmei.volunteers.models import Activity, Signup

        activity = Activity.objects.get(pk=context["activity_id"])
        confirmed = Signup.objects.filter(activity=activity, status="confirmed").count()
        waiting = Signup.objects.filter(activity=activity, status="waiting").count()
        return {"capacity": activity.capacity, "taken": activity.taken,
                "confirmed": confirmed, "waiting": waiting,
                "over_capacity": max(0, confirmed - activity.capacity),
                "books_balance": confirmed == activity.taken <= activity.capacity}
@register
class DirectorySearch(Scenario):
    """服务+ search by pinyin initials through the app API (uncached): one ``contains`` on
    the precomputed search keys of the demo county's 94 services."""

    name = "directory-search"
    summary = "服务+ 拼音首字母搜索 /api/v1/directory/services?q=sb（不缓存）"

    def targets(self, context):
        return [Target("/api/v1/directory/services?q=sb"),
                Target("/api/v1/directory/services?q=gjj"),
                Target("/api/v1/directory/services?q=%E5%8C%BB%E4%BF%9D")]


@register
class ClassifiedsList(Scenario):
    """民生信息 browsing with a price filter through the app API (uncached)."""

    name = "classifieds-list"
    summary = "民生信息按价格筛选 /api/v1/classifieds/posts?category=house_rent&price_max=1000"

    def targets(self, context):
        return [Target("/api/v1/classifieds/posts?category=house_rent&price_max=1000"),
                Target("/api/v1/classifieds/posts?q=%E5%B0%8F%E5%8C%BA")]


@register
class ContestVote(Scenario):
    """评选投票: 50,000 voters on one hot contest at once (per the issue's done-when).

    Each connection sends a different voter's bearer token and votes for one of the
    contest's entries (1 vote per person per day for the contest). The first press is 200;
    a voter's repeat once the list wraps is 409 (over the limit). With Redis the votes are
    admitted there and stored by the drain, which runs every 10 s in the background as its
    timer does in production. Afterwards the last votes are drained and the database is
    checked: votes stored = the entries' counts, nobody past the limit.
    """

    name = "vote"
    summary = "5万人为一场热门评选投票（POST /api/v1/activities/entries/<id>/vote，每人每天1票）"
    target_ratio = 0.5
    tally_header = STATUS_TALLY
    verifies = True
    voters = 50_000
    entries = 20

    def setup(self):
        import os
        from datetime import timedelta

        from django.utils import timezone

        from rongmei.accounts.models import AppToken, User
        from rongmei.accounts.services import api_tokens_issue
        from rongmei.activities.models import Contest, Entry

        self.voters = int(os.environ.get("BENCH_VOTERS", self.voters))
        phones = [str(17200000000 + i) for i in range(self.voters)]
        User.objects.bulk_create([User(phone=p, password="!") for p in phones],
                                 batch_size=5000, ignore_conflicts=True)
        users = list(User.objects.filter(phone__in=phones).only("pk", "date_joined"))
        AppToken.objects.filter(label="bench-vote").delete()
        now = timezone.now()
        # Issued as a login issues them: stored, and cached for the vote path.
        tokens = api_tokens_issue(users, label="bench-vote", days=1)
        day = timedelta(days=1)
        contest = Contest.objects.create(
            title="基准测试评选", registration_opens=now - 3 * day,
            submission_closes=now - 2 * day, voting_opens=now - day, voting_closes=now + day,
            results_at=now + 2 * day, votes_per_day=1, vote_scope="contest")
        entries = Entry.objects.bulk_create([
            Entry(contest=contest, author_name="基准作者", title=f"基准作品{i + 1}",
                  text="基准", number=i + 1, status="approved") for i in range(self.entries)])
        return {"contest_id": contest.pk, "entries": [e.pk for e in entries],
                "tokens": tokens}

    def targets(self, context):
        entries = context["entries"]
        return [Target(f"/api/v1/activities/entries/{entries[i % len(entries)]}/vote",
                       method="POST", headers={"Authorization": f"Bearer {token}",
                                               "X-Device-Id": f"bench-{i}"},
                       expect_status=[200, 409])
                for i, token in enumerate(context["tokens"])]

    def report(self, result, context):
        return {"voted_200": result.tally.get("200", 0),
                "over_limit_409": result.tally.get("409", 0)}

    # The drain's timer runs during the measurement, as in production (every 10 s), so its
    # cost on the machine is part of the figure.
    has_background = True
    drain_every = 10.0

    def background(self, context, *, stop, seconds):
        import time

        from rongmei.activities.services.votes import votes_drain

        runs = stored = 0
        longest = 0.0
        deadline = time.monotonic() + seconds
        while not stop.wait(self.drain_every) and time.monotonic() < deadline:
            started = time.monotonic()
            stored += votes_drain().stored
            longest = max(longest, time.monotonic() - started)
            runs += 1
        return {"drain_runs": runs, "drain_stored": stored,
                "drain_longest_s": round(longest, 2)}

    def verify(self, context):
        from django.db.models import Count, Sum

        from rongmei.activities.models import Entry, Vote
        from rongmei.activities.services.votes import votes_drain

        # With Redis the votes admitted wait for the drain (its timer runs every 10 s in
        # production): store them all first, then check the books.
        drained = votes_drain()
        stored = Vote.objects.filter(contest_id=context["contest_id"]).count()
        counted = (Entry.objects.filter(contest_id=context["contest_id"])
                   .aggregate(n=Sum("votes"))["n"] or 0)
        over = (Vote.objects.filter(contest_id=context["contest_id"]).values("voter", "day")
                .annotate(n=Count("pk")).filter(n__gt=1).count())
        return {"stored": stored, "counted": counted, "over_limit_voters": over,
                "books_balance": stored == counted, "drained": drained.stored,
                "refused_at_drain": drained.refused}
