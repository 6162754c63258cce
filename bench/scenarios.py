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
    expect_status: int = 200

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
