"""Write paths for the resident site's page tree."""

from __future__ import annotations


def ensure_resident_site():
    """The HomePage, its tab pages and the default Site, as migration 0002 makes them.

    Idempotent. Rebuilds through the tree API whatever is missing — after a database flush
    (transactional tests) even Wagtail's root page, root collection and locale are gone.
    Returns the HomePage.
    """
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    from .models import HomePage, TabPage

    if Collection.get_first_root_node() is None:  # images and documents live in one
        Collection.add_root(name="全部")
    home = HomePage.objects.first()
    if home is None:
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="根页面", slug="root", live=True))
        home = root.add_child(instance=HomePage(
            title="首页", slug="home", tab="home", seo_title=settings.RONGMEI_SITE_NAME))
        for title, slug in (("视频", "video"), ("服务", "services"), ("商城", "mall")):
            home.add_child(instance=TabPage(title=title, slug=slug, tab=slug))
    if not Site.objects.filter(root_page=home, is_default_site=True).exists():
        Site.objects.all().delete()
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True,
                            site_name=settings.RONGMEI_SITE_NAME)
    return home
