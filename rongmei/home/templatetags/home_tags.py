from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def link_url(context, link) -> str:
    """The URL of a LinkBlock value: the chosen page, else the typed address."""
    if not link:
        return "#"
    page = link.get("page")
    if page is not None and page.live:
        return page.get_url(request=context.get("request")) or "#"
    return link.get("url") or "#"
