"""服务+: search by name, pinyin initials and tags; 办事指南; opens counted; 我的常用."""

import pytest
from django.utils import timezone

from rongmei.directory.models import Favourite, RecentUse, ServiceUsage


def text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["sb", "SB", "社保", "社会保险", "shbx", "shebao", "参保"])
def test_search_finds_shebao_by_name_initials_and_tags(client, shebao, water, query):
    page = text(client.get("/directory/", {"q": query}))
    assert "社会保险参保登记" in page and "水费查询缴纳" not in page
    found = client.get("/api/v1/directory/services", {"q": query}).json()
    assert [s["name"] for s in found] == ["社会保险参保登记"]


@pytest.mark.django_db
def test_search_with_nothing_found_says_so_in_chinese(client, shebao):
    assert "没有找到相关服务" in text(client.get("/directory/", {"q": "zzzz"}))


@pytest.mark.django_db
def test_the_directory_groups_services_by_category_and_shows_the_hall(client, shebao, water):
    from rongmei.directory.models import ServiceHall

    ServiceHall.objects.create(name="莲乡县政务服务中心", address="行政中心东侧",
                               hours="工作日 8:30–17:30", map_url="https://uri.amap.com/x")
    page = text(client.get("/directory/"))
    assert "莲乡县政务服务中心" in page and "查看地图" in page
    assert page.index("社保") < page.index("水电气")
    assert text(client.get("/directory/", {"category": shebao.category_id})).count(
        "社会保险参保登记") == 1


@pytest.mark.django_db
def test_the_guide_shows_before_leaving_and_opening_is_counted(client, make_user, shebao):
    resident = make_user()
    client.force_login(resident)
    guide = text(client.get(f"/directory/{shebao.pk}/"))
    assert "办事指南" in guide and "身份证" in guide and "去办理" in guide
    assert "将离开本应用" in guide
    response = client.post(f"/directory/{shebao.pk}/go/")
    assert response.status_code == 302 and response["Location"] == "https://si.example.gov.cn/"
    for _ in range(5):  # pressing again and again is still one person's open today
        client.post(f"/directory/{shebao.pk}/go/")
        client.post(f"/api/v1/directory/services/{shebao.pk}/open")
    usage = ServiceUsage.objects.get(service=shebao, day=timezone.localdate())
    assert usage.opens == 1
    client.force_login(make_user())
    client.post(f"/api/v1/directory/services/{shebao.pk}/open")
    usage.refresh_from_db()
    assert usage.opens == 2
    assert RecentUse.objects.filter(user=resident, service=shebao).count() == 1
    assert "最近使用" in text(client.get("/directory/"))


@pytest.mark.django_db
def test_a_service_that_needs_sign_in_sends_visitors_to_log_in(client, water):
    response = client.post(f"/directory/{water.pk}/go/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not ServiceUsage.objects.exists()


@pytest.mark.django_db
def test_favourites_through_the_page_and_the_api(client, make_user, shebao, water):
    resident = make_user()
    client.force_login(resident)
    client.post(f"/directory/{shebao.pk}/favourite/", {"on": "1"})
    assert Favourite.objects.filter(user=resident, service=shebao).exists()
    assert "移出常用" in text(client.get(f"/directory/{shebao.pk}/"))
    answer = client.put(f"/api/v1/directory/services/{water.pk}/favourite")
    assert answer.status_code == 200 and answer.json() == {"favourite": True}
    mine = client.get("/api/v1/directory/mine").json()
    assert {s["name"] for s in mine["favourites"]} == {"社会保险参保登记", "水费查询缴纳"}
    client.delete(f"/api/v1/directory/services/{water.pk}/favourite")
    assert not Favourite.objects.filter(user=resident, service=water).exists()
    opened = client.post(f"/api/v1/directory/services/{water.pk}/open").json()
    assert opened == {"url": "https://water.example/", "open_mode": "h5"}
    # 注销: what this person pinned and used is about them, and goes with the account.
    assert client.delete("/api/v1/me").status_code == 200
    assert not Favourite.objects.filter(user=resident).exists()
    assert not RecentUse.objects.filter(user=resident).exists()


@pytest.mark.django_db
def test_the_api_refuses_strangers_and_unknown_services_in_chinese(client, make_user, shebao):
    assert client.put(f"/api/v1/directory/services/{shebao.pk}/favourite").status_code == 401
    client.force_login(make_user())
    missing = client.get("/api/v1/directory/services/999999")
    assert missing.status_code == 404 and missing.json()["message"] == "该服务不存在或已下线"
    shebao.is_active = False
    shebao.save()
    assert client.get(f"/directory/{shebao.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_miniprogram_service_shows_the_copyable_fallback(client, categories):
    from rongmei.directory.models import Service

    service = Service(name="交管12123", category=categories["交通"], open_mode="miniprogram",
                      miniprogram_appid="wx1234567890", miniprogram_path="pages/index",
                      url="https://gab.122.gov.cn/")
    service.save()
    page = text(client.post(f"/directory/{service.pk}/go/"))
    assert "wx1234567890" in page and "在网页中办理" in page


@pytest.mark.django_db
def test_the_services_tab_block_and_the_me_cell(client, make_user, shebao):
    from rongmei.home.models import TabPage
    from rongmei.home.services import ensure_resident_site

    home = ensure_resident_site()
    tab = TabPage.objects.child_of(home).get(tab="services").specific
    tab.body = [("service_directory", {"title": "政务服务", "kind": "government"})]
    tab.save_revision().publish()
    page = text(client.get("/services/"))
    assert "政务服务" in page and "1 项可办" in page and f"?category={shebao.category_id}" in page
    client.force_login(make_user())
    assert "我的常用服务" in text(client.get("/me/"))


@pytest.mark.django_db
def test_digits_that_are_not_decimal_are_not_numbers(client, shebao):
    """``"²".isdigit()`` is true but ``int("²")`` fails: such filters are ignored, never a 500."""
    assert client.get("/directory/?category=%C2%B2").status_code == 200
