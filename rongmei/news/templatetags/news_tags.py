"""Template tags of the newsroom (keeps the page models free of reads that import them)."""

from django import template

register = template.Library()


@register.simple_tag
def related_stories(page, limit: int = 4):
    from rongmei.news.selectors import related_stories as related

    return related(page, limit)
