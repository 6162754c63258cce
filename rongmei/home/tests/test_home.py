"""The resident home page: operators change its layout without a deploy; anonymous
visitors get it from the page cache; PWA plumbing is in place."""

import pytest
from django.core.management import call_command

from rongmei.home.models import HomePage, TabPage


@pytest.fixture
def seeded(db):
    call_command("seed_demo", scale=3, stdout=open("/dev/null", "w"))
    return HomePage.objects.get()


@pytest.mark.django_db
def test_home_shows_the_layout_blocks_in_chinese(client, seeded):
    body = client.get("/").content.decode()
    assert "八大福利" in body and "看新闻" in body and "通知公告" in body
    assert 'class="rm-carousel"' in body
    for tab in ("首页", "视频", "服务", "商城", "我的"):
        assert f'weui-tabbar__label">{tab}<' in body
    assert 'rel="manifest"' in body and 'property="og:title"' in body


@pytest.mark.django_db
def test_tab_pages_exist_and_mark_their_tab(client, seeded):
    for path, label in (("/video/", "视频"), ("/services/", "服务"), ("/mall/", "商城")):
        response = client.get(path)
        assert response.status_code == 200
        assert 'aria-current="page"' in response.content.decode()
    assert "政务服务" in client.get("/services/").content.decode()


@pytest.mark.django_db
def test_anonymous_home_is_served_from_cache_without_queries(client, seeded,
                                                             django_assert_num_queries):
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "max-age" in second["Cache-Control"]


@pytest.mark.django_db
def test_elder_mode_visitors_get_their_own_cached_variant(client, seeded):
    standard = client.get("/").content.decode()
    client.cookies["rm_elder"] = "1"
    elder = client.get("/").content.decode()
    assert 'class="rm"' in standard and 'class="rm rm-elder"' in elder


@pytest.mark.django_db
def test_signed_in_residents_always_get_a_fresh_page(client, seeded, make_user):
    client.get("/")
    client.force_login(make_user(nickname="小李"))
    response = client.get("/")
    assert "X-Page-Cache" not in response
    assert ">我的<" in response.content.decode()


@pytest.mark.django_db
def test_publishing_a_new_layout_shows_at_once(client, seeded):
    assert "春季招聘会" not in client.get("/").content.decode()
    page = HomePage.objects.get()
    page.body.append(("notice", {"text": "春季招聘会本周六举行", "link": {"page": None, "url": ""}}))
    page.save_revision().publish()
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "春季招聘会本周六举行" in response.content.decode()


@pytest.mark.django_db
def test_operator_edits_the_home_page_in_the_console(client, seeded, make_user, county):
    home = HomePage.objects.get()
    client.force_login(make_user("operator"))
    assert client.get(f"/admin/pages/{home.pk}/edit/").status_code == 200
    client.force_login(make_user("unit_admin", unit=county.hetang))
    assert client.get(f"/admin/pages/{home.pk}/edit/").status_code in (302, 403)


@pytest.mark.django_db
def test_link_block_rejects_unsafe_addresses():
    from django.core.exceptions import ValidationError

    from rongmei.home.blocks import LinkBlock

    block = LinkBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"page": None, "url": "javascript:alert(1)"}))
    assert block.clean(block.to_python({"page": None, "url": "/me/"}))["url"] == "/me/"


@pytest.mark.django_db
def test_pwa_manifest_service_worker_and_offline_page(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["display"] == "standalone" and data["lang"] == "zh-Hans"
    assert any(icon["sizes"] == "512x512" for icon in data["icons"])
    sw = client.get("/sw.js")
    assert sw["Content-Type"].startswith("application/javascript")
    assert "/offline/" in sw.content.decode()
    offline = client.get("/offline/")
    assert offline.status_code == 200 and "网络不可用" in offline.content.decode()


@pytest.mark.django_db
def test_seed_is_idempotent_and_keeps_operator_edits(seeded):
    from rongmei.accounts.models import User
    from rongmei.units.models import Unit

    page = HomePage.objects.get()
    page.body = [("notice", {"text": "运营修改过的版面", "link": {"page": None, "url": ""}})]
    page.save_revision().publish()
    counts = (Unit.objects.count(), User.objects.count())
    call_command("seed_demo", scale=3, stdout=open("/dev/null", "w"))
    assert (Unit.objects.count(), User.objects.count()) == counts
    assert Unit.objects.count() >= 80
    assert "运营修改过的版面" in str(HomePage.objects.get().body.raw_data)
    assert TabPage.objects.count() == 3
