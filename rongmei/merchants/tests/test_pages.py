"""企业之家 in the resident app: directory, merchant page, applying, 我的店铺."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from rongmei.merchants import services
from rongmei.merchants.models import Merchant, MerchantPost, MerchantStaff, MerchantStatus
from rongmei.tests_support import make_campaign, make_merchant

from .conftest import credit_code, png_with_exif


def text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_the_directory_lists_only_approved_merchants(client):
    make_merchant(name="莲城超市")
    make_merchant(name="待审小店", status="pending")
    make_merchant(name="驳回小店", status="rejected")
    make_merchant(name="暂停小店", status="suspended")
    page = text(client.get("/merchants/"))
    assert "莲城超市" in page
    assert "待审小店" not in page and "驳回小店" not in page and "暂停小店" not in page
    assert 'href="/merchants/mine/"' in page and "商户入驻 / 我的店铺" in page


@pytest.mark.django_db
def test_the_directory_searches_and_filters_by_category(client):
    make_merchant(name="莲城超市", category="retail")
    make_merchant(name="荷塘土菜馆", category="catering")
    make_merchant(name="白水农家乐", category="catering")
    catering = text(client.get("/merchants/", {"category": "catering"}))
    assert "荷塘土菜馆" in catering and "白水农家乐" in catering and "莲城超市" not in catering
    assert 'aria-current="page">餐饮住宿' in catering
    found = text(client.get("/merchants/", {"q": "荷塘"}))
    assert "荷塘土菜馆" in found and "白水农家乐" not in found and "莲城超市" not in found
    both = text(client.get("/merchants/", {"q": "农家", "category": "catering"}))
    assert "白水农家乐" in both and "荷塘土菜馆" not in both
    # The chips keep the search, and an unknown category shows everything.
    assert "category=retail&amp;q=%E5%86%9C%E5%AE%B6" in both
    assert "莲城超市" in text(client.get("/merchants/", {"category": "nope"}))
    assert "没有找到符合条件的商户" in text(client.get("/merchants/", {"q": "不存在的店"}))


@pytest.mark.django_db
def test_the_directory_pages_by_twenty(client):
    for i in range(21):
        make_merchant(name=f"商户{i:02d}")
    first = text(client.get("/merchants/"))
    assert first.count('class="rm-mx-item"') == 20 and "第 1 / 2 页" in first
    assert 'href="/merchants/?page=2"' in first
    second = text(client.get("/merchants/", {"page": 2}))
    assert second.count('class="rm-mx-item"') == 1 and "商户20" in second


@pytest.mark.django_db
def test_anonymous_visitors_get_the_directory_and_merchant_page_from_the_cache(client):
    merchant = make_merchant()
    for url in ("/merchants/", f"/merchants/{merchant.pk}/"):
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_the_merchant_page_shows_published_posts_and_a_masked_phone(client, make_user):
    merchant = make_merchant(name="莲城超市")
    operator = make_user("operator")
    shown = services.post_submit(actor=merchant.applicant, merchant=merchant, kind="opening",
                                 title="新店开业", body="开业三天全场八折",
                                 starts_on="2026-05-01", ends_on="2026-05-03")
    services.post_review(actor=operator, post=shown, approve=True)
    services.post_submit(actor=merchant.applicant, merchant=merchant, kind="promotion",
                         title="还在审核的促销", body="待审")
    refused = services.post_submit(actor=merchant.applicant, merchant=merchant,
                                   kind="celebration", title="被驳回的庆典", body="驳回")
    services.post_review(actor=operator, post=refused, approve=False, note="不合规")
    page = text(client.get(f"/merchants/{merchant.pk}/"))
    assert "新店开业" in page and "开业三天全场八折" in page and "开业" in page
    assert "2026年5月1日 至 5月3日" in page
    assert "还在审核的促销" not in page and "被驳回的庆典" not in page
    assert "136****0000" in page and "13600000000" not in page
    assert "private/" not in page  # the licence never has a public address


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "rejected", "suspended"])
def test_a_merchant_that_is_not_live_has_no_page(client, status):
    merchant = make_merchant(status=status)
    assert client.get(f"/merchants/{merchant.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_merchant_page_lists_vouchers_usable_there(client):
    merchant = make_merchant(category="retail")
    campaign = make_campaign(category="retail")
    other = make_campaign(category="catering")
    page = text(client.get(f"/merchants/{merchant.pk}/"))
    assert "本店优惠" in page
    assert f'href="/vouchers/c/{campaign.pk}/"' in page and "满100减20" in page
    assert f'href="/vouchers/c/{other.pk}/"' not in page
    no_vouchers = make_merchant(category="auto")
    assert "本店优惠" not in text(client.get(f"/merchants/{no_vouchers.pk}/"))


@pytest.mark.django_db
def test_applying_needs_a_signed_in_account(client):
    response = client.get("/merchants/apply/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    mine = client.get("/merchants/mine/")
    assert mine.status_code == 302 and "/login/" in mine["Location"]


def form(**overrides):
    values = {
        "name": "荷塘鲜果店", "category": "retail", "credit_code": credit_code(),
        "licence_photo": png_with_exif(), "address": "荷塘镇新街12号", "contact_name": "李四",
        "contact_phone": "139 1234 5678", "opening_hours": "8:00—21:00", "intro": "时令水果",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


@pytest.mark.django_db
def test_a_resident_applies_with_a_photo_whose_metadata_is_stripped(client, make_user):
    resident = make_user()
    client.force_login(resident)
    page = text(client.get("/merchants/apply/"))
    for label in ("商户名称", "行业", "统一社会信用代码", "营业执照照片", "经营地址", "联系人",
                  "联系电话", "营业时间", "店铺简介", "门店照片"):
        assert f">{label}<" in page or f">{label}<span" in page, label
    assert 'enctype="multipart/form-data"' in page and "<script>" not in page

    response = client.post("/merchants/apply/", form(cover=png_with_exif("shop.png")))
    assert response.status_code == 302 and response["Location"] == "/merchants/apply/done/"
    merchant = Merchant.objects.get(applicant=resident)
    assert merchant.status == MerchantStatus.PENDING and merchant.contact_phone == "13912345678"
    assert merchant.licence_photo.name.startswith("private/merchant-licences/")
    with default_storage.open(merchant.licence_photo.name) as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.format == "PNG" and stored.size == (80, 60)
    assert not stored.getexif() and "exif" not in stored.info
    assert merchant.cover.name.startswith("merchants/")
    assert "申请已提交，等待审核" in text(client.get(response["Location"]))


@pytest.mark.django_db
@pytest.mark.parametrize("overrides,field,message", [
    ({"contact_phone": "12345"}, "contact_phone", "请输入正确的11位手机号码"),
    ({"credit_code": "123"}, "credit_code", "统一社会信用代码应为18位数字或大写字母"),
    ({"licence_photo": None}, "licence_photo", "请上传营业执照照片"),
    ({"shop_phone": "0794-36"}, "shop_phone", "店铺电话格式不正确，如 0794-3621234 或 13800000000"),
    ({"shop_phone": "javascript:alert(1)"}, "shop_phone",
     "店铺电话格式不正确，如 0794-3621234 或 13800000000"),
])
def test_an_application_error_shows_next_to_its_field(client, make_user, overrides, field,
                                                      message):
    client.force_login(make_user())
    response = client.post("/merchants/apply/", form(**overrides))
    page = text(response)
    assert response.status_code == 400
    assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*'
                     rf'f-{field}-error"', page)
    assert f'<p class="rm-error" id="f-{field}-error" role="alert">{message}</p>' in page
    assert 'value="荷塘鲜果店"' in page  # what was typed is kept
    assert not Merchant.objects.exists()


@pytest.mark.django_db
def test_my_shop_shows_applications_with_their_status_and_review_note(client, make_user,
                                                                      apply_for):
    resident = make_user()
    operator = make_user("operator")
    refused = apply_for(resident, name="第一次申请")
    services.merchant_review(actor=operator, merchant=refused, approve=False,
                             note="营业执照照片模糊")
    apply_for(resident, name="第二次申请")
    client.force_login(resident)
    page = text(client.get("/merchants/mine/"))
    assert "第一次申请" in page and "未通过" in page and "审核意见：营业执照照片模糊" in page
    assert "第二次申请" in page and "待审核" in page
    assert 'href="/merchants/apply/"' in page
    assert "发布新动态" not in page  # no workspace until a shop is approved


@pytest.mark.django_db
def test_an_owner_submits_a_post_from_my_shop_and_sees_it_pending(client):
    merchant = make_merchant(name="莲城超市")
    client.force_login(merchant.applicant)
    page = text(client.get("/merchants/mine/"))
    assert "发布新动态" in page and "邀请店员" in page
    response = client.post(f"/merchants/mine/{merchant.pk}/posts/", {
        "kind": "promotion", "title": "周末特惠", "body": "满100减20", "starts_on": "2026-06-06",
        "ends_on": "2026-06-07", "image": png_with_exif("post.png")})
    assert response.status_code == 302
    assert response["Location"] == f"/merchants/mine/#shop-{merchant.pk}"
    post = MerchantPost.objects.get(merchant=merchant)
    assert post.status == "pending" and str(post.ends_on) == "2026-06-07" and post.image
    after = text(client.get("/merchants/mine/"))
    assert "周末特惠" in after and "待审核" in after and "审核通过后将显示在店铺主页" in after
    assert "周末特惠" not in text(client.get(f"/merchants/{merchant.pk}/"))


@pytest.mark.django_db
def test_a_refused_post_keeps_what_was_typed_and_shows_the_error(client):
    merchant = make_merchant()
    client.force_login(merchant.applicant)
    response = client.post(f"/merchants/mine/{merchant.pk}/posts/", {
        "kind": "promotion", "title": "", "body": "没有标题"})
    page = text(response)
    assert response.status_code == 400
    assert f'id="m{merchant.pk}-title-error" role="alert">此项不能为空' in page
    assert "没有标题</textarea>" in page and "<details class=\"rm-mx-details\" open>" in page
    assert not MerchantPost.objects.exists()


@pytest.mark.django_db
def test_an_owner_invites_a_clerk_who_gets_a_workspace_without_the_staff_form(client):
    from rongmei.tests_support import invitation_code

    merchant = make_merchant(name="莲城超市")
    client.force_login(merchant.applicant)
    response = client.post(f"/merchants/mine/{merchant.pk}/staff/", {"phone": "13912340011"})
    assert response.status_code == 302
    assert "139****0011" in text(client.get("/merchants/mine/"))  # 待接受的邀请
    client.logout()
    client.post("/merchants/join/", {"phone": "13912340011",
                                     "code": invitation_code("13912340011")})
    clerk = MerchantStaff.objects.get(merchant=merchant, role="clerk").user
    assert client.get("/merchants/mine/").wsgi_request.user == clerk  # accepting signed in
    page = text(client.get("/merchants/mine/"))
    assert "莲城超市" in page and "店员" in page and "发布新动态" in page
    assert f'action="/merchants/mine/{merchant.pk}/staff/"' not in page
    refused = client.post(f"/merchants/mine/{merchant.pk}/staff/", {"phone": "13912340012"})
    assert refused.status_code == 403 and "只有店主可以执行此操作" in text(refused)
    assert merchant.staff.count() == 2


@pytest.mark.django_db
def test_nobody_posts_or_adds_staff_for_a_shop_they_do_not_work_in(client, make_user):
    mine = make_merchant(name="甲店")
    theirs = make_merchant(name="乙店")
    client.force_login(mine.applicant)
    post = client.post(f"/merchants/mine/{theirs.pk}/posts/", {
        "kind": "promotion", "title": "冒名", "body": "假的"})
    assert post.status_code == 403 and "您不是该商户的工作人员" in text(post)
    staff = client.post(f"/merchants/mine/{theirs.pk}/staff/", {"phone": "13912340013"})
    assert staff.status_code == 403
    assert client.post("/merchants/mine/999999/posts/", {"title": "x"}).status_code == 404
    assert not MerchantPost.objects.exists() and theirs.staff.count() == 1
    assert client.get(f"/merchants/mine/{mine.pk}/posts/").status_code == 405


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_posts(merchant, count):
    MerchantPost.objects.bulk_create(
        MerchantPost(merchant=merchant, author=merchant.applicant, kind="notice",
                     title=f"动态{i}", body="内容") for i in range(count))


@pytest.mark.django_db
def test_my_shop_costs_the_same_queries_for_one_shop_or_three_and_lists_twenty_posts(
        client, make_user):
    owner = make_user()
    first = make_merchant(owner=owner, name="甲店")
    add_posts(first, 25)
    client.force_login(owner)
    one_shop = count_queries(client, "/merchants/mine/")
    for name in ("乙店", "丙店"):
        add_posts(make_merchant(owner=owner, name=name), 3)
    assert count_queries(client, "/merchants/mine/") == one_shop
    page = text(client.get("/merchants/mine/"))
    assert page.count('class="rm-mx-mypost"') == 20 + 3 + 3


@pytest.mark.django_db
def test_the_directory_and_a_merchant_page_cost_a_fixed_number_of_queries(client, make_user):
    merchant = make_merchant()
    add_posts(merchant, 2)
    client.force_login(make_user())  # signed in, so the page cache stays out of the way
    directory = count_queries(client, "/merchants/")
    shop = count_queries(client, f"/merchants/{merchant.pk}/")
    for i in range(5):
        add_posts(make_merchant(name=f"新店{i}"), 2)
    add_posts(merchant, 5)
    operator = make_user("operator")
    for post in MerchantPost.objects.all():
        services.post_review(actor=operator, post=post, approve=True)
    assert count_queries(client, "/merchants/") == directory
    assert count_queries(client, f"/merchants/{merchant.pk}/") == shop


@pytest.mark.django_db
def test_a_shop_page_calls_the_shops_own_phone_and_maps_its_address(client, make_user):
    """The shop's published number is a tap-to-call link (the contact's own mobile stays
    masked), and the address opens on a map."""
    resident = make_user()
    client.force_login(resident)
    response = client.post("/merchants/apply/", form(shop_phone="０７９４－３６２１２３４"))
    assert response.status_code == 302
    merchant = Merchant.objects.get()
    assert merchant.shop_phone == "0794-3621234"
    Merchant.objects.filter(pk=merchant.pk).update(status=MerchantStatus.APPROVED)
    page = text(client.get(f"/merchants/{merchant.pk}/"))
    assert 'href="tel:0794-3621234"' in page and "13912345678" not in page
    assert 'href="https://uri.amap.com/search?keyword=' in page
    detail = client.get(f"/api/v1/merchants/{merchant.pk}").json()
    assert detail["shop_phone"] == "0794-3621234" and detail["phone"] == "139****5678"
    assert detail["map_url"].startswith("https://uri.amap.com/search?")

    Merchant.objects.filter(pk=merchant.pk).update(shop_phone="")
    page = text(client.get(f"/merchants/{merchant.pk}/"))
    assert "tel:" not in page and "139****5678" in page
