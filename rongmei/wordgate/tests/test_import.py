"""Importing dictionaries from text and Excel files: all or nothing, duplicates merged."""

import io

import pytest
from openpyxl import Workbook

from rongmei.core.errors import ServiceError
from rongmei.wordgate.imports import words_import
from rongmei.wordgate.models import WordEntry
from rongmei.wordgate.services import scan

pytestmark = pytest.mark.django_db


def xlsx(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_text_file_with_plain_words_levels_and_typos(operator):
    data = ("# 本县补充词库\n"
            "网络赌博平台\n"
            "\n"
            "某某非法集会\t提醒\n"
            "按步就搬=>按部就班\n"
            "一败图地=>一败涂地\t禁用\t本县从严\n").encode()
    summary = words_import(actor=operator, data=data, filename="补充.txt")
    assert summary.ok and (summary.created, summary.updated) == (4, 0)
    assert summary.message == "导入完成：新增4条，更新0条，未变0条"
    entries = {e.word: e for e in WordEntry.objects.filter(created_by=operator)}
    assert (entries["网络赌博平台"].level, entries["网络赌博平台"].kind) == ("block", "sensitive")
    assert entries["某某非法集会"].level == "review"
    assert (entries["按步就搬"].kind, entries["按步就搬"].level,
            entries["按步就搬"].suggestion) == ("typo", "review", "按部就班")
    assert (entries["一败图地"].level, entries["一败图地"].note) == ("block", "本县从严")
    assert scan("他们一败图地").blocked


def test_gb18030_text_from_windows_notepad_is_read(operator):
    summary = words_import(actor=operator, data="国标编码词\r\n".encode("gb18030"),
                           filename="words.TXT")
    assert summary.ok and WordEntry.objects.filter(word="国标编码词").exists()


def test_bad_text_rows_are_all_reported_and_nothing_is_saved(operator):
    before = WordEntry.objects.count()
    data = ("好的新词\n"
            "坏级别词\t严重\n"
            "错别字=>\n"
            "！！\n"
            "按装=>安装\n"       # already in the dictionary: fine
            "某词=>某词\n").encode()
    summary = words_import(actor=operator, data=data, filename="words.txt")
    assert not summary.ok
    assert summary.errors == [
        "第2行：级别“严重”无效，可填“禁用”或“提醒”",
        "第3行：“=>”后面要写正确写法",
        "第4行：词语去掉空格和标点后至少要有两个字",
        "第6行：正确写法与错别字相同",
    ]
    assert summary.message.startswith("导入失败，未保存任何词条")
    assert WordEntry.objects.count() == before
    assert not scan("好的新词").hits


def test_duplicates_in_the_file_are_merged_with_the_stricter_level(operator):
    data = "重复词\t提醒\n重 复 词\t禁用\nＡＢ重复\nab重复\n".encode()
    summary = words_import(actor=operator, data=data, filename="w.txt")
    assert summary.ok and (summary.created, summary.merged) == (2, 2)
    assert WordEntry.objects.get(normalized="重复词").level == "block"
    assert summary.message == "导入完成：新增2条，更新0条，未变0条，文件内重复合并2条"


def test_conflicting_duplicates_are_an_error(operator):
    summary = words_import(actor=operator, data="按错=>安错\n按错=>暗错\n".encode(),
                           filename="w.txt")
    assert summary.errors == ["第2行：“按错”与第1行重复，但类型或正确写法不同，请只保留一行"]
    assert not WordEntry.objects.filter(word="按错").exists()


def test_existing_words_are_updated_reactivated_or_left_alone(operator):
    from rongmei.wordgate.services import word_set_active

    stopped = WordEntry.objects.get(word="出售枪支")
    word_set_active(actor=operator, entry=stopped, active=False)
    data = "高利贷\t禁用\n出售枪支\n代开发票\n".encode()
    summary = words_import(actor=operator, data=data, filename="w.txt")
    assert (summary.created, summary.updated, summary.unchanged) == (0, 2, 1)
    assert WordEntry.objects.get(word="高利贷").level == "block"
    assert WordEntry.objects.get(word="出售枪支").is_active
    assert scan("放高利贷").blocked and scan("出售枪支").blocked


def test_excel_import_with_all_columns(operator):
    data = xlsx(("词语", "级别", "类型", "建议", "备注", "启用"),
                ("表格禁词", "禁用", "敏感词", None, "来自表格", "是"),
                ("表格提醒", "提醒", None, None, None, None),
                ("按步就搬", None, "错别字", "按部就班", None, None),
                ("一败图地", None, None, "一败涂地", None, None),  # a suggestion makes it a typo
                ("停用词条", "禁用", "敏感词", None, None, "否"),
                (None, None, None, None, None, None))
    summary = words_import(actor=operator, data=data, filename="词库.xlsx")
    assert summary.ok and summary.created == 5
    assert WordEntry.objects.get(word="表格禁词").note == "来自表格"
    assert WordEntry.objects.get(word="表格提醒").level == "review"
    assert WordEntry.objects.get(word="一败图地").kind == "typo"
    assert not WordEntry.objects.get(word="停用词条").is_active
    assert scan("表格禁词").blocked and not scan("停用词条").hits


def test_excel_bad_rows_are_reported_with_row_numbers_and_nothing_is_saved(operator):
    before = WordEntry.objects.count()
    data = xlsx(("词语", "级别", "类型", "建议"),
                ("好词条", "禁用", "敏感词", None),
                ("坏类型", "禁用", "违禁品", None),
                ("坏错字", "提醒", "错别字", None),
                (None, "禁用", None, None))
    summary = words_import(actor=operator, data=data, filename="w.xlsx")
    assert summary.errors == ["第3行：类型“违禁品”无效，可填“敏感词”或“错别字”",
                              "第4行：错别字须填写正确写法", "第5行：请填写词语"]
    assert WordEntry.objects.count() == before


def test_an_exported_workbook_imports_again_unchanged(client, make_user, operator):
    from django.urls import reverse

    client.force_login(operator)
    exported = client.get(reverse("wordgate_words:index"), {"export": "xlsx"}).content
    summary = words_import(actor=operator, data=exported, filename="export.xlsx")
    assert summary.ok and summary.unchanged == WordEntry.objects.count()
    assert summary.created == summary.updated == 0


@pytest.mark.parametrize("data,filename,code", [
    (b"", "w.txt", "empty_file"), (b"# only a comment\n", "w.txt", "empty_file"),
    (b"not a workbook", "w.xlsx", "invalid_excel"), (b"x", "w.docx", "invalid_file"),
    (b"\xff\xfe\x00\xd8" * 10, "w.txt", "invalid_file"),
])
def test_unreadable_files_are_refused(operator, data, filename, code):
    with pytest.raises(ServiceError) as error:
        words_import(actor=operator, data=data, filename=filename)
    assert error.value.code == code and error.value.field == "file"


def test_excel_without_the_word_column_is_refused(operator):
    with pytest.raises(ServiceError, match="表头缺少“词语”列"):
        words_import(actor=operator, data=xlsx(("名称",), ("某词",)), filename="w.xlsx")


def test_only_managers_import(make_user):
    with pytest.raises(ServiceError) as error:
        words_import(actor=make_user("editor"), data="某新词\n".encode(), filename="w.txt")
    assert error.value.status == 403


def test_console_import_shows_errors_then_the_summary(client, operator):
    from django.urls import reverse

    client.force_login(operator)
    bad = io.BytesIO("好词条甲\n坏\t乱填\n".encode())
    bad.name = "w.txt"
    response = client.post(reverse("wordgate_words:import"), {"file": bad})
    page = response.content.decode()
    assert response.status_code == 400 and "第2行" in page and "未保存任何词条" in page
    good = io.BytesIO("好词条甲\n".encode())
    good.name = "w.txt"
    response = client.post(reverse("wordgate_words:import"), {"file": good}, follow=True)
    assert "导入完成：新增1条" in response.content.decode()
