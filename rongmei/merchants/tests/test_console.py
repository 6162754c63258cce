"""企业之家 in the staff console: review of merchants and posts, the private licence."""

import json

import pytest

from rongmei.accounts.models import PersonalDataAccess
from rongmei.merchants import services
from rongmei.merchants.models import Merchant, MerchantPost, MerchantStaff
from rongmei.tests_support import make_merchant


def text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_the_menu_and_merchant_list_are_chinese_with_filters(client, operator, make_user,
                                                             apply_for):
    apply_for(make_user(), name="荷塘鲜果店")
    make_merchant(name="莲城超市", category="catering")
    client.force_login(operator)
    home = text(client.get("/admin/"))  # the sidebar menu is JSON inside the page
    assert json.dumps("企业之家")[1:-1] in home and json.dumps("商户动态")[1:-1] in home
    assert '"url": "/admin/merchants/"' in home and '"url": "/admin/merchant-posts/"' in home
    page = text(client.get("/admin/merchants/"))
    assert "荷塘鲜果店" in page and "莲城超市" in page and "待审核" in page
    assert "添加商户" not in page  # merchants come from applications, not the console
    pending = text(client.get("/admin/merchants/", {"status": "pending"}))
    assert "荷塘鲜果店" in pending and "莲城超市" not in pending
    catering = text(client.get("/admin/merchants/", {"category": "catering"}))
    assert "莲城超市" in catering and "荷塘鲜果店" not in catering
    found = text(client.get("/admin/merchants/", {"q": "鲜果"}))
    assert "荷塘鲜果店" in found and "莲城超市" not in found


@pytest.mark.django_db
def test_an_operator_approves_an_application_from_its_detail_screen(client, operator,
                                                                   make_user, apply_for):
    applicant = make_user()
    merchant = apply_for(applicant, name="荷塘鲜果店")
    client.force_login(operator)
    detail = text(client.get(f"/admin/merchants/inspect/{merchant.pk}/"))
    assert "统一社会信用代码" in detail and merchant.credit_code in detail
    assert "通过，开通店铺" in detail and "驳回原因（必填" in detail
    assert f'src="/admin/merchants/licence/{merchant.pk}/"' in detail
    assert "private/merchant-licences" not in detail
    response = client.post(f"/admin/merchants/action/{merchant.pk}/", {"action": "approve"})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/merchants/inspect/{merchant.pk}/"
    merchant.refresh_from_db()
    assert merchant.status == "approved" and merchant.reviewed_by == operator
    assert MerchantStaff.objects.get(merchant=merchant).user == applicant
    after = text(client.get(response["Location"]))
    assert "已通过“荷塘鲜果店”的入驻申请" in after and "暂停店铺" in after


@pytest.mark.django_db
def test_rejecting_in_the_console_needs_a_reason(client, operator, make_user, apply_for):
    merchant = apply_for(make_user())
    client.force_login(operator)
    client.post(f"/admin/merchants/action/{merchant.pk}/", {"action": "reject", "note": ""})
    assert Merchant.objects.get(pk=merchant.pk).status == "pending"
    assert "不通过时请填写原因" in text(client.get(f"/admin/merchants/inspect/{merchant.pk}/"))
    client.post(f"/admin/merchants/action/{merchant.pk}/",
                {"action": "reject", "note": "执照与名称不符"})
    merchant.refresh_from_db()
    assert merchant.status == "rejected" and merchant.review_note == "执照与名称不符"


@pytest.mark.django_db
def test_an_operator_suspends_and_resumes_a_merchant(client, operator):
    merchant = make_merchant()
    client.force_login(operator)
    client.post(f"/admin/merchants/action/{merchant.pk}/", {"action": "suspend",
                                                           "note": "消费者投诉待核实"})
    assert Merchant.objects.get(pk=merchant.pk).status == "suspended"
    assert client.get(f"/merchants/{merchant.pk}/").status_code == 404
    assert "恢复店铺" in text(client.get(f"/admin/merchants/inspect/{merchant.pk}/"))
    client.post(f"/admin/merchants/action/{merchant.pk}/", {"action": "resume"})
    assert Merchant.objects.get(pk=merchant.pk).status == "approved"


@pytest.mark.django_db
def test_residents_and_merchants_are_kept_out_of_the_console(client, make_user, apply_for):
    merchant = apply_for(make_user())
    shop = make_merchant()
    for person in (make_user(), shop.applicant):
        client.force_login(person)
        for url in ("/admin/merchants/", f"/admin/merchants/inspect/{merchant.pk}/",
                    f"/admin/merchants/licence/{merchant.pk}/", "/admin/merchant-posts/"):
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url
        client.post(f"/admin/merchants/action/{merchant.pk}/", {"action": "approve"})
    assert Merchant.objects.get(pk=merchant.pk).status == "pending"


@pytest.mark.django_db
def test_staff_without_the_operator_role_cannot_review(client, make_user, apply_for):
    merchant = apply_for(make_user())
    client.force_login(make_user("editor"))
    listing = client.get("/admin/merchants/")
    assert listing.status_code == 302 and listing["Location"] == "/admin/"  # Wagtail's 403
    response = client.post(f"/admin/merchants/action/{merchant.pk}/", {"action": "approve"})
    assert response.status_code == 302
    assert Merchant.objects.get(pk=merchant.pk).status == "pending"


@pytest.mark.django_db
def test_the_licence_is_streamed_to_operators_only_and_every_look_is_logged(
        client, operator, make_user, apply_for):
    applicant = make_user()
    merchant = apply_for(applicant, name="荷塘鲜果店")
    url = f"/admin/merchants/licence/{merchant.pk}/"

    client.force_login(make_user("editor"))  # in the console, but not an operator
    refused = client.get(url)
    assert refused.status_code == 302 and refused["Location"] == "/admin/"  # Wagtail's 403
    assert not PersonalDataAccess.objects.exists()

    client.force_login(operator)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    log = PersonalDataAccess.objects.get()
    assert (log.viewer, log.subject, log.what) == (operator, applicant, "营业执照")
    assert "荷塘鲜果店" in log.reason
    client.get(url)
    assert PersonalDataAccess.objects.count() == 2
    assert client.get("/admin/merchants/licence/999999/").status_code == 404


@pytest.mark.django_db
def test_the_post_queue_shows_pending_posts_first_and_an_operator_reviews_them(client,
                                                                            operator):
    merchant = make_merchant(name="莲城超市")
    owner = merchant.applicant
    first = services.post_submit(actor=owner, merchant=merchant, kind="opening",
                                 title="盛大开业", body="全场八折", image=None)
    second = services.post_submit(actor=owner, merchant=merchant, kind="promotion",
                                  title="夸大宣传", body="全县最低价")
    client.force_login(operator)
    queue = text(client.get("/admin/merchant-posts/"))
    assert "盛大开业" in queue and "夸大宣传" in queue and "莲城超市" in queue
    detail = text(client.get(f"/admin/merchant-posts/inspect/{first.pk}/"))
    assert "全场八折" in detail and "通过并发布" in detail

    response = client.post(f"/admin/merchant-posts/action/{first.pk}/", {"action": "approve"})
    assert response.status_code == 302 and response["Location"] == "/admin/merchant-posts/"
    assert MerchantPost.objects.get(pk=first.pk).status == "published"
    assert "盛大开业" in text(client.get(f"/merchants/{merchant.pk}/"))

    client.post(f"/admin/merchant-posts/action/{second.pk}/", {"action": "reject"})
    assert MerchantPost.objects.get(pk=second.pk).status == "pending"
    client.post(f"/admin/merchant-posts/action/{second.pk}/",
                {"action": "reject", "note": "不得使用“最低价”等绝对化用语"})
    assert MerchantPost.objects.get(pk=second.pk).status == "rejected"
    client.get("/admin/merchant-posts/")  # shows (and so clears) the flash messages
    pending = text(client.get("/admin/merchant-posts/", {"status": "pending"}))
    assert "盛大开业" not in pending and "夸大宣传" not in pending


@pytest.mark.django_db
def test_an_application_with_a_blocked_word_is_refused_at_the_form(client, make_user,
                                                                    blocked_words):
    from rongmei.merchants.tests.test_pages import form

    client.force_login(make_user())
    response = client.post("/merchants/apply/", form(intro="代理网 络 赌 博，日结"))
    assert response.status_code == 400
    assert "禁用词" in response.content.decode()
    assert not Merchant.objects.exists()


@pytest.mark.django_db
def test_approval_is_refused_when_the_texts_now_hold_a_blocked_word(client, operator,
                                                                    make_user, apply_for):
    merchant = apply_for(make_user(), intro="网络赌博代理")  # the word was not listed yet
    from rongmei.wordgate.dictionary import PROCESS_CACHE
    from rongmei.wordgate.services import word_create

    word_create(actor=operator, word="网络赌博", level="block", kind="sensitive")
    PROCESS_CACHE.reset()
    client.force_login(operator)
    client.post(f"/admin/merchants/action/{merchant.pk}/", {"action": "approve"})
    merchant.refresh_from_db()
    assert merchant.status == "pending"
    detail = text(client.get(f"/admin/merchants/inspect/{merchant.pk}/"))
    assert "禁用词" in detail and "请驳回并说明原因" in detail
    PROCESS_CACHE.reset()
