"""The capabilities a county can switch on and off (``RONGMEI_MODULES``), and what each needs.

This table is the composition root: settings builds ``INSTALLED_APPS`` from it, the URL conf
and the API mount what is on, and the import-linter contracts in ``pyproject.toml`` allow
exactly the dependencies declared here (``rongmei/core/tests/test_architecture.py`` holds
the two in step).

The platform (``core``, ``accounts``, ``units``, ``notices``, ``home``) is always on. A
capability that is off has no URLs, API routes, console menus, home entries or 今日任务;
its tables stay in the database untouched, so switching it on again loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Module:
    code: str  # the app label and the name in RONGMEI_MODULES
    name: str  # what operators call it
    # Capabilities this one cannot work without: code → why. Switching one of these off
    # switches this one off too (settings refuses a list that names this one without them).
    depends: dict[str, str] = field(default_factory=dict)
    url_prefix: str | None = None  # resident pages mounted at /<prefix> (urls.py of the app)
    api_prefix: str | None = None  # the app's ninja router mounted at /api/v1/<prefix>
    more_urls: tuple[tuple[str, str], ...] = ()  # other URL confs: (prefix, dotted module)
    # Site paths that lead into this module (its pages and page-tree sections): links to
    # them in operators' layouts and the tab bar are hidden while the module is off.
    paths: tuple[str, ...] = ()

    @property
    def app(self) -> str:
        return f"rongmei.{self.code}"


PLATFORM_APPS = [
    "rongmei.core", "rongmei.accounts", "rongmei.units", "rongmei.notices", "rongmei.home",
]

MODULES: list[Module] = [
    Module("wordgate", "敏感词与错别字", api_prefix="wordgate"),
    Module("media", "音视频库", url_prefix="av/", api_prefix="media", paths=("/av/",)),
    Module("push", "消息推送", api_prefix="push"),
    Module("points", "积分", url_prefix="points/", api_prefix="points", paths=("/points/",)),
    Module("outlets", "多端分发", api_prefix="outlets"),
    Module("engage", "互动", {
        "wordgate": "comments and official replies pass the word gate",
        "points": "an approved comment earns points",
    }, url_prefix="engage/", api_prefix="engage", paths=("/engage/",)),
    Module("news", "新闻", {
        "wordgate": "nothing is published past the word gate",
        "media": "video and audio stories are media-library items",
        "outlets": "publishing, takedowns and corrections go out through the outlets",
        "push": "breaking news is pushed on first publish",
        "engage": "feeds show read and comment counts",
    }, url_prefix="", api_prefix="news", paths=("/news/", "/feeds/", "/search/", "/video/")),
    Module("merchants", "企业之家", url_prefix="merchants/", api_prefix="merchants",
           paths=("/merchants/",)),
    Module("vouchers", "消费券", {
        "merchants": "vouchers are redeemed at approved merchants",
    }, url_prefix="vouchers/", api_prefix="vouchers", paths=("/vouchers/",)),
    Module("mall", "融媒商城", {
        "points": "orders are paid with points",
        "merchants": "products belong to merchants, who verify pickups",
        "vouchers": "prices are shown in yuan with the vouchers' money helpers",
    }, url_prefix="mall/", api_prefix="mall", paths=("/mall/",)),
    Module("wenzheng", "问政", {
        "wordgate": "public replies pass the word gate",
        "points": "a reply the citizen rates helpful earns points",
    }, url_prefix="wenzheng/", api_prefix="wenzheng", paths=("/wenzheng/", "/open311/"),
       # GeoReport v2 for the county's 12345 hotline and civic apps.
       more_urls=(("open311/", "rongmei.wenzheng.open311"),)),
    Module("live", "直播", {
        "wordgate": "comments, announcements and live-blog posts pass the word gate",
        "points": "watching a live room earns the 看视频 points (the existing rule and cap)",
        "media": "the recording is transcoded by the media pipeline into the replay video",
        "news": "the replay becomes a 视频 story in the room's newsroom section",
        "push": "预约 reminders go out by Web Push when the room starts",
    }, url_prefix="live/", api_prefix="live", paths=("/live/",)),
    # 数据: first-party events and the director's figures. Needs no other capability: the
    # others contribute their measures through the ``rongmei_analytics_measures`` hook.
    Module("analytics", "数据", url_prefix="analytics/", api_prefix="analytics"),
    Module("volunteers", "志愿者之家", {
        "points": "confirmed volunteer hours and 三长 services pay the 志愿服务 and 三长服务 rules",
        "wordgate": "activity texts residents see pass the word gate",
    }, url_prefix="volunteers/", api_prefix="volunteers", paths=("/volunteers/",)),
    Module("perks", "志愿者礼遇", {
        "volunteers": "perks are for registered volunteers by their star level",
        "merchants": "perks are offered by approved merchants, set by their staff",
        "wordgate": "perk texts are public and pass the word gate",
    }, url_prefix="perks/", api_prefix="perks", paths=("/perks/",)),
    Module("directory", "服务+", url_prefix="directory/", api_prefix="directory",
           paths=("/directory/",)),
    Module("classifieds", "民生信息", {
        "wordgate": "titles, descriptions and text fields pass the word gate",
        "merchants": "a merchant's posts link to its 企业之家 page; its 招聘 shows as verified",
    }, url_prefix="classifieds/", api_prefix="classifieds", paths=("/classifieds/",)),
    # 策划指挥: tips (爆料/线索), topics (选题), assignments (派单) and the dispatch board. A
    # 问政 case becomes a tip only while 问政 is on (asked through module_is_on, no import).
    # Tips pass the word gate through core.public_text, as 服务+ texts do (no import).
    Module("planning", "策划指挥", {
        "news": "an assignment is handed in by linking the story, whose byline comes from it",
        "points": "an adopted resident tip whose story is published pays 爆料采用 once",
        "media": "the desk imports a tip's video into the media library for transcoding",
    }, url_prefix="planning/", api_prefix="planning", paths=("/planning/",)),
    Module("activities", "活动", {
        "wordgate": "contest rules, entries and quiz questions pass the word gate",
        "points": "a passed prize quiz pays the 答题 earning rule through the ledger",
        "media": "video entries are checked, stored and transcoded by the media pipeline",
    }, url_prefix="activities/", api_prefix="activities", paths=("/activities/",)),
]

MODULE_BY_CODE = {module.code: module for module in MODULES}


class ModuleConfigurationError(ValueError):
    pass


def resolve(value: str) -> list[Module]:
    """The modules that are on for a ``RONGMEI_MODULES`` value, in dependency order.

    ``""`` or ``"all"``: everything. Otherwise a comma-separated list of codes, or ``-code``
    entries that switch one off (``-mall`` alone means everything but the mall). Switching
    a module off also switches off what cannot work without it; a list that names a module
    without a capability it needs is refused with the reason, never half-enabled.
    """
    items = [item.strip() for item in (value or "all").split(",") if item.strip()]
    for item in items:
        if item != "all" and item.lstrip("-") not in MODULE_BY_CODE:
            known = ", ".join(MODULE_BY_CODE)
            raise ModuleConfigurationError(
                f"RONGMEI_MODULES: unknown module {item.lstrip('-')!r} (known: {known})")
    positive = [item for item in items if not item.startswith("-")]
    chosen = set(MODULE_BY_CODE) if not positive or "all" in positive else set(positive)
    for item in items:
        if item.startswith("-"):
            chosen -= {item[1:]} | dependents(item[1:])
    for code in sorted(chosen):
        for dep, why in MODULE_BY_CODE[code].depends.items():
            if dep not in chosen:
                raise ModuleConfigurationError(
                    f"RONGMEI_MODULES: {code} needs {dep} ({why}); add {dep} or leave {code} out")
    return [module for module in MODULES if module.code in chosen]


def dependents(code: str) -> set[str]:
    """Every module that cannot work without ``code`` (directly or through others)."""
    found: set[str] = set()
    frontier = {code}
    while frontier:
        frontier = {m.code for m in MODULES if set(m.depends) & frontier} - found
        found |= frontier
    return found
