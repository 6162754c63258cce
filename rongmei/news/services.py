"""Write paths of the newsroom: the section tree, unit rights, the feed copy and delivery."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rongmei.core import roles

log = logging.getLogger(__name__)

# Page rights per role on the shared 新闻 page (county-wide newsroom roles).
NEWSROOM_PAGE_PERMISSIONS = {
    roles.REPORTER: ("add_page",),
    roles.EDITOR: ("add_page", "change_page"),
    roles.CHIEF_EDITOR: ("add_page", "change_page"),
    roles.DIRECTOR: ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"),
}
# A unit section's own group: its admins write and submit there, the center reviews.
SECTION_PAGE_PERMISSIONS = ("add_page", "change_page")
REVIEW_STEPS = (("初审", roles.EDITOR), ("复审", roles.CHIEF_EDITOR), ("终审", roles.DIRECTOR))
DEFAULT_WORKFLOW = "三审三校"


def section_group_name(unit) -> str:
    return f"分端·{unit.code}"


# --- the tree ---------------------------------------------------------------------------------

def ensure_newsroom():
    """新闻 under the home page, the center's own section, the default 三审 workflow and the
    county-wide rights. Idempotent; returns the NewsIndexPage."""
    from django.contrib.auth.models import Group
    from wagtail.models import Workflow, WorkflowPage, WorkflowTask

    from rongmei.home.services import ensure_resident_site

    from .models import NewsIndexPage, ReviewTask

    home = ensure_resident_site()
    index = NewsIndexPage.objects.first()
    if index is None:
        index = home.add_child(instance=NewsIndexPage(title="新闻", slug="news"))
    for role_code, codenames in NEWSROOM_PAGE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=roles.ROLE_BY_CODE[role_code].name)
        _grant_page_rights(group, index, codenames)
    workflow = Workflow.objects.filter(name=DEFAULT_WORKFLOW).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=DEFAULT_WORKFLOW, active=True)
        for order, (name, role_code) in enumerate(REVIEW_STEPS):
            task = ReviewTask.objects.create(name=name)
            task.groups.set([Group.objects.get(name=roles.ROLE_BY_CODE[role_code].name)])
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    if not WorkflowPage.objects.filter(page=index).exists():
        WorkflowPage.objects.create(page=index, workflow=workflow)
    return index


def _grant_page_rights(group, page, codenames) -> None:
    """``group`` holds each of Wagtail's page ``codenames`` on ``page`` (two queries when it
    already does: these run for every section whenever a unit changes)."""
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission

    held = set(GroupPagePermission.objects.filter(
        group=group, page=page, permission__codename__in=codenames,
        permission__content_type__app_label="wagtailcore",
    ).values_list("permission__codename", flat=True))
    missing = [c for c in codenames if c not in held]
    for permission in Permission.objects.filter(content_type__app_label="wagtailcore",
                                                codename__in=missing):
        GroupPagePermission.objects.get_or_create(group=group, page=page,
                                                  permission=permission)


def ensure_section(unit=None, *, title: str | None = None):
    """The section of ``unit`` (None: the center's own 融媒中心 section), made when missing,
    with the unit's group holding write rights on it and the unit's admins in that group."""
    from .models import SectionPage

    index = ensure_newsroom()
    section = SectionPage.objects.filter(unit=unit).first() if unit else (
        SectionPage.objects.filter(unit__isnull=True).first())
    if section is None:
        name = title or (unit.display_name if unit else "融媒中心")
        slug = (unit.code.lower() if unit else "center")
        section = index.add_child(instance=SectionPage(title=name, slug=slug, unit=unit))
    if unit is not None:
        sync_section_group(section)
    return section


def sync_section_group(section) -> None:
    """Give the section's unit admins (of its unit or a unit above it) its write rights."""
    from django.contrib.auth.models import Group

    from rongmei.units.models import UnitMembership

    unit = section.unit
    group, _ = Group.objects.get_or_create(name=section_group_name(unit))
    _grant_page_rights(group, section, SECTION_PAGE_PERMISSIONS)
    ancestors = [unit.path[:i] for i in range(unit.steplen, len(unit.path) + 1, unit.steplen)]
    wanted = set() if not unit.is_active else set(UnitMembership.objects.filter(
        role=roles.UNIT_ADMIN, unit__path__in=ancestors, unit__is_active=True,
    ).values_list("user_id", flat=True))
    current = set(group.user_set.values_list("pk", flat=True))
    if wanted - current:
        group.user_set.add(*(wanted - current))
    if current - wanted:
        group.user_set.remove(*(current - wanted))


def unit_has_section(unit) -> bool:
    """Townships, departments, schools and other units each have a section. The county
    itself and the center (whose stories go to the unit-less 融媒中心 section) do not, nor do
    villages/communities: their news goes into their township's section, whose admins hold
    it (a second section would widen a township admin's console view to all sections)."""
    from rongmei.units.models import UnitKind
    return unit.kind not in (UnitKind.COUNTY, UnitKind.CENTER, UnitKind.COMMUNITY)


def unit_changed(unit) -> None:
    """A unit was created, imported, edited, deactivated or reactivated: its section exists
    (made with its rights when missing) and the rights on it and on the sections below it
    follow who is an active admin of an active unit now."""
    from .models import SectionPage

    own = ensure_section(unit) if unit_has_section(unit) and unit.is_active else None
    for section in SectionPage.objects.filter(unit__path__startswith=unit.path).select_related(
            "unit"):
        if own is None or section.pk != own.pk:  # ensure_section has just synced its own
            sync_section_group(section)


def sections_for_membership(membership):
    from .models import SectionPage
    return SectionPage.objects.filter(unit__path__startswith=membership.unit.path)


def archive_for(section, when: datetime | None = None):
    """The year (and month) folder of ``section`` for ``when`` (now), made when missing."""
    from .models import ArchivePage

    when = timezone.localtime(when or timezone.now())
    with transaction.atomic():
        year = ArchivePage.objects.child_of(section).filter(slug=f"{when:%Y}").first()
        if year is None:
            year = section.add_child(instance=ArchivePage(title=f"{when:%Y}年", slug=f"{when:%Y}"))
        if settings.NEWS_ARCHIVE_BY == "year":
            return year
        month = ArchivePage.objects.child_of(year).filter(slug=f"{when:%Y-%m}").first()
        if month is None:
            month = year.add_child(instance=ArchivePage(title=f"{when:%Y}年{when.month}月",
                                                        slug=f"{when:%Y-%m}"))
        return month


def section_of(page):
    from .models import SectionPage
    return SectionPage.objects.filter(path=page.path[:SectionPage.steplen * 4]).first()


# --- after publish ----------------------------------------------------------------------------

def is_public(page) -> bool:
    """Whether every visitor may read the page: no 隐私 restriction on it or above it."""
    return not page.get_view_restrictions().exists()


def refresh_feed_entry(page) -> None:
    """Write the flat feed copy of a live story (one row per story). Lists, feeds, search and
    相关 read only this copy, so a story restricted with 隐私 (or under a restricted section)
    has none."""
    from .models import FeedEntry
    from .search import index_fields

    if not is_public(page):
        remove_feed_entry(page.pk)
        return
    section = section_of(page)
    FeedEntry.objects.update_or_create(page_id=page.pk, defaults=dict(
        kind=page.kind, channel_id=page.channel_id, section=section,
        title=page.title, summary=page.display_summary[:200], cover_id=page.cover_id,
        url=page.url or "", source=page.source, is_breaking=page.is_breaking,
        published_at=page.first_published_at or timezone.now(), updated_at=timezone.now(),
        **index_fields(page),
    ))


def remove_feed_entry(page_id: int) -> None:
    from .models import FeedEntry
    FeedEntry.objects.filter(page_id=page_id).delete()


def restriction_changed(page) -> None:
    """A 隐私 restriction on ``page`` was set, changed or removed: the feed copies of the live
    stories at and under it follow (removed while restricted, written again when public)."""
    from .models import FeedEntry, StoryPage

    if not is_public(page):
        FeedEntry.objects.filter(page__path__startswith=page.path).delete()
        return
    for story in StoryPage.objects.live().filter(path__startswith=page.path).specific():
        refresh_feed_entry(story)


def _file_info(image, spec: str = "max-1600x1600"):
    if image is None:
        return None
    rendition = image.get_rendition(spec)
    return {"file": rendition.file.name, "url": absolute(rendition.url),
            "width": rendition.width, "height": rendition.height}


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url


def build_snapshot(page) -> dict:
    """The immutable record of a published version, as the outlets app stores and formats it
    (validated by rongmei/outlets/snapshots.py; docs/architecture.md, "Outlets")."""
    section = section_of(page)
    from .models import BODY_IMAGE_SPEC
    images = [dict(_file_info(image, BODY_IMAGE_SPEC), caption=caption)
              for image, caption in page.images()]
    video = None
    asset = page.video if page.kind == "video" else next(iter(getattr(page, "videos",
                                                                       list)()), None)
    if asset is not None and asset.output:
        video = {"file": asset.output.name, "url": absolute(asset.output.url),
                 "poster_file": (asset.poster.file.name if asset.poster else None),
                 "duration": asset.duration or 0}
    versions = {}
    for version in page.outlet_versions.all():
        versions[str(version.outlet_id)] = {
            "title": version.title, "digest": version.digest, "text": version.text,
            "cover_file": (version.cover.file.name if version.cover else None),
            "topics": [t.strip() for t in version.topics.replace("，", ",").split(",")
                       if t.strip()],
        }
    story_type = {"article": "text", "gallery": "picture", "video": "video",
                  "audio": "audio", "link": "text"}[page.kind]
    snapshot = {
        "story_key": page.story_key, "uri": absolute(page.url or ""), "type": story_type,
        "headline": page.title, "summary": page.display_summary,
        "body_html": page.body_html(), "body_text": page.body_text(),
        "byline": page.author or page.reporter, "editor": page.responsible_editor,
        "original": page.origin == "original", "source": page.source,
        "channel": page.channel.name if page.channel else "",
        "unit": section.title if section else "",
        "tags": [tag.name for tag in page.tags.all()], "place": page.place,
        "published_at": (page.first_published_at or timezone.now()).isoformat(),
        "updated_at": (page.last_published_at or timezone.now()).isoformat(),
        "cover": _file_info(page.cover), "images": images, "video": video,
        "versions": versions,
    }
    if page.correction_note:
        snapshot["correction_note"] = page.correction_note
    return snapshot


def distribute_story(page, *, user=None) -> None:
    """Hand the published version to the push outlets the editor chose for it: the first
    time and after every change as an update, or as a correction when the note changed."""
    from rongmei.outlets import services as outlets

    outlet_ids = [v.outlet_id for v in page.outlet_versions.all() if v.enabled]
    snapshot = build_snapshot(page)
    delivered = outlets.deliveries_for(page.story_key).exists()
    previous_note = _last_correction_note(page.story_key)
    if delivered and page.correction_note and page.correction_note != previous_note:
        outlets.correct(snapshot, note=page.correction_note, actor=user)
    elif outlet_ids:
        outlets.distribute(snapshot, outlet_ids=outlet_ids, actor=user)


def _last_correction_note(story_key: str) -> str:
    from rongmei.outlets.models import Snapshot
    last = Snapshot.objects.filter(story_key=story_key).order_by("-version").first()
    return (last.data.get("correction_note") or "") if last else ""


def retract_story(page, *, reason: str = "稿件已撤回", user=None) -> None:
    from rongmei.outlets import services as outlets
    outlets.retract(page.story_key, reason=reason, actor=user)


def push_breaking(page) -> None:
    """Push a 突发 story to subscribers. A push that cannot go out (no key configured, the
    same story pushed minutes ago) is logged; it never undoes the publish."""
    from rongmei.core.errors import ServiceError
    from rongmei.push.services import broadcast
    try:
        broadcast(title=page.title[:30], body=page.display_summary[:80], url=page.url or "/",
                  topic="breaking")
    except ServiceError as error:
        log.warning("breaking push for %s not sent: %s %s", page.story_key, error.code, error)
