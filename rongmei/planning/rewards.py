"""爆料采用: a resident whose tip was adopted is paid once through the points ledger, when a
story made from it is published (the earning rule ``tip_adopted``, set by operators).

"Made from it": the tip was adopted into a topic, and one of the topic's assignments was
handed in with the story. Whichever comes last pays — the story published (a Wagtail
``page_published`` signal), the hand-in of a story already live, or a tip adopted into a
topic whose story is already live. The ledger's idempotency key is the tip, so however
often any of these happens the sender is paid exactly once. A merged or rejected tip pays
nothing; a unit's or the newsroom's own 线索 pays nothing (the ledger is for residents).
"""

from __future__ import annotations

from django.db import transaction

from .models import Assignment, Tip, TipSource, TipStatus

TIP_ADOPTED = "tip_adopted"


def _pay(tip_ids) -> None:
    from rongmei.points.services import points_earn

    if not tip_ids:
        return
    for tip in Tip.objects.filter(pk__in=tip_ids, sender__isnull=False).select_related("sender"):
        points_earn(user=tip.sender, action=TIP_ADOPTED, source=f"planning:tip:{tip.pk}",
                    key=f"{TIP_ADOPTED}:tip:{tip.pk}")


def _payable(**filters) -> list[int]:
    return list(Tip.objects.filter(source=TipSource.RESIDENT, status=TipStatus.ADOPTED,
                                   sender__isnull=False, **filters)
                .values_list("pk", flat=True).distinct())


def _pay_on_commit(find) -> None:
    """Pay the tips ``find()`` names once this transaction has committed. The question is
    asked after the commit, not before: when an adoption and a hand-in (or a publication)
    race each other, each asked before committing saw the other not yet done and neither
    paid; asked after, the one committing last sees both."""
    transaction.on_commit(lambda: _pay(find()))


def pay_tips_for_story(story) -> None:
    """The story is live: pay the adopted tips of the topics it was handed in for (on
    commit, so a publish or hand-in that rolls back pays nobody)."""
    if not story.live:
        return
    story_id = story.pk

    def find() -> list[int]:
        from rongmei.news.models import StoryPage

        if not StoryPage.objects.live().filter(pk=story_id).exists():
            return []
        return _payable(topic_id__in=Assignment.objects.filter(story_id=story_id)
                        .values("topic_id"))

    _pay_on_commit(find)


def pay_tip_if_published(tip: Tip) -> None:
    """A tip adopted into a topic that already has a live story."""
    tip_id = tip.pk

    def find() -> list[int]:
        from rongmei.news.models import StoryPage

        stories = Assignment.objects.filter(topic__tips__pk=tip_id, story__isnull=False) \
            .values("story_id")
        if not StoryPage.objects.live().filter(pk__in=stories).exists():
            return []
        return _payable(pk=tip_id)

    _pay_on_commit(find)
