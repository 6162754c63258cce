"""Make a HomePage the root of the default site, replacing Wagtail's welcome page, and add
the three tab pages the bottom bar links to (视频, 服务, 商城)."""

from django.conf import settings
from django.db import migrations

TABS = [("视频", "video", "video"), ("服务", "services", "services"), ("商城", "mall", "mall")]


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("home.HomePage")
    TabPage = apps.get_model("home.TabPage")

    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    locale = Locale.objects.first()
    home_ct, _ = ContentType.objects.get_or_create(model="homepage", app_label="home")
    tab_ct, _ = ContentType.objects.get_or_create(model="tabpage", app_label="home")
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="首页", draft_title="首页", slug="home", content_type=home_ct, path=root.path + "0001",
        depth=2, numchild=len(TABS), url_path="/home/", locale=locale, live=True, tab="home",
        body=[], seo_title=settings.RONGMEI_SITE_NAME,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save()
    for index, (title, slug, tab) in enumerate(TABS, start=1):
        TabPage.objects.create(
            title=title, draft_title=title, slug=slug, content_type=tab_ct,
            path=home.path + f"{index:04d}", depth=3, numchild=0, url_path=f"/home/{slug}/",
            locale=locale, live=True, tab=tab, body=[],
        )
    # Wagtail's English sample groups; Rongmei's roles (core/roles.py) replace them.
    apps.get_model("auth.Group").objects.filter(name__in=["Moderators", "Editors"]).delete()
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True,
                        site_name=settings.RONGMEI_SITE_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_homepage, migrations.RunPython.noop)]
