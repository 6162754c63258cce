"""Contact numbers: masked for everyone, one tap to reveal for a signed-in resident, each
reveal logged, too many refused; 举报 into the operators' queue."""

import pytest

from rongmei.classifieds import services
from rongmei.classifieds.models import ContactReveal, Post, PostStatus, Report

from .conftest import rent_post

API = "/api/v1/classifieds/posts"


@pytest.fixture
def live_post(client, make_user, categories):
    author = make_user()
    client.force_login(author)
    post_id = client.post(API, rent_post(), content_type="application/json").json()["id"]
    client.logout()
    return Post.objects.get(pk=post_id)


@pytest.mark.django_db
def test_the_number_is_masked_until_a_signed_in_resident_reveals_it(client, make_user,
                                                                     live_post):
    detail = client.get(f"{API}/{live_post.pk}").json()
    assert detail["phone"] == "139****5678"
    page = client.get(f"/classifieds/{live_post.pk}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert client.post(f"{API}/{live_post.pk}/reveal").status_code == 401
    viewer = make_user()
    client.force_login(viewer)
    assert client.post(f"{API}/{live_post.pk}/reveal").json() == {"phone": "13912345678"}
    page = client.post(f"/classifieds/{live_post.pk}/reveal/").content.decode()
    assert "13912345678" in page
    assert ContactReveal.objects.filter(post=live_post, user=viewer).count() == 2


@pytest.mark.django_db
def test_reveals_are_rate_limited_per_person(client, make_user, live_post):
    client.force_login(make_user())
    for _ in range(services.REVEALS_PER_HOUR):
        assert client.post(f"{API}/{live_post.pk}/reveal").status_code == 200
    refused = client.post(f"{API}/{live_post.pk}/reveal")
    assert refused.status_code == 429
    assert refused.json()["message"] == "查看电话过于频繁，请稍后再试"
    assert ContactReveal.objects.count() == services.REVEALS_PER_HOUR
    page = client.post(f"/classifieds/{live_post.pk}/reveal/")
    assert page.status_code == 429 and "13912345678" not in page.content.decode()


@pytest.mark.django_db
def test_a_report_reaches_the_queue_and_an_operator_takes_the_post_down(client, make_user,
                                                                        operator, live_post):
    reporter = make_user()
    client.force_login(reporter)
    answer = client.post(f"{API}/{live_post.pk}/report", {"reason": "fraud", "note": "骗定金"},
                         content_type="application/json")
    assert answer.status_code == 201
    again = client.post(f"{API}/{live_post.pk}/report", {"reason": "fraud"},
                        content_type="application/json")
    assert again.status_code == 409 and "已举报过" in again.json()["message"]
    client.force_login(operator)
    page = client.get("/admin/classifieds_reports/").content.decode()
    assert "解放路两室一厅出租" in page and "虚假或诈骗" in page
    report = Report.objects.get()
    client.post("/admin/classifieds_reports/", {"report": report.pk, "decision": "remove"})
    assert Post.objects.get(pk=live_post.pk).status == PostStatus.REMOVED
    assert client.get(f"{API}/{live_post.pk}").status_code == 404


@pytest.mark.django_db
def test_leaving_the_app_erases_my_posts_and_my_reveals(client, make_user, live_post):
    """注销 through the account API: the author's posts (number included) and the record of
    the numbers they looked at are gone; other people's posts stay."""
    viewer = make_user()
    client.force_login(viewer)
    client.post(f"{API}/{live_post.pk}/reveal")
    own = client.post(API, rent_post(contact_phone="13700001111"),
                      content_type="application/json").json()["id"]
    assert client.delete("/api/v1/me").status_code == 200
    assert not Post.objects.filter(pk=own).exists()
    assert not ContactReveal.objects.filter(user=viewer).exists()
    assert Post.objects.filter(pk=live_post.pk).exists()
