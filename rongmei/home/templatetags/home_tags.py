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


@register.filter
def links_on(items):
    """Items of an icon grid or channel tabs whose link does not lead into a module that is
    off (an operator's layout keeps them; they show again when the module is switched on)."""
    from rongmei.core.modules import link_is_on

    return [item for item in items
            if item["link"].get("page") is not None or link_is_on(item["link"].get("url"))]


@register.filter
def link_on(link) -> bool:
    """A LinkBlock value that is set and does not lead into a module that is off."""
    from rongmei.core.modules import link_is_on

    if not link:
        return False
    return link.get("page") is not None or (bool(link.get("url"))
                                            and link_is_on(link.get("url")))
