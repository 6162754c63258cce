"""Merchants offer perks to volunteers by star level; they show on the merchant's page (the
``rongmei_merchant_offers`` hook) and to volunteers; only the shop's staff set them."""

from __future__ import annotations

import pytest

from rongmei.perks.models import Perk
from rongmei.tests_support import make_merchant, make_user


@pytest.mark.django_db
def test_merchant_staff_offer_perks_that_volunteers_see(client):
    shop = make_merchant(name="莲城超市")
    other = make_merchant(name="荷塘饭庄")
    client.force_login(shop.staff.get().user)
    bad = client.post("/api/v1/perks", {"merchant_id": other.pk, "title": "九折"},
                      content_type="application/json")
    assert bad.status_code == 403 and bad.json()["message"] == "您不是该商户的工作人员"
    made = client.post("/api/v1/perks", {"merchant_id": shop.pk, "title": "三星志愿者9折",
                                         "min_stars": 3}, content_type="application/json")
    assert made.status_code == 200 and made.json()["rule"] == "3星及以上志愿者"
    page = client.get(f"/merchants/{shop.pk}/").content.decode()
    assert "三星志愿者9折" in page and "志愿者礼遇" in page

    from rongmei.volunteers.models import Volunteer

    resident = make_user()
    Volunteer.objects.create(user=resident, real_name="李志愿", total_minutes=301 * 60)
    client.force_login(resident)
    listing = client.get("/perks/").content.decode()
    assert "三星志愿者9折" in listing and "您可享受" not in listing  # 2 stars (301 h)
    Volunteer.objects.filter(user=resident).update(total_minutes=600 * 60)
    assert "您可享受" in client.get("/perks/").content.decode()
    # a resident cannot withdraw it; the shop can
    perk = Perk.objects.get()
    refused = client.post(f"/api/v1/perks/{perk.pk}/withdraw")
    assert refused.status_code == 403
    client.force_login(shop.staff.get().user)
    assert client.post(f"/api/v1/perks/{perk.pk}/withdraw").status_code == 200
    assert "三星志愿者9折" not in client.get(f"/merchants/{shop.pk}/").content.decode()
