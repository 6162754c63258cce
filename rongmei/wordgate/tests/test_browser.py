"""In a real browser: an operator adds a word in the console, then an editor pastes a draft
into 文本检测 and sees the new word and a typo highlighted; the screens pass axe-core."""

import pytest

from rongmei.browser_testing import (
    assert_accessible,
    assert_no_page_problems,
    login_console,
    open_page,
)
from rongmei.tests_support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN",
           "timezone_id": "Asia/Shanghai", "service_workers": "block"}


def test_operator_adds_a_word_and_an_editor_sees_it_highlighted(live_server, browser):
    from rongmei.wordgate.services import install_default_dictionary

    install_default_dictionary()  # a transactional test starts from flushed tables
    operator, editor = make_user("operator"), make_user("editor")

    page = open_page(browser, DESKTOP)
    login_console(page, live_server.url, operator)
    page.goto(f"{live_server.url}/admin/wordgate_words/add/")
    page.get_by_label("词语").fill("网络代考")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert "“网络代考”已保存" in page.content()
    assert_accessible(page, "敏感词库列表")
    assert_no_page_problems(page)
    page.context.close()

    page = open_page(browser, DESKTOP)
    login_console(page, live_server.url, editor)
    page.goto(f"{live_server.url}/admin/wordgate_check/")
    page.get_by_label("待检测内容").fill("招聘网 络 代 考人员，师傅上门按装。")
    with page.expect_navigation():
        page.get_by_role("button", name="检测").click()
    assert "不能发布：含有禁用词：网络代考；请核对：按装（应为“安装”）" in page.content()
    assert page.locator("mark.wg-block").inner_text() == "网 络 代 考"
    assert page.locator("mark.wg-review").get_attribute("title") == "建议：安装"
    assert_accessible(page, "敏感词检测")
    assert_no_page_problems(page)
    page.context.close()
