"""The demo newsroom reads like a real one: no headline twice, and every story's season
matches its date (stories are written relative to today)."""

import random
import re
from datetime import timedelta

import pytest
from django.utils import timezone


def template_of(title: str, templates):
    for template in templates:
        pattern = re.sub(r"\\\{\w+\\\}", ".+?", re.escape(template[1]))
        if re.fullmatch(pattern, title):
            return template
    return None


@pytest.mark.django_db
def test_demo_stories_have_unique_headlines_and_match_their_season(county, make_user):
    from rongmei.news.demo import TEMPLATES, seed_news
    from rongmei.news.models import FeedEntry

    seed_news(editor=make_user("editor"), director=make_user("director"), count=40,
              rng=random.Random(7))
    entries = list(FeedEntry.objects.all())
    assert len(entries) >= 30
    titles = [entry.title for entry in entries]
    assert len(titles) == len(set(titles)), "a headline is repeated"
    now = timezone.now()
    for entry in entries:
        assert now - timedelta(days=366) <= entry.published_at <= now
        template = template_of(entry.title, TEMPLATES)
        assert template is not None, entry.title
        months = template[3]
        month = timezone.localtime(entry.published_at).month
        assert not months or month in months, (entry.title, month)
