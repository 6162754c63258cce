"""民生信息 through the API and the H5 pages: fields per category, the word gate, review
before/after, photos cleaned, editing only one's own, closing, renewal and expiry."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from rongmei.classifieds.models import Post, PostStatus

from .conftest import RENT, jpeg_with_gps, rent_post

API = "/api/v1/classifieds/posts"


def version_of(post_id) -> str:
    """What the review screen puts in its form: the version the operator is looking at."""
    return Post.objects.get(pk=post_id).updated_at.isoformat()


def create(client, **overrides):
    return client.post(API, rent_post(**overrides), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(("category", "fields", "field", "message"), [
    ("house_rent", {**RENT, "price": "-1"}, "price", "月租金不能为负数"),
    ("house_rent", {**RENT, "price": "100000000000000000000"}, "price",
     "月租金不能超过1000000000元/月"),
    ("house_rent", {**RENT, "price": "abc"}, "price", "月租金应为数字"),
    ("house_rent", {**RENT, "price": "-0"}, "price", "月租金不能为负数"),
    ("house_rent", {**RENT, "price": "1e3"}, "price", "月租金应为数字"),
    ("house_rent", {**RENT, "price": "NaN"}, "price", "月租金应为数字"),
    ("house_rent", {**RENT, "price": "١٢٠٠"}, "price", "月租金应为数字"),
    ("house_rent", {**RENT, "layout": ""}, "layout", "请填写户型"),
    ("house_sale", {**RENT, "area": "0"}, "area", "面积不能小于1平方米"),
    ("secondhand", {"item": "电动车", "condition": "全新的", "price": "10"}, "condition",
     "成色只能选择：全新、九成新、八成新、七成新及以下"),
    ("shop_transfer", {"area": "40", "rent": "3500"}, "transfer_fee", "请填写转让费"),
    ("job", {"position": "收银员", "salary_min": "3000", "salary_max": "2000",
             "headcount": "2", "employer": "超市"}, "salary_max", "最高月薪不能低于最低月薪"),
    ("job", {"position": "收银员", "salary_min": "3000", "salary_max": "4000",
             "headcount": "1.5", "employer": "超市"}, "headcount", "招聘人数应为整数"),
    ("job_wanted", {"position": "司机", "experience": "99"}, "experience",
     "工作经验不能超过60年"),
])
def test_each_category_checks_its_own_fields(client, make_user, categories, category, fields,
                                             field, message):
    client.force_login(make_user())
    response = create(client, category=category, fields=fields)
    assert response.status_code == 400
    assert response.json() == {"code": response.json()["code"], "message": message,
                               "field": field}
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_valid_fields_per_category_are_stored_and_the_price_is_filterable(client, make_user,
                                                                          categories):
    client.force_login(make_user())
    job = create(client, category="job", title="招聘收银员", fields={
        "position": "收银员", "salary_min": "2800", "salary_max": "3500", "headcount": 3,
        "employer": "莲城超市", "unknown": "dropped"})
    assert job.status_code == 201, job.json()
    post = Post.objects.get()
    assert post.fields == {"position": "收银员", "salary_min": "2800.00",
                           "salary_max": "3500.00", "headcount": "3", "employer": "莲城超市"}
    assert post.price == Decimal(2800) and post.status == PostStatus.PENDING  # 先审后发
    # Full-width digits, as a phone keyboard may type them, are read as numbers.
    rent = create(client, fields={**RENT, "price": "１２００"})
    assert rent.status_code == 201, rent.json()
    assert Post.objects.get(pk=rent.json()["id"]).price == Decimal(1200)


@pytest.mark.django_db
def test_a_post_in_a_closed_category_is_refused(client, make_user, categories):
    categories["house_rent"].is_open = False
    categories["house_rent"].save()
    client.force_login(make_user())
    response = create(client)
    assert response.status_code == 400
    assert response.json()["message"] == "“房屋出租”暂停发布"
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_a_blocked_word_is_refused_and_a_review_word_waits_for_review(
        client, make_user, categories, blocked_words):
    client.force_login(make_user())
    response = create(client, body="顺便介绍网络赌博")
    assert response.status_code == 400
    assert response.json() == {"code": "sensitive_words", "field": "body",
                               "message": "内容包含不当用语，请修改后再提交"}
    response = create(client, fields={**RENT, "community": "网络 赌博小区"})
    assert response.status_code == 400 and response.json()["field"] == "community"
    assert not Post.objects.exists()
    # 房屋出租 is 先发后审, but a review-level word holds the post for an operator.
    assert create(client, body="强拆补偿房").json()["status"] == "pending"
    assert create(client, title="另一套房出租").json()["status"] == "published"


@pytest.mark.django_db
def test_review_before_then_approve_and_reject_in_the_console(client, make_user, operator,
                                                              categories):
    author = make_user()
    client.force_login(author)
    post_id = create(client, category="house_sale", fields={**RENT, "price": "560000"}).json()["id"]
    assert client.get(f"{API}/{post_id}").status_code == 200  # the author sees it
    client.force_login(make_user())
    assert client.get(f"{API}/{post_id}").status_code == 404  # nobody else yet
    client.force_login(operator)
    page = client.get("/admin/classifieds_review/").content.decode()
    assert "解放路两室一厅出租" in page
    client.post("/admin/classifieds_review/", {"post": post_id, "decision": "approve",
                                               "version": version_of(post_id)})
    post = Post.objects.get(pk=post_id)
    assert post.status == PostStatus.PUBLISHED and post.reviewed_by == operator
    assert post.expires_at > timezone.now() + timedelta(days=29)
    other = create(client, category="house_sale", title="第二套",
                   fields={**RENT, "price": "1"}).json()["id"]
    response = client.post("/admin/classifieds_review/", {"post": other, "decision": "reject"},
                           follow=True)
    assert "驳回时请填写原因" in response.content.decode()
    assert Post.objects.get(pk=other).status == PostStatus.PENDING


@pytest.mark.django_db
def test_the_review_queue_is_for_operators_only(client, make_user, categories):
    from rongmei.core.roles import EDITOR

    client.force_login(make_user())
    post_id = create(client, category="house_sale").json()["id"]
    client.force_login(make_user(EDITOR))
    client.post("/admin/classifieds_review/", {"post": post_id, "decision": "approve",
                                               "version": version_of(post_id)})
    assert Post.objects.get(pk=post_id).status == PostStatus.PENDING


@pytest.mark.django_db
def test_another_resident_cannot_edit_renew_or_close_my_post(client, make_user, categories):
    client.force_login(make_user())
    post_id = create(client).json()["id"]
    client.force_login(make_user())
    body = {**rent_post(title="改成我的"), "category": None}
    body.pop("category")
    response = client.patch(f"{API}/{post_id}", body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["message"] == "只能管理自己发布的信息"
    for action in ("close", "renew"):
        assert client.post(f"{API}/{post_id}/{action}").status_code == 403
    page = client.post(f"/classifieds/{post_id}/edit/", {"title": "改成我的"})
    assert page.status_code == 403 and "只能修改自己发布的信息" in page.content.decode()
    post = Post.objects.get(pk=post_id)
    assert post.title == "解放路两室一厅出租" and post.status == PostStatus.PUBLISHED


@pytest.mark.django_db
def test_the_author_edits_and_a_bad_price_changes_nothing(client, make_user, categories):
    client.force_login(make_user())
    post_id = create(client).json()["id"]
    body = rent_post(fields={**RENT, "price": "-1"})
    body.pop("category")
    response = client.patch(f"{API}/{post_id}", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["message"] == "月租金不能为负数"
    assert Post.objects.get(pk=post_id).price == Decimal(900)
    body["fields"]["price"] = "950"
    assert client.patch(f"{API}/{post_id}", body,
                        content_type="application/json").json()["price"] == "950.00"


@pytest.mark.django_db
def test_closing_says_sold_or_filled(client, make_user, categories):
    client.force_login(make_user())
    rent = create(client).json()["id"]
    assert client.post(f"{API}/{rent}/close").json()["status_label"] == "已成交"
    job = create(client, category="job", fields={
        "position": "收银员", "salary_min": "1", "salary_max": "2", "headcount": "1",
        "employer": "超市"}).json()["id"]
    assert client.post(f"{API}/{job}/close").json()["status_label"] == "已招满"
    assert client.get("/api/v1/classifieds/posts").json()["count"] == 0


@pytest.mark.django_db
def test_expiry_is_idempotent_and_renewal_brings_a_post_back(client, make_user, categories):
    client.force_login(make_user())
    post_id = create(client).json()["id"]
    response = client.post(f"{API}/{post_id}/renew")
    assert response.status_code == 400 and response.json()["message"] == "到期前3天内才能续期"
    Post.objects.filter(pk=post_id).update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("classifieds_expire", stdout=__import__("io").StringIO())
    post = Post.objects.get(pk=post_id)
    assert post.status == PostStatus.EXPIRED
    stamp = post.updated_at
    from rongmei.classifieds.services import expire_posts

    assert expire_posts() == 0  # a second run changes nothing
    assert Post.objects.get(pk=post_id).updated_at == stamp
    assert client.get(f"{API}/{post_id}").status_code == 200  # still the author's
    renewed = client.post(f"{API}/{post_id}/renew").json()
    assert renewed["status"] == "published"
    assert Post.objects.get(pk=post_id).renewals == 1
    assert expire_posts() == 0


@pytest.mark.django_db
def test_photos_are_cleaned_and_posting_through_the_page(client, make_user, categories,
                                                         settings):
    client.force_login(make_user(phone="13912340000"))
    response = client.post("/classifieds/new/", {
        "category": "house_rent", "title": "带图出租", "f_area": "60", "f_layout": "1室1厅",
        "f_price": "700", "f_community": "莲湖花园", "contact_name": "李女士",
        "contact_phone": "13912340000", "photos": [jpeg_with_gps(), jpeg_with_gps("b.jpg")]})
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == PostStatus.PUBLISHED and post.photos.count() == 2
    with Image.open(post.photos.first().image.path) as image:
        assert not image.getexif()  # GPS and camera gone
    bad = client.post("/classifieds/new/", {
        "category": "house_rent", "title": "假图", "f_area": "60", "f_layout": "1室",
        "f_price": "10000000000000", "f_community": "x", "contact_name": "李",
        "contact_phone": "13912340000"})
    assert bad.status_code == 400 and "月租金不能超过" in bad.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = client.post("/classifieds/new/", {
        "category": "house_rent", "title": "假图", "f_area": "60", "f_layout": "1室",
        "f_price": "100", "f_community": "x", "contact_name": "李",
        "contact_phone": "13912340000",
        "photos": [SimpleUploadedFile("x.jpg", b"<script>", content_type="image/jpeg")]})
    assert "无法识别该图片" in fake.content.decode() and Post.objects.count() == 1
    assert "我的发布" in client.get("/me/").content.decode()
    assert "带图出租" in client.get("/classifieds/mine/").content.decode()


@pytest.mark.django_db
def test_browse_filter_by_price_and_search(client, make_user, categories):
    client.force_login(make_user())
    for title, price, community in (("便宜房", "500", "东门小区"), ("中等房", "900", "西门小区"),
                                    ("贵房", "2000", "南门小区")):
        create(client, title=title, fields={**RENT, "price": price, "community": community})
    found = client.get("/api/v1/classifieds/posts", {"category": "house_rent", "price_min": 600,
                                                     "price_max": 1000}).json()
    assert [p["title"] for p in found["items"]] == ["中等房"]
    page = client.get("/classifieds/", {"category": "house_rent", "price_max": "600"})
    assert "便宜房" in page.content.decode() and "贵房" not in page.content.decode()
    assert "南门" in client.get("/classifieds/", {"q": "南门"}).content.decode()
    bad = client.get("/api/v1/classifieds/posts", {"price_min": -1})
    assert bad.status_code == 422


@pytest.mark.django_db
def test_a_merchants_job_is_verified_and_shows_on_its_page(client, make_user, operator,
                                                           categories):
    from rongmei.tests_support import make_merchant

    merchant = make_merchant(name="莲城超市")
    client.force_login(merchant.staff.get().user)
    job = create(client, category="job", title="超市招聘收银员", merchant_id=merchant.pk, fields={
        "position": "收银员", "salary_min": "2800", "salary_max": "3500", "headcount": "2",
        "employer": "莲城超市"}).json()
    assert job["verified_employer"] is True
    client.force_login(operator)
    client.post("/admin/classifieds_review/", {"post": job["id"], "decision": "approve",
                                               "version": version_of(job["id"])})
    assert "超市招聘收银员" in client.get(f"/merchants/{merchant.pk}/").content.decode()
    page = client.get(f"/classifieds/{job['id']}/").content.decode()
    assert "认证企业" in page and f"/merchants/{merchant.pk}/" in page
    client.force_login(make_user())  # not its staff: cannot post in its name
    refused = create(client, category="job", merchant_id=merchant.pk, fields={
        "position": "x", "salary_min": "1", "salary_max": "2", "headcount": "1",
        "employer": "莲城超市"})
    assert refused.status_code == 403


@pytest.mark.django_db
def test_a_units_job_posted_by_its_unit_admin_is_verified(client, make_user, county,
                                                          categories):
    from rongmei.core.roles import UNIT_ADMIN

    unit = county.housing
    job = {"position": "协管员", "salary_min": "2500", "salary_max": "3000", "headcount": "2",
           "employer": unit.name}
    client.force_login(make_user(UNIT_ADMIN, unit=unit))
    answer = create(client, category="job", title="招聘协管员", unit_id=unit.pk, fields=job)
    assert answer.status_code == 201 and answer.json()["verified_employer"] is True
    assert answer.json()["unit"] == unit.name
    client.force_login(make_user())  # an ordinary resident cannot post in a unit's name
    refused = create(client, category="job", unit_id=unit.pk, fields=job)
    assert refused.status_code == 403 and Post.objects.count() == 1


@pytest.mark.django_db
def test_an_expired_post_edited_after_review_waits_for_review_again(client, make_user, categories,
                                                                     operator):
    """Review finding: editing an expired 先审后发 post and renewing it published the new,
    unreviewed text."""
    from rongmei.classifieds.services import post_review

    author = make_user()
    client.force_login(author)
    job = {"category": "job", "fields": {"position": "收银员", "salary_min": "1",
                                          "salary_max": "2", "headcount": "1",
                                          "employer": "超市"}}
    post_id = create(client, **job).json()["id"]
    post_review(actor=operator, post=Post.objects.get(pk=post_id), approve=True)
    Post.objects.filter(pk=post_id).update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("classifieds_expire", stdout=__import__("io").StringIO())
    edited = client.patch(f"{API}/{post_id}", rent_post(**job, title="加微信领红包"),
                          content_type="application/json")
    assert edited.status_code == 200 and edited.json()["status"] == "pending"
    assert client.post(f"{API}/{post_id}/renew").status_code == 400
    client.logout()
    assert client.get(f"{API}/{post_id}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": "两室一厅出租 电话13812345678"}, "title"),
    ({"body": "有意者请拨 138-1234-5678 或 一三八一二三四五六七八"}, "body"),
    ({"contact_name": "王 13812345678"}, "contact_name"),
    ({"body": "房东身份证 360102199003071234 可查"}, "body"),
])
def test_a_phone_or_id_number_in_public_text_is_refused(client, make_user, categories,
                                                       overrides, field):
    """The number would be public in full; the contact field is shown masked, and only to
    signed-in residents who ask, with every reveal logged."""
    client.force_login(make_user())
    response = create(client, **overrides)
    assert response.status_code == 400
    assert response.json()["code"] == "number_in_text" and response.json()["field"] == field
    assert "联系电话" in response.json()["message"]
    assert not Post.objects.exists()
    ok = create(client, body="小区5栋3单元，2楼，月付1200元，押一付一")  # not a phone number
    assert ok.status_code == 201, ok.json()


@pytest.mark.django_db
def test_the_list_filters_refused_are_the_ones_the_document_refuses(client, categories):
    """The price and area filters were documented as "a number or any string": "", "abc"
    and "1e3" were valid by the document and refused with a 422. The document now says
    what is accepted, a number in range or a decimal string in range."""
    import jsonschema

    from rongmei.config.api import api

    parameters = {p["name"]: p["schema"] for p in
                  api.get_openapi_schema()["paths"][API]["get"]["parameters"]}
    for name, value in (("area_max", ""), ("price_min", "abc"), ("area_min", "100001"),
                        ("price_max", "1e3"), ("area_max", "-1")):
        assert client.get(API, {name: value}).status_code == 422, (name, value)
        assert not jsonschema.Draft202012Validator(parameters[name]).is_valid(value), value
    for name, value in (("area_max", "120.5"), ("price_min", "0"), ("price_max", "1000000000"),
                        ("area_min", "007")):
        assert client.get(API, {name: value}).status_code == 200, (name, value)
        assert jsonschema.Draft202012Validator(parameters[name]).is_valid(value), value


@pytest.mark.django_db
def test_photos_through_the_api_are_cleaned_counted_and_only_the_authors(
        client, make_user, categories):
    """The app posts the text as JSON, then its photos as multipart; only the author adds
    or removes them, nine at most, and a fake image changes nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    author = make_user(phone="13912340000")
    client.force_login(author)
    post_id = create(client).json()["id"]
    added = client.post(f"{API}/{post_id}/photos",
                        {"photos": [jpeg_with_gps(), jpeg_with_gps("b.jpg")]})
    assert added.status_code == 200, added.content
    items = added.json()["photo_items"]
    assert len(items) == 2 and added.json()["photos"] == [i["url"] for i in items]
    post = Post.objects.get(pk=post_id)
    with Image.open(post.photos.first().image.path) as image:
        assert not image.getexif()

    fake = client.post(f"{API}/{post_id}/photos", {
        "photos": [SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>",
                                      content_type="image/jpeg")]})
    assert fake.status_code == 400 and fake.json()["field"] == "photos"
    assert "无法识别该图片" in fake.json()["message"]
    too_many = client.post(f"{API}/{post_id}/photos",
                           {"photos": [jpeg_with_gps(f"{n}.jpg") for n in range(8)]})
    assert too_many.status_code == 400 and too_many.json()["message"] == "最多上传9张图片"
    assert post.photos.count() == 2

    client.force_login(make_user(phone="13912340001"))
    other_add = client.post(f"{API}/{post_id}/photos", {"photos": [jpeg_with_gps()]})
    other_remove = client.delete(f"{API}/{post_id}/photos/{items[0]['id']}")
    assert other_add.status_code == 403 and other_remove.status_code == 403
    assert post.photos.count() == 2

    client.force_login(author)
    foreign = make_user(phone="13912340002")
    client.force_login(foreign)
    foreign_post = create(client).json()["id"]
    client.force_login(author)
    assert client.delete(f"{API}/{foreign_post}/photos/{items[0]['id']}").status_code == 403
    removed = client.delete(f"{API}/{post_id}/photos/{items[0]['id']}")
    assert removed.status_code == 200 and len(removed.json()["photo_items"]) == 1
    assert client.delete(f"{API}/{post_id}/photos/{items[0]['id']}").status_code == 404


@pytest.mark.django_db
def test_new_photos_on_a_shown_post_wait_for_review_in_a_review_first_category(
        client, make_user, categories, operator):
    from rongmei.classifieds.models import Category, ReviewMode

    Category.objects.filter(code="house_rent").update(review_mode=ReviewMode.BEFORE)
    client.force_login(make_user(phone="13912340000"))
    post_id = create(client).json()["id"]
    Post.objects.filter(pk=post_id).update(status=PostStatus.PUBLISHED,
                                           published_at=timezone.now())
    client.post(f"{API}/{post_id}/photos", {"photos": [jpeg_with_gps()]})
    assert Post.objects.get(pk=post_id).status == PostStatus.PENDING


@pytest.mark.django_db
def test_the_edit_page_adds_and_removes_photos_with_the_text_or_not_at_all(
        client, make_user, categories):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(make_user(phone="13912340000"))
    client.post("/classifieds/new/", {
        "category": "house_rent", "title": "带图出租", "f_area": "60", "f_layout": "1室1厅",
        "f_price": "700", "f_community": "莲湖花园", "contact_name": "李女士",
        "contact_phone": "13912340000", "photos": [jpeg_with_gps()]})
    post = Post.objects.get()
    first = post.photos.get()
    form = {"title": "带图出租（已降价）", "f_area": "60", "f_layout": "1室1厅",
            "f_price": "650", "f_community": "莲湖花园", "contact_name": "李女士",
            "contact_phone": "13912340000"}
    page = client.get(f"/classifieds/{post.pk}/edit/").content.decode()
    assert 'name="remove_photo"' in page and "添加图片" in page
    refused = client.post(f"/classifieds/{post.pk}/edit/", {
        **form, "remove_photo": str(first.pk),
        "photos": [SimpleUploadedFile("x.jpg", b"GIF89a<svg onload=alert(1)>",
                                      content_type="image/jpeg")]})
    assert refused.status_code == 400 and "无法识别该图片" in refused.content.decode()
    post.refresh_from_db()
    assert post.title == "带图出租" and list(post.photos.all()) == [first]
    saved = client.post(f"/classifieds/{post.pk}/edit/", {
        **form, "remove_photo": str(first.pk), "photos": [jpeg_with_gps("new.jpg")]})
    assert saved.status_code == 302
    post.refresh_from_db()
    assert post.title == "带图出租（已降价）" and post.photos.count() == 1
    assert post.photos.get().pk != first.pk


@pytest.mark.django_db
@pytest.mark.parametrize("disguised", [
    "加V13812345678", "tel13812345678", "壹叁捌壹贰叁肆伍陆柒捌", "138\u200b1234\u200b5678",
    "138，1234，5678", "①③⑧①②③④⑤⑥⑦⑧", "138a1234b5678", "一三八一两三四五六七八",
    "138\n1234\n5678", "138....1234....5678", "一三八 幺二三四 伍陆柒捌",
])
def test_a_disguised_phone_number_in_public_text_is_refused(client, make_user, categories,
                                                            disguised):
    """Review finding: letters, capitals, circled digits, zero-width characters and
    punctuation between the digits got numbers past the check."""
    client.force_login(make_user())
    response = create(client, body=f"有意者联系{disguised}")
    assert response.status_code == 400 and response.json()["code"] == "number_in_text"
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_a_removed_post_stays_removed_whatever_its_author_sends(client, make_user, categories,
                                                                operator):
    author = make_user(phone="13912340000")
    client.force_login(author)
    post_id = create(client).json()["id"]
    client.force_login(make_user(phone="13912340001"))
    client.post(f"{API}/{post_id}/report", {"reason": "fraud"}, content_type="application/json")
    from rongmei.classifieds.models import Report

    client.force_login(operator)
    client.post("/admin/classifieds_reports/", {"report": Report.objects.get().pk,
                                                "decision": "remove"})
    assert Post.objects.get(pk=post_id).status == PostStatus.REMOVED
    client.force_login(author)
    edit = client.patch(f"{API}/{post_id}", rent_post(), content_type="application/json")
    renew = client.post(f"{API}/{post_id}/renew")
    photos = client.post(f"{API}/{post_id}/photos", {"photos": [jpeg_with_gps()]})
    assert [r.status_code for r in (edit, renew, photos)] == [400, 400, 400]
    assert "已下架" in edit.json()["message"]
    post = Post.objects.get(pk=post_id)
    assert post.status == PostStatus.REMOVED and post.reviewed_by == operator


@pytest.mark.django_db
def test_an_approval_is_of_the_version_the_operator_read(client, make_user, categories,
                                                         operator):
    from rongmei.classifieds.models import Category, ReviewMode

    Category.objects.filter(code="house_rent").update(review_mode=ReviewMode.BEFORE)
    author = make_user(phone="13912340000")
    client.force_login(author)
    post_id = create(client).json()["id"]
    read = version_of(post_id)  # the operator opens the queue
    client.post(f"{API}/{post_id}/photos", {"photos": [jpeg_with_gps()]})  # then this lands
    client.force_login(operator)
    stale = client.post("/admin/classifieds_review/", {"post": post_id, "decision": "approve",
                                                       "version": read}, follow=True)
    assert "发布人刚刚修改了这条信息，请重新查看后再审核" in stale.content.decode()
    assert Post.objects.get(pk=post_id).status == PostStatus.PENDING
    client.post("/admin/classifieds_review/", {"post": post_id, "decision": "approve",
                                               "version": version_of(post_id)})
    assert Post.objects.get(pk=post_id).status == PostStatus.PUBLISHED


@pytest.mark.django_db
def test_a_clerk_who_left_no_longer_manages_the_shops_posts_and_the_owner_does(
        client, make_user, categories):
    from rongmei.tests_support import make_clerk, make_merchant

    merchant = make_merchant(name="莲城超市")
    owner = merchant.staff.get().user
    clerk = make_clerk(merchant)
    client.force_login(clerk)
    post_id = create(client, merchant_id=merchant.pk).json()["id"]
    client.force_login(owner)
    staff_id = merchant.staff.get(user=clerk).pk
    client.post(f"/merchants/mine/{merchant.pk}/staff/{staff_id}/remove/")
    assert not merchant.staff.filter(user=clerk).exists()

    client.force_login(clerk)
    edit = client.patch(f"{API}/{post_id}", rent_post(title="先付定金再看房"),
                        content_type="application/json")
    assert edit.status_code == 403 and "现任工作人员" in edit.json()["message"]
    assert client.get(f"/classifieds/{post_id}/edit/").status_code == 403
    client.force_login(owner)
    closed = client.post(f"{API}/{post_id}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert Post.objects.get(pk=post_id).title == rent_post()["title"]


@pytest.mark.django_db
def test_json_true_or_a_list_is_not_a_price(client, make_user, categories):
    client.force_login(make_user())
    for bad in (True, ["1"], {"a": 1}):
        response = create(client, fields={**RENT, "price": bad})
        assert response.status_code in (400, 422), bad
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_an_odd_photo_number_on_the_edit_page_is_ignored_not_a_500(client, make_user,
                                                                    categories):
    client.force_login(make_user(phone="13912340000"))
    post_id = create(client).json()["id"]
    response = client.post(f"/classifieds/{post_id}/edit/", {
        "title": "两室一厅", "f_area": "60", "f_layout": "1室1厅", "f_price": "650",
        "f_community": "莲湖花园", "contact_name": "李女士", "contact_phone": "13912340000",
        "remove_photo": ["²", "٣", "12a"]})
    assert response.status_code == 302, response.content.decode()[-1500:]
