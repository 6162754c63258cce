"""企业之家 write paths: applying, review, staff, posts, and who may do what."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rongmei.core.errors import PermissionDeniedError, ServiceError
from rongmei.core.roles import MERCHANT
from rongmei.merchants import selectors, services
from rongmei.merchants.models import (
    Merchant,
    MerchantPost,
    MerchantStaff,
    MerchantStaffRole,
    MerchantStatus,
    PostStatus,
)
from rongmei.tests_support import invitation_code, make_campaign, make_merchant
from rongmei.units.access import forget_cached_access, has_role
from rongmei.vouchers.selectors import campaigns_usable_at

from .conftest import application, stored_files

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.django_db
@pytest.mark.parametrize("overrides,code,field", [
    ({"credit_code": "12345"}, "invalid_merchant", "credit_code"),
    # I, O, S, V and Z never appear in a credit code.
    ({"credit_code": "91360100ABCDEFGHIO"}, "invalid_merchant", "credit_code"),
    ({"contact_phone": "12345"}, "invalid_phone", "contact_phone"),
    ({"licence_photo": None}, "required", "licence_photo"),
    ({"licence_photo": SimpleUploadedFile("licence.jpg", b"%PDF-1.4 not a photo")},
     "image_invalid", "licence_photo"),
    ({"category": "casino"}, "invalid_merchant", "category"),
    ({"name": "  "}, "required", "name"),
])
def test_an_application_with_bad_input_is_refused_in_chinese_and_nothing_is_saved(
        make_user, settings, overrides, code, field):
    with pytest.raises(ServiceError) as exc:
        services.merchant_apply(applicant=make_user(), **application(**overrides))
    assert (exc.value.code, exc.value.field) == (code, field)
    assert CHINESE.search(exc.value.message), exc.value.message
    assert Merchant.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT, "private") == []
    assert stored_files(settings.MEDIA_ROOT, "merchants") == []


@pytest.mark.django_db
def test_an_application_is_pending_with_a_private_metadata_free_licence(make_user, apply_for,
                                                                       settings):
    merchant = apply_for(make_user(), credit_code="91360100ma35abcd1x")
    assert merchant.status == MerchantStatus.PENDING
    assert merchant.credit_code == "91360100MA35ABCD1X"
    assert merchant.licence_photo.name.startswith("private/merchant-licences/")
    assert "licence" not in merchant.licence_photo.name.rsplit("/", 1)[1]  # a random name
    assert selectors.live_merchant(pk=merchant.pk) is None
    assert not MerchantStaff.objects.filter(merchant=merchant).exists()


@pytest.mark.django_db
def test_one_licence_cannot_be_listed_twice_until_the_first_is_rejected(make_user, apply_for,
                                                                        operator):
    first = apply_for(make_user(), credit_code="91360100MA35ABCD1X")
    with pytest.raises(ServiceError) as exc:
        apply_for(make_user(), credit_code="91360100MA35ABCD1X")
    assert exc.value.code == "merchant_exists" and exc.value.field == "credit_code"
    services.merchant_review(actor=operator, merchant=first, approve=False, note="照片不清晰")
    again = apply_for(first.applicant, credit_code="91360100MA35ABCD1X")
    assert again.status == MerchantStatus.PENDING


@pytest.mark.django_db
def test_approval_makes_the_applicant_the_owner_in_the_merchant_group(make_user, apply_for,
                                                                     operator):
    applicant = make_user()
    merchant = apply_for(applicant)
    assert not has_role(applicant, MERCHANT)
    services.merchant_review(actor=operator, merchant=merchant, approve=True)
    merchant.refresh_from_db()
    assert merchant.status == MerchantStatus.APPROVED and merchant.reviewed_by == operator
    assert MerchantStaff.objects.get(merchant=merchant, user=applicant).role == "owner"
    forget_cached_access(applicant)
    assert has_role(applicant, MERCHANT)
    assert selectors.live_merchant(pk=merchant.pk) == merchant


@pytest.mark.django_db
def test_rejection_needs_a_reason_which_the_applicant_sees(make_user, apply_for, operator):
    merchant = apply_for(make_user())
    with pytest.raises(ServiceError) as exc:
        services.merchant_review(actor=operator, merchant=merchant, approve=False, note=" ")
    assert exc.value.code == "reason_required"
    assert Merchant.objects.get(pk=merchant.pk).status == MerchantStatus.PENDING
    services.merchant_review(actor=operator, merchant=merchant, approve=False,
                             note="营业执照照片不清晰")
    merchant.refresh_from_db()
    assert merchant.status == MerchantStatus.REJECTED
    assert merchant.review_note == "营业执照照片不清晰"
    assert not MerchantStaff.objects.filter(merchant=merchant).exists()


@pytest.mark.django_db
def test_only_operators_review_and_an_application_is_reviewed_once(make_user, apply_for,
                                                                   operator):
    merchant = apply_for(make_user())
    for someone in (make_user(), make_user("editor"), merchant.applicant):
        with pytest.raises(PermissionDeniedError):
            services.merchant_review(actor=someone, merchant=merchant, approve=True)
    services.merchant_review(actor=operator, merchant=merchant, approve=True)
    with pytest.raises(ServiceError) as exc:
        services.merchant_review(actor=operator, merchant=merchant, approve=False, note="重复")
    assert exc.value.code == "already_reviewed"


@pytest.mark.django_db
def test_a_suspended_merchant_leaves_the_directory_and_the_page_cache(make_user, operator):
    from rongmei.core.pagecache import ALL, tag_versions

    merchant = make_merchant()
    before = tag_versions([ALL], fresh=True)
    services.merchant_set_suspended(actor=operator, merchant=merchant, suspended=True,
                                    note="经营异常")
    assert list(selectors.directory()) == []
    assert tag_versions([ALL], fresh=True) != before  # every cached page is stale
    services.merchant_set_suspended(actor=operator, merchant=merchant, suspended=False)
    assert list(selectors.directory()) == [merchant]


@pytest.mark.django_db
def test_a_post_shows_only_after_an_operator_approves_it(operator):
    merchant = make_merchant()
    owner = merchant.applicant
    post = services.post_submit(actor=owner, merchant=merchant, kind="opening", title="盛大开业",
                                body="全场八折", starts_on="2026-05-01", ends_on="2026-05-03")
    assert post.status == PostStatus.PENDING
    assert list(selectors.public_posts(merchant=merchant)) == []
    with pytest.raises(PermissionDeniedError):
        services.post_review(actor=owner, post=post, approve=True)
    services.post_review(actor=operator, post=post, approve=True)
    assert list(selectors.public_posts(merchant=merchant)) == [post]


@pytest.mark.django_db
def test_a_post_rejection_needs_a_reason(operator):
    merchant = make_merchant()
    post = services.post_submit(actor=merchant.applicant, merchant=merchant, kind="promotion",
                                title="满百减二十", body="周末活动")
    with pytest.raises(ServiceError) as exc:
        services.post_review(actor=operator, post=post, approve=False)
    assert exc.value.code == "reason_required"
    services.post_review(actor=operator, post=post, approve=False, note="内容含有夸大宣传")
    assert MerchantPost.objects.get(pk=post.pk).status == PostStatus.REJECTED


@pytest.mark.django_db
def test_post_dates_must_be_in_order(make_user):
    merchant = make_merchant()
    with pytest.raises(ServiceError) as exc:
        services.post_submit(actor=merchant.applicant, merchant=merchant, kind="promotion",
                             title="国庆促销", body="全场九折", starts_on="2026-10-07",
                             ends_on="2026-10-01")
    assert CHINESE.search(exc.value.message)
    assert not MerchantPost.objects.exists()


@pytest.mark.django_db
def test_a_pending_merchant_cannot_post(make_user):
    merchant = make_merchant(status="pending")
    with pytest.raises(ServiceError) as exc:
        services.post_submit(actor=merchant.applicant, merchant=merchant, kind="notice",
                             title="通知", body="内容")
    assert exc.value.code == "merchant_not_live"


def _invite_and_join(owner, merchant, phone):
    services.staff_invite(actor=owner, merchant=merchant, phone=phone)
    phone = phone.replace(" ", "")
    return services.invitation_accept_by_code(phone=phone, code=invitation_code(phone),
                                              ip="10.0.0.9")


@pytest.mark.django_db
def test_the_owner_invites_a_clerk_and_a_clerk_cannot_invite_one(make_user):
    merchant = make_merchant()
    staff = _invite_and_join(merchant.applicant, merchant, "139 1234 0001")
    assert staff.role == MerchantStaffRole.CLERK and staff.user.phone == "13912340001"
    assert has_role(staff.user, MERCHANT)
    with pytest.raises(PermissionDeniedError) as exc:
        services.staff_invite(actor=staff.user, merchant=merchant, phone="13912340002")
    assert "店主" in exc.value.message
    assert merchant.staff.count() == 2
    # A clerk may post for the shop all the same.
    services.post_submit(actor=staff.user, merchant=merchant, kind="notice", title="今日到货",
                         body="新鲜荔枝")


@pytest.mark.django_db
def test_staff_of_one_merchant_cannot_act_for_another(make_user):
    shop_a = make_merchant(name="甲店")
    shop_b = make_merchant(name="乙店")
    clerk_a = _invite_and_join(shop_a.applicant, shop_a, "13912340003").user
    for person in (shop_a.applicant, clerk_a, make_user()):
        with pytest.raises(PermissionDeniedError):
            services.post_submit(actor=person, merchant=shop_b, kind="promotion",
                                 title="冒名促销", body="假的")
        with pytest.raises(PermissionDeniedError):
            services.staff_invite(actor=person, merchant=shop_b, phone="13912340004")
    assert not MerchantPost.objects.filter(merchant=shop_b).exists()
    assert shop_b.staff.count() == 1


@pytest.mark.django_db
def test_campaigns_usable_at_a_merchant_follow_the_redemption_rule(make_user):
    from rongmei.vouchers.models import CampaignStatus

    shop = make_merchant(name="甲店", category="retail")
    neighbour = make_merchant(name="乙店", category="retail")
    restaurant = make_merchant(name="饭店", category="catering")
    county_wide = make_campaign(category="retail")
    listed = make_campaign(category="catering", all_merchants_in_category=False)
    listed.merchants.add(shop)
    # A merchant's own campaign (all_merchants_in_category left on) is not its neighbours'.
    own = make_campaign(category="retail", issuer_merchant=neighbour)
    draft = make_campaign(category="retail")
    draft.status = CampaignStatus.DRAFT
    draft.save()

    assert set(campaigns_usable_at(merchant=shop)) == {county_wide, listed}
    assert set(campaigns_usable_at(merchant=neighbour)) == {county_wide, own}
    assert set(campaigns_usable_at(merchant=restaurant)) == set()


@pytest.mark.django_db
def test_a_suspended_shop_acts_on_nothing(make_user):
    from rongmei.core.errors import PermissionDeniedError
    from rongmei.mall import services as mall
    from rongmei.merchants.models import MerchantStaff
    from rongmei.tests_support import make_merchant

    shop = make_merchant()
    owner = shop.staff.get().user
    services.merchant_set_suspended(actor=make_user("operator"), merchant=shop, suspended=True)
    with pytest.raises(PermissionDeniedError) as exc:
        services.staff_invite(actor=owner, merchant=shop, phone="13955550000")
    assert exc.value.code == "merchant_not_live"
    with pytest.raises(PermissionDeniedError):
        mall.product_create(actor=owner, merchant_id=shop.pk, name="莲子", stock=5,
                            price_points=10)
    assert MerchantStaff.objects.filter(merchant=shop).count() == 1
