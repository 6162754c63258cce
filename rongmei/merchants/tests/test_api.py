"""The 企业之家 API: the public directory and merchant pages."""

import pytest

from rongmei.merchants import services
from rongmei.tests_support import make_campaign, make_merchant


@pytest.mark.django_db
def test_the_directory_lists_approved_merchants_with_filters_and_paging(client):
    make_merchant(name="莲城超市", category="retail")
    make_merchant(name="荷塘土菜馆", category="catering")
    make_merchant(name="白水农家乐", category="catering")
    make_merchant(name="待审小店", category="catering", status="pending")

    body = client.get("/api/v1/merchants").json()
    assert body["count"] == 3 and (body["limit"], body["offset"]) == (20, 0)
    assert [m["name"] for m in body["items"]] == sorted(["莲城超市", "荷塘土菜馆", "白水农家乐"])
    first = body["items"][0]
    assert set(first) == {"id", "name", "category", "category_label", "address", "cover"}

    catering = client.get("/api/v1/merchants", {"category": "catering"}).json()
    assert {m["name"] for m in catering["items"]} == {"荷塘土菜馆", "白水农家乐"}
    assert catering["items"][0]["category_label"] == "餐饮住宿"
    found = client.get("/api/v1/merchants", {"q": "农家"}).json()
    assert [m["name"] for m in found["items"]] == ["白水农家乐"]

    page = client.get("/api/v1/merchants", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 51}, {"offset": -1},
                                    {"category": "casino"}])
def test_bad_directory_parameters_are_a_chinese_422(client, params):
    response = client.get("/api/v1/merchants", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request" and body["field"] in params


@pytest.mark.django_db
def test_a_merchant_shows_published_posts_vouchers_and_a_masked_phone(client, make_user):
    merchant = make_merchant(name="莲城超市", category="retail")
    operator = make_user("operator")
    post = services.post_submit(actor=merchant.applicant, merchant=merchant, kind="opening",
                                title="新店开业", body="八折", starts_on="2026-05-01")
    services.post_review(actor=operator, post=post, approve=True)
    services.post_submit(actor=merchant.applicant, merchant=merchant, kind="promotion",
                         title="待审促销", body="待审")
    campaign = make_campaign(category="retail")

    body = client.get(f"/api/v1/merchants/{merchant.pk}").json()
    assert body["name"] == "莲城超市" and body["phone"] == "136****0000"
    assert "13600000000" not in str(body) and "licence" not in str(body)
    assert [p["title"] for p in body["posts"]] == ["新店开业"]
    assert body["posts"][0]["kind_label"] == "开业" and body["posts"][0]["starts_on"] == "2026-05-01"
    assert body["campaigns"] == [{"id": campaign.pk, "title": campaign.title, "rule": "满100减20",
                                  "url": f"/vouchers/c/{campaign.pk}/"}]


@pytest.mark.django_db
def test_a_merchant_that_is_not_live_is_a_json_404(client):
    pending = make_merchant(status="pending")
    for url in (f"/api/v1/merchants/{pending.pk}", "/api/v1/merchants/999999"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
