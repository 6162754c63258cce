"""In a real browser: a resident submits a 问政 with a photo carrying GPS EXIF (the stored
copy has none), the unit replies, the newsroom approves, and the resident rates the reply."""

import pytest

from rongmei.browser_testing import (
    assert_accessible,
    assert_no_page_problems,
    login_by_sms,
    open_page,
)
from rongmei.tests_support import make_user
from rongmei.wenzheng import services
from rongmei.wenzheng.models import Case, CaseCategory, PublicStatus, Track

from .conftest import jpeg_with_gps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_submits_with_a_photo_and_rates_the_reply(live_site, browser,
                                                           browser_context_args, tmp_path):
    from rongmei.units.models import Unit

    CaseCategory.objects.create(name="路灯照明")
    department = Unit.objects.get(code="LX-D12")    # 县住房和城乡建设局
    handler = make_user("wenzheng_handler")
    unit_handler = make_user("unit_handler", unit=department)
    resident = make_user(phone="13712340077")
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(jpeg_with_gps().read())

    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, resident.phone, next_path="/wenzheng/new/")
    assert_accessible(page, "我要问政")
    # WeUI cells throughout: no bare picker, file input or fieldset.
    assert page.evaluate("""() => [...document.querySelectorAll(
        'main select, main input[type=file], main fieldset')]
        .filter((el) => !el.closest('.weui-cell')).length""") == 0
    page.get_by_label("问题分类").select_option(label="路灯照明")
    page.get_by_label("标题").fill("上塘村村口路灯不亮")
    page.get_by_label("问题描述").fill("上塘村村口三盏路灯坏了一个月，晚上出行不安全。")
    page.set_input_files("#photos", str(photo))
    # WeUI's uploader: the chosen photo shows as a thumbnail, with the count.
    page.locator("#photos-preview img").wait_for()
    assert page.locator("#photos-count").inner_text() == "（已选1张）"
    # The photo's GPS is offered, never used silently.
    page.get_by_role("button", name="使用照片的拍摄位置").wait_for()
    assert page.locator("#latitude").input_value() == ""
    page.get_by_label("所在地").select_option(label="上塘村")
    with page.expect_navigation():
        page.get_by_test_id("submit-case").click()
    case = Case.objects.get(user=resident)
    assert page.get_by_test_id("receipt").inner_text() == case.receipt_no
    assert case.latitude is None  # the suggestion was not taken
    stored = case.attachments.get().file.open("rb").read()
    assert stored.startswith(b"\xff\xd8") and b"Exif" not in stored and b"SecretCam" not in stored
    assert_no_page_problems(page)

    services.case_accept(actor=handler, case_id=case.pk, track=Track.SIMPLE)
    assignment = services.dispatch_to_unit(actor=handler, case_id=case.pk,
                                           unit_id=department.pk)
    services.assignment_acknowledge(actor=unit_handler, assignment_id=assignment.pk)
    reply = services.reply_draft(actor=unit_handler, assignment_id=assignment.pk,
                                 text="已更换村口三盏路灯，恢复照明。")
    services.reply_review(actor=handler, reply_id=reply.pk, approve=True)

    page.goto(live_site.url(f"/wenzheng/mine/{case.pk}/"))
    assert "已更换村口三盏路灯" in page.get_by_test_id("my-reply").inner_text()
    assert_accessible(page, "我的问政详情")
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("已解决").check()
    with page.expect_navigation():
        page.get_by_test_id("rate").click()
    case.refresh_from_db()
    assert case.public_status == PublicStatus.CLOSED
    assert page.get_by_test_id("case-status").inner_text() == "已办结"
    page.goto(live_site.url(f"/wenzheng/cases/{case.pk}/"))
    assert "上塘村村口路灯不亮" in page.locator("main").inner_text()
    assert resident.phone not in page.content()
    assert_accessible(page, "问政详情（公开）")
    assert_no_page_problems(page)
    page.context.close()
