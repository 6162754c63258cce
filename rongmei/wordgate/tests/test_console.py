"""The 敏感词库 console screens: who sees and does what, and the screens' behaviour."""

import io

import pytest
from django.urls import reverse

from rongmei.wordgate.models import WordEntry

pytestmark = pytest.mark.django_db

MANAGERS = ["operator", "administrator"]
VIEWERS = ["editor", "chief_editor", "director"]
OTHER_STAFF = ["reporter", "unit_admin", "wenzheng_handler", "propaganda"]


def login(client, make_user, role=None):
    user = make_user(role) if role else make_user()
    client.force_login(user)
    return user


def refused(response) -> bool:
    """Wagtail answers a denied console view with a redirect (to the dashboard or login)."""
    return response.status_code in (302, 403)


@pytest.mark.parametrize("role,list_ok,manage_ok,check_ok", [
    *[(r, True, True, True) for r in MANAGERS],
    *[(r, True, False, True) for r in VIEWERS],
    *[(r, False, False, True) for r in OTHER_STAFF],
    (None, False, False, False),  # a resident
])
def test_console_permission_matrix(client, make_user, role, list_ok, manage_ok, check_ok):
    login(client, make_user, role)
    entry = WordEntry.objects.get(word="代开发票")
    gets = {
        reverse("wordgate_words:index"): list_ok,
        reverse("wordgate_words:index") + "?export=xlsx": list_ok,
        reverse("wordgate_words:add"): manage_ok,
        reverse("wordgate_words:edit", args=[entry.pk]): manage_ok,
        reverse("wordgate_words:import"): manage_ok,
        reverse("wordgate_check:index"): check_ok,
    }
    for url, allowed in gets.items():
        response = client.get(url)
        assert (response.status_code == 200) is allowed, (url, response.status_code)
        if not allowed:
            assert refused(response)
    # Writes: add, deactivate and import are refused and change nothing for non-managers.
    before = WordEntry.objects.count()
    client.post(reverse("wordgate_words:add"), {"word": "越权新增", "kind": "sensitive",
                                                "level": "block"})
    client.post(reverse("wordgate_words:index"), {"entry": entry.pk, "action": "deactivate"})
    upload = io.BytesIO("越权导入\n".encode())
    upload.name = "words.txt"
    client.post(reverse("wordgate_words:import"), {"file": upload})
    entry.refresh_from_db()
    if manage_ok:
        assert WordEntry.objects.count() == before + 2 and not entry.is_active
    else:
        assert WordEntry.objects.count() == before and entry.is_active


def test_menu_shows_the_dictionary_to_editors_and_only_the_checker_to_reporters(client,
                                                                              make_user):
    import json

    login(client, make_user, "editor")
    home = client.get(reverse("wagtailadmin_home")).content.decode()  # the menu is JSON
    assert json.dumps("敏感词库") in home and reverse("wordgate_words:index") in home
    client.logout()
    login(client, make_user, "reporter")
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("wordgate_check:index") in home and reverse("wordgate_words:index") not in home


def test_editor_sees_the_list_without_management_buttons(client, make_user):
    login(client, make_user, "editor")
    page = client.get(reverse("wordgate_words:index"), {"q": "代开"}).content.decode()
    assert "代开发票" in page and "添加词条" not in page and "导入" not in page
    assert "停用" not in page.split("<tbody>")[1] and "编辑" not in page.split("<tbody>")[1]


def test_list_searches_normalised_forms_and_filters(client, make_user):
    login(client, make_user, "operator")
    url = reverse("wordgate_words:index")
    page = client.get(url, {"q": "代 开"}).content.decode()
    assert "代开发票" in page and "赌博网站" not in page
    page = client.get(url, {"kind": "typo"}).content.decode()
    assert "按装" in page and "代开发票" not in page
    page = client.get(url, {"level": "review", "kind": "sensitive"}).content.decode()
    assert "高利贷" in page and "按装" not in page and "代开发票" not in page


def test_operator_adds_an_entry_that_takes_effect_at_once(client, make_user):
    from rongmei.wordgate.services import scan

    operator = login(client, make_user, "operator")
    response = client.post(reverse("wordgate_words:add"), {
        "word": "按步就搬", "kind": "typo", "level": "review", "suggestion": "按部就班",
        "note": "测试"})
    assert response.status_code == 302
    entry = WordEntry.objects.get(word="按步就搬")
    assert entry.created_by == operator and entry.suggestion == "按部就班"
    assert scan("请按步就搬").review_hits[0].suggestion == "按部就班"


@pytest.mark.parametrize("data,message", [
    ({"word": "代 开 发 票", "kind": "sensitive", "level": "block"}, "词库中已有“代开发票”"),
    ({"word": "错字", "kind": "typo", "level": "review"}, "错别字须填写正确写法"),
    ({"word": "某词", "kind": "sensitive", "level": "block", "suggestion": "x"},
     "敏感词不填建议写法"),
    ({"word": "！", "kind": "sensitive", "level": "block"}, "至少要有两个字"),
])
def test_bad_entries_are_refused_with_a_chinese_message(client, make_user, data, message):
    login(client, make_user, "operator")
    before = WordEntry.objects.count()
    response = client.post(reverse("wordgate_words:add"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert WordEntry.objects.count() == before


def test_operator_edits_an_entry(client, make_user):
    from rongmei.wordgate.services import scan

    login(client, make_user, "operator")
    entry = WordEntry.objects.get(word="高利贷")
    response = client.post(reverse("wordgate_words:edit", args=[entry.pk]), {
        "word": "高利贷", "kind": "sensitive", "level": "block", "note": "本县从严"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.level == "block" and entry.note == "本县从严"
    assert scan("放高利贷").blocked


def test_deactivate_and_reactivate_from_the_list(client, make_user):
    from rongmei.wordgate.services import scan

    login(client, make_user, "operator")
    entry = WordEntry.objects.get(word="代开发票")
    client.post(reverse("wordgate_words:index"), {"entry": entry.pk, "action": "deactivate"})
    assert not scan("代开发票").hits
    client.post(reverse("wordgate_words:index"), {"entry": entry.pk, "action": "activate"})
    assert scan("代开发票").blocked


def test_export_writes_the_import_layout(client, make_user):
    from openpyxl import load_workbook

    login(client, make_user, "editor")
    response = client.get(reverse("wordgate_words:index"), {"export": "xlsx", "kind": "typo"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:6] == ("词语", "级别", "类型", "建议", "备注", "启用")
    assert ("按装", "提醒", "错别字", "安装") in [r[:4] for r in rows[1:]]
    assert all(r[2] == "错别字" for r in rows[1:])


def test_checker_highlights_hits_and_escapes_the_pasted_text(client, make_user):
    login(client, make_user, "reporter")
    response = client.post(reverse("wordgate_check:index"), {
        "text": "<script>x</script>本店代开发票，师傅按装", "mode": "text"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "不能发布：含有禁用词：代开发票；请核对：按装（应为“安装”）" in page
    assert '<mark class="wg-block" title="禁用词，须删除或改写">代开发票</mark>' in page
    assert '<mark class="wg-review" title="建议：安装">按装</mark>' in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page


def test_checker_reads_html_as_visible_text_and_reports_a_clean_text(client, make_user):
    login(client, make_user, "editor")
    page = client.post(reverse("wordgate_check:index"), {
        "text": "<p>天气<b>晴</b></p><script>代开发票</script>", "mode": "html"}).content.decode()
    assert "未发现敏感词或常见错别字" in page


def test_checker_refuses_an_empty_text(client, make_user):
    login(client, make_user, "editor")
    response = client.post(reverse("wordgate_check:index"), {"text": "  "})
    assert response.status_code == 400 and "请粘贴要检测的内容" in response.content.decode()


def test_screens_are_chinese(client, make_user):
    from rongmei.core.tests.test_console_chinese import ALLOWED_WORDS, english_words

    login(client, make_user, "administrator")
    entry = WordEntry.objects.get(word="按装")
    screens = {
        "list": client.get(reverse("wordgate_words:index")),
        "add": client.get(reverse("wordgate_words:add")),
        "add with errors": client.post(reverse("wordgate_words:add"), {}),
        "edit": client.get(reverse("wordgate_words:edit", args=[entry.pk])),
        "import": client.get(reverse("wordgate_words:import")),
        "import with errors": client.post(reverse("wordgate_words:import"), {}),
        "check": client.post(reverse("wordgate_check:index"), {"text": "按装代开发票"}),
    }
    found = {name: english_words(response.content.decode(), ALLOWED_WORDS)
             for name, response in screens.items()}
    assert not any(found.values()), found
