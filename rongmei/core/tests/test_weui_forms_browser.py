"""On a phone (390×844), resident forms look like the phone apps residents use (issue 11):
every picker and file input sits in a WeUI cell (no bare <select>, file input or fieldset),
a chosen image shows as a thumbnail in the uploader, the page passes axe, and the form still
goes through end to end.

The forms share templates/includes/cell_field.html and uploader.html (and app.js draws the
thumbnails), so these tests walk each form that uses them.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from rongmei.browser_testing import (
    assert_accessible,
    assert_no_page_problems,
    login_by_sms,
    open_page,
)
from rongmei.tests_support import make_merchant, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BARE_CONTROLS = """() => [...document.querySelectorAll(
    'main select, main input[type=file], main fieldset')]
  .filter((el) => !el.closest('.weui-cell')).map((el) => el.outerHTML.slice(0, 120))"""


def _jpeg(color=(200, 120, 40)) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), color).save(buffer, "JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def assert_weui_form(page, label: str) -> None:
    assert page.evaluate(BARE_CONTROLS) == [], f"{label}: a control outside a WeUI cell"
    assert page.locator("main .weui-cells_form .weui-cell").count() >= 2, label
    assert_accessible(page, label)


def choose_image(page, selector: str) -> None:
    """Pick a photo in an uploader; its thumbnail and the count appear."""
    page.set_input_files(selector, files=[_jpeg()])
    uploader = page.locator(f"[data-uploader]:has({selector})")
    uploader.locator(".weui-uploader__file img").wait_for()
    assert "已选1张" in uploader.locator(".rm-uploader__count").inner_text()


def test_merchant_application_and_realname_are_weui_cells_and_submit(live_site, browser,
                                                                     browser_context_args):
    from rongmei.accounts.models import RealNameRecord
    from rongmei.merchants.models import Merchant, MerchantStatus

    resident = make_user(phone="13712345611")
    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, resident.phone, next_path="/merchants/apply/")

    # 商户入驻申请: cells grouped under titles, the 行业 picker a WeUI select cell.
    assert page.locator(".weui-cells__title").all_inner_texts()[:3] == [
        "店铺资质", "联系方式", "店铺展示"]
    assert page.locator(".weui-cell_select #f-category").count() == 1
    assert_weui_form(page, "商户入驻申请")
    page.get_by_label("商户名称").fill("荷塘鲜果店")
    page.get_by_label("行业").select_option(label="零售")
    page.get_by_label("统一社会信用代码").fill("91360100000000111X")
    choose_image(page, "#f-licence_photo")
    page.get_by_label("经营地址").fill("荷塘镇新街12号")
    page.get_by_label("联系人").fill("李四")
    page.get_by_label("联系电话").fill("13912345678")
    choose_image(page, "#f-cover")
    page.screenshot(path="/tmp/forms-shots/test-merchant-apply.png", full_page=True)
    # A wrong phone number comes back as a Chinese error inside its cell.
    page.get_by_label("联系电话").fill("12345")
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    error = page.locator("#f-contact_phone-error")
    assert error.inner_text() == "请输入正确的11位手机号码"
    assert page.locator(".rm-fcell_invalid #f-contact_phone").count() == 1
    assert page.get_by_label("商户名称").input_value() == "荷塘鲜果店"
    # The browser does not keep chosen files across a failed submit: choose them again.
    page.get_by_label("联系电话").fill("13912345678")
    choose_image(page, "#f-licence_photo")
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    assert "申请已提交" in page.locator("main").inner_text()
    merchant = Merchant.objects.get(applicant=resident)
    assert merchant.status == MerchantStatus.PENDING and merchant.category == "retail"
    assert merchant.licence_photo.name

    # 实名登记: two cells, then a masked read-only view.
    page.goto(live_site.url("/me/realname/"))
    assert_weui_form(page, "实名登记")
    page.get_by_label("真实姓名").fill("张三")
    page.get_by_label("身份证号").fill("110101199003070000")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    assert "校验位" in page.locator("#f-id_number-error").inner_text()
    page.get_by_label("身份证号").fill("11010119900307803X")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    assert RealNameRecord.objects.filter(user=resident).exists()
    page.goto(live_site.url("/me/realname/"))
    record = page.get_by_test_id("realname-record").inner_text()
    assert "张*" in record and "110***********803X" in record
    assert "张三" not in record and "11010119900307803X" not in page.content()
    assert_accessible(page, "实名登记（已登记）")
    page.screenshot(path="/tmp/forms-shots/test-realname-done.png", full_page=True)
    # The refused submissions above answered 400, as they should.
    assert_no_page_problems(page, allow=("400",))


def test_classifieds_tip_and_product_forms_are_weui_cells_and_submit(live_site, browser,
                                                                     browser_context_args):
    from rongmei.classifieds.models import Post
    from rongmei.mall.models import Product
    from rongmei.planning.models import Tip

    owner = make_user("merchant", phone="13712345612")
    make_merchant(owner=owner, name="荷塘农家")
    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, owner.phone, next_path="/classifieds/new/?category=secondhand")

    # 发布二手: the 成色 picker is a select cell, photos go through the uploader.
    assert page.locator(".weui-cell_select #f-condition").count() == 1
    assert_weui_form(page, "发布二手")
    page.get_by_label("标题").fill("闲置九成新儿童自行车")
    page.get_by_label("物品名称").fill("儿童自行车")
    page.get_by_label("成色").select_option("九成新")
    page.get_by_label("价格").fill("800")
    choose_image(page, "#f-photos")
    page.get_by_label("联系人").fill("王先生")
    with page.expect_navigation():
        page.get_by_test_id("cl-submit").click()
    post = Post.objects.get(title="闲置九成新儿童自行车")
    assert post.fields["condition"] == "九成新" and post.photos.count() == 1

    # 我要爆料
    page.goto(live_site.url("/planning/tips/new/"))
    assert_weui_form(page, "我要爆料")
    page.get_by_label("标题").fill("城南菜市场门口积水")
    page.get_by_label("爆料内容").fill("今早大雨后菜市场门口积水没过脚踝，老人进出不便。")
    choose_image(page, "#t-photos")
    with page.expect_navigation():
        page.get_by_test_id("pl-tip-submit").click()
    tip = Tip.objects.get(title="城南菜市场门口积水")
    assert tip.photos.count() == 1

    # 我的商城商品: a new product with its picture.
    page.goto(live_site.url("/mall/shop/"))
    assert_weui_form(page, "发布新商品")
    page.get_by_label("商品名称").fill("荷塘去芯白莲 500克")
    choose_image(page, "#image")
    page.get_by_label("库存（件）").fill("20")
    page.get_by_label("积分价").fill("300")
    page.screenshot(path="/tmp/forms-shots/test-mall-shop.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="提交审核").click()
    product = Product.objects.get(name="荷塘去芯白莲 500克")
    assert product.stock == 20 and product.price_points == 300 and product.image
    assert product.pickup and not product.delivery
    assert_no_page_problems(page)


def test_contest_forms_and_the_wenzheng_filter_bar(live_site, browser, browser_context_args):
    from datetime import timedelta

    from django.utils import timezone

    from rongmei.activities import services
    from rongmei.activities.models import Entry, Registration

    now = timezone.now()
    contest = services.contest_create(
        actor=make_user("operator"), title="莲乡美景摄影赛",
        registration_opens=now - timedelta(hours=1),
        submission_closes=now + timedelta(days=1), voting_opens=now + timedelta(days=2),
        voting_closes=now + timedelta(days=3), results_at=now + timedelta(days=4),
        form_fields=["name"], custom_fields=services.custom_fields_parse(
            choices="参赛组别：少儿组、成人组", photos="本人照片"))
    resident = make_user(phone="13712345613")
    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, resident.phone,
                 next_path=f"/activities/contests/{contest.pk}/")

    # 报名: the operator's choice field is a select cell, the photo field an uploader.
    assert page.locator(".weui-cell_select #ax-f-choice1").count() == 1
    assert_weui_form(page, "报名参赛")
    page.get_by_label("姓名").fill("陈晓")
    page.get_by_label("参赛组别").select_option("成人组")
    choose_image(page, "#ax-f-photo1")
    with page.expect_navigation():
        page.get_by_test_id("ax-register").click()
    registration = Registration.objects.get(contest=contest, user=resident)
    assert registration.answers["choice1"] == "成人组"

    # 提交作品
    assert_weui_form(page, "提交作品")
    page.get_by_label("作品名称").fill("荷塘晨雾")
    choose_image(page, "#ax-photo")
    with page.expect_navigation():
        page.get_by_test_id("ax-submit").click()
    assert Entry.objects.get(contest=contest, author=resident).photo
    # The gallery's order is a picker, not a bare select.
    assert page.evaluate(BARE_CONTROLS) == []

    # 问政广场: the filters are a bar of select cells, applied as soon as one is picked.
    page.goto(live_site.url("/wenzheng/"))
    assert page.evaluate(BARE_CONTROLS) == []
    assert not page.locator(".rm-filterbar__go").is_visible()
    with page.expect_navigation():
        page.get_by_label("状态").select_option(label="已答复")
    assert "status=answered" in page.url
    assert page.get_by_label("状态").input_value() == "answered"
    assert_accessible(page, "问政广场筛选")
    assert_no_page_problems(page)


def test_redeem_picker_and_the_mall_quantity_stepper(live_site, browser, browser_context_args):
    from rongmei.mall.models import Order
    from rongmei.mall.tests.conftest import give_points, make_product

    owner = make_user("merchant", phone="13712345614")
    shop = make_merchant(owner=owner, name="荷塘农家")
    make_merchant(owner=owner, name="荷塘农家二店")
    product = make_product(shop, name="荷塘去芯白莲", per_person_limit=3, stock=10)
    give_points(owner, 1000)
    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, owner.phone, next_path="/vouchers/redeem/")

    # 核销消费券: the 门店 picker is a select cell; an empty form is refused in Chinese.
    assert page.locator(".weui-cell_select #merchant").count() == 1
    assert_weui_form(page, "核销消费券")
    page.get_by_label("门店").select_option(label="荷塘农家二店")
    with page.expect_navigation():
        page.get_by_test_id("redeem").click()
    assert re.search("[\u4e00-\u9fff]", page.locator("#redeem-error").inner_text())
    assert page.locator("#merchant option:checked").inner_text() == "荷塘农家二店"
    page.screenshot(path="/tmp/forms-shots/test-redeem.png", full_page=True)

    # 商品详情: 数量 is a cell with − and + that stay within 1 and the per-person limit.
    page.goto(live_site.url(f"/mall/products/{product.pk}/"))
    assert_weui_form(page, "立即兑换")
    quantity = page.get_by_label("数量", exact=True)
    less, more = page.get_by_role("button", name="减少数量"), page.get_by_role("button", name="增加数量")
    assert quantity.input_value() == "1" and less.is_disabled() and more.is_enabled()
    more.click()
    more.click()
    assert quantity.input_value() == "3" and more.is_disabled()
    less.click()
    assert quantity.input_value() == "2"
    page.screenshot(path="/tmp/forms-shots/test-mall-product.png", full_page=True)
    # The server still checks the number: typed past the limit, it is refused in Chinese.
    quantity.fill("9")
    with page.expect_navigation():
        page.get_by_test_id("order").click()
    assert page.locator("#order-error").inner_text() == "每人限兑3件，您已兑换0件"
    assert page.locator(".rm-fcell_invalid #quantity").count() == 1
    page.get_by_label("数量", exact=True).fill("2")
    with page.expect_navigation():
        page.get_by_test_id("order").click()
    assert Order.objects.get(user=owner).quantity == 2
    assert_no_page_problems(page, allow=("400", "409"))


def test_volunteer_forms_are_weui_cells_and_submit(live_site, browser, browser_context_args,
                                                   county, settings):
    from datetime import timedelta

    from django.utils import timezone

    from rongmei.volunteers.models import (
        Activity,
        GridService,
        MemberStatus,
        MenuItem,
        ServiceOrder,
        ShowcasePost,
        Signup,
        Team,
        TeamMember,
        Volunteer,
    )

    settings.RONGMEI_VOLUNTEER_CENTER = county.center.code

    item, _ = MenuItem.objects.get_or_create(name="助老服务")
    team = Team.objects.create(name="上塘村助老志愿队", unit=county.center)
    # The team's leader works at the 文明实践中心 (so dispatches too) and is a 三长 there.
    leader = make_user("volunteer_leader", "grid_leader", phone="13712345615",
                       unit=county.center)
    TeamMember.objects.create(team=team, volunteer=Volunteer.objects.create(
        user=leader, real_name="王队长"), status=MemberStatus.ACTIVE, is_leader=True)
    start = timezone.now() - timedelta(hours=1)  # under way: the leader may check in by hand
    activity = Activity.objects.create(team=team, title="社区助老", place="荷塘社区",
                                       starts_at=start, ends_at=start + timedelta(hours=3),
                                       cancel_cutoff=start - timedelta(hours=2), capacity=3)
    helper = make_user()
    Signup.objects.create(activity=activity, status="confirmed",
                          volunteer=Volunteer.objects.create(user=helper, real_name="陈晓"))
    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, leader.phone, next_path="/volunteers/register/")

    # 修改志愿者信息: the 乡镇/社区 picker is a select cell.
    assert page.locator(".weui-cell_select #vx-area").count() == 1
    assert_weui_form(page, "注册志愿者")
    page.get_by_label("乡镇/社区").select_option(str(county.hetang.pk))
    with page.expect_navigation():
        page.get_by_test_id("vx-register-submit").click()
    assert Volunteer.objects.get(user=leader).area_id == county.hetang.pk

    # 我要点单, then the 评价 form of a finished order.
    page.goto(live_site.url("/volunteers/orders/"))
    assert_weui_form(page, "我要点单")
    page.get_by_label("服务项目").select_option(str(item.pk))
    page.get_by_label("乡镇/社区").select_option(str(county.shangtang.pk))
    page.get_by_label("服务地址").fill("上塘村5组")
    with page.expect_navigation():
        page.get_by_role("button", name="提交点单").click()
    order = ServiceOrder.objects.get(resident=leader)
    assert order.item.name == "助老服务" and order.area_id == county.shangtang.pk

    # 点单看板: the waiting order's 派给队伍 picker is a select cell.
    page.goto(live_site.url("/volunteers/orders/board/"))
    assert page.evaluate(BARE_CONTROLS) == []
    assert page.locator(f".weui-cell_select #vx-team-{order.pk}").count() == 1
    dispatch = page.locator(f"form:has(#vx-team-{order.pk})")
    dispatch.get_by_label("派给队伍").select_option(label="上塘村助老志愿队")
    with page.expect_navigation():
        dispatch.get_by_role("button", name="派单").click()
    order.refresh_from_db()
    assert order.team == team and order.status == "dispatched"
    ServiceOrder.objects.filter(pk=order.pk).update(status="done")
    page.goto(live_site.url("/volunteers/orders/"))
    assert page.evaluate(BARE_CONTROLS) == []
    rate = page.locator(f"form:has(#vx-rating-{order.pk})")
    rate.get_by_label("评分").select_option(label="4星")
    with page.expect_navigation():
        rate.get_by_role("button", name="评价").click()
    order.refresh_from_db()
    assert order.rating == 4
    page.screenshot(path="/tmp/forms-shots/test-vx-orders.png", full_page=True)

    # 三长服务积分
    page.goto(live_site.url("/volunteers/grid/"))
    assert_weui_form(page, "三长服务积分")
    page.get_by_label("类型").select_option(index=0)
    page.get_by_label("服务内容").fill("帮独居老人代购药品")
    with page.expect_navigation():
        page.get_by_role("button", name="提交乡镇确认").click()
    assert GridService.objects.filter(leader=leader).count() == 1

    # 签到管理: 补签类型 is a select cell; 活动风采's photo goes through the uploader.
    page.goto(live_site.url(f"/volunteers/lead/activities/{activity.pk}/"))
    assert page.title().startswith("社区助老 - 签到管理")
    assert page.evaluate(BARE_CONTROLS) == []
    page.locator("summary", has_text="发布活动风采").click()
    page.get_by_label("文字").fill("今天为荷塘社区的十位老人理发、量血压。")
    choose_image(page, "#vx-post-photo")
    page.screenshot(path="/tmp/forms-shots/test-vx-lead-activity.png", full_page=True)
    with page.expect_navigation():
        page.get_by_test_id("vx-post-submit").click()
    assert ShowcasePost.objects.get(activity=activity).photo
    page.get_by_label("补签类型").select_option(label="补签到")
    page.get_by_label("补签原因").fill("手机没电未能扫码")
    with page.expect_navigation():
        page.get_by_role("button", name="补签").click()
    assert Signup.objects.get(activity=activity).checked_in_at is not None
    assert_accessible(page, "签到管理")
    assert_no_page_problems(page)


def test_wenzheng_work_item_forms_are_weui_cells(live_site, browser, browser_context_args,
                                                 county):
    from types import SimpleNamespace

    from django.test import Client

    from rongmei.core.roles import UNIT_HANDLER, WENZHENG_HANDLER
    from rongmei.wenzheng.models import CaseCategory
    from rongmei.wenzheng.tests.conftest import dispatch_simple

    wz = SimpleNamespace(county=county, category=CaseCategory.objects.create(name="楼道照明"),
                         handler=make_user(WENZHENG_HANDLER), resident=make_user())
    unit_handler = make_user(UNIT_HANDLER, unit=county.housing, phone="13712345616")
    _, assignment = dispatch_simple(Client(), wz, county.housing)
    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, unit_handler.phone,
                 next_path=f"/wenzheng/work/{assignment.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("acknowledge").click()
    # 联系记录: the 联系方式 picker is a select cell; 申请延期 counts days with − and +.
    assert page.locator(".weui-cell_select #method").count() == 1
    assert_weui_form(page, "问政承办")
    page.get_by_label("联系方式").select_option(index=1)
    page.get_by_label("联系情况").fill("已电话联系反映人，约定明天上门查看。")
    with page.expect_navigation():
        page.locator("form:has(#method)").get_by_role("button", name="保存").click()
    assert "联系群众" in page.locator(".rm-wz-timeline").inner_text()
    page.locator("summary", has_text="申请延期").click()
    page.get_by_role("button", name="增加延期工作日").click()
    assert page.get_by_label("延期工作日", exact=True).input_value() == "1"
    page.screenshot(path="/tmp/forms-shots/test-wz-work-item.png", full_page=True)
    assert_no_page_problems(page)


def test_the_uploader_names_the_chosen_file_without_javascript(live_site, browser,
                                                               browser_context_args):
    """Without script the phone's own file control shows (it names the chosen file) instead
    of the "+" tile, and the form still sends the photo; with script, the thumbnail."""
    from rongmei.planning.models import Tip

    resident = make_user(phone="13712345617")
    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, resident.phone, next_path="/planning/tips/new/")
    state = page.context.storage_state()
    page.context.close()

    plain = open_page(browser, {**browser_context_args, "java_script_enabled": False,
                                "storage_state": state})
    plain.goto(live_site.url("/planning/tips/new/"))
    photos = plain.locator("#t-photos")
    assert photos.is_visible()
    box = photos.bounding_box()
    assert box["width"] > 150, box  # the control itself, not a transparent layer over a tile
    assert plain.locator(".rm-uploader_js").count() == 0
    plain.set_input_files("#t-photos", files=[_jpeg()])
    plain.screenshot(path="/tmp/forms-shots/test-uploader-no-js.png", full_page=True)
    plain.get_by_label("标题").fill("城南菜市场门口积水")
    plain.get_by_label("爆料内容").fill("今早大雨后菜市场门口积水没过脚踝，老人进出不便。")
    with plain.expect_navigation():
        plain.get_by_test_id("pl-tip-submit").click()
    assert Tip.objects.get(title="城南菜市场门口积水").photos.count() == 1
    plain.context.close()
