"""服务+ for operators: the Excel import (all or nothing, a Chinese report), usage, the link
checker against a local stand-in answering 200, 404 and never."""

from __future__ import annotations

import io
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from rongmei.directory.models import LinkStatus, Service
from rongmei.directory.services import COLUMNS


def text(response) -> str:
    return response.content.decode()


def xlsx(rows, header=COLUMNS) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(name, "") for name in header])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("services.xlsx", buffer.getvalue())


GOOD = {"服务名称": "公积金提取", "类型": "政务服务", "分类": "公积金", "打开方式": "外部H5链接",
        "链接地址": "https://gjj.example/draw", "标签": "公积金,提取", "需要登录": "是",
        "所需材料": "身份证", "办理时间": "工作日"}


@pytest.mark.django_db
def test_an_excel_import_with_bad_rows_imports_nothing_and_reports_in_chinese(
        client, operator, categories):
    client.force_login(operator)
    rows = [GOOD,
            {**GOOD, "服务名称": "坏分类", "分类": "火星"},
            {**GOOD, "服务名称": "坏链接", "链接地址": "ftp://x"},
            {**GOOD, "服务名称": "", "类型": "别的"},
            {**GOOD},
            {**GOOD, "服务名称": "长小程序", "打开方式": "微信小程序", "小程序AppID": "wx" + "a" * 90,
             "小程序页面路径": "pages/" + "x" * 300}]
    page = text(client.post("/admin/directory_import/", {"file": xlsx(rows)}))
    assert "第7行：小程序AppID最多40个字" in page and "小程序页面路径最多200个字" in page
    assert "未导入任何数据" in page
    assert "第3行：分类“火星”不存在" in page
    assert "第4行：外部H5链接须以 https:// 开头" in page
    assert "第5行：“服务名称”不能为空" in page and "类型“别的”无效" in page
    assert "第6行：服务名称“公积金提取”与第2行重复" in page
    assert not Service.objects.exists()

    page = text(client.post("/admin/directory_import/", {"file": xlsx([GOOD])}, follow=True))
    assert "新增 1 项" in page
    service = Service.objects.get(name="公积金提取")
    assert service.requires_login and service.tag_list == ["公积金", "提取"]
    assert "gjj" in service.search_text  # pinyin initials of 公积金
    client.post("/admin/directory_import/", {"file": xlsx([{**GOOD, "所需材料": "身份证、房产证"}])})
    service.refresh_from_db()
    assert service.materials == "身份证、房产证" and Service.objects.count() == 1


@pytest.mark.django_db
def test_an_import_that_is_not_excel_or_lacks_columns_is_refused(client, operator, categories):
    client.force_login(operator)
    page = text(client.post("/admin/directory_import/",
                            {"file": SimpleUploadedFile("x.xlsx", b"not excel")}))
    assert "无法读取该文件" in page
    page = text(client.post("/admin/directory_import/",
                            {"file": xlsx([{"服务名称": "x"}], header=("服务名称",))}))
    assert "表头缺少“类型”列" in page
    template = client.get("/admin/directory_import/", {"template": "1"})
    assert template.status_code == 200 and template["Content-Type"].startswith(
        "application/vnd.openxmlformats")


@pytest.mark.django_db
def test_console_screens_are_for_operators_only(client, make_user, categories):
    from rongmei.core.roles import EDITOR

    client.force_login(make_user(EDITOR))
    assert client.post("/admin/directory_import/", {"file": xlsx([GOOD])}).status_code == 302
    assert client.get("/admin/directory_usage/").status_code == 302
    assert client.get("/admin/directory/services/").status_code in (302, 403)
    assert not Service.objects.exists()


@pytest.mark.django_db
def test_usage_per_service_and_day_and_the_service_form(client, operator, shebao, categories):
    client.post(f"/directory/{shebao.pk}/go/")
    client.force_login(operator)
    page = text(client.get("/admin/directory_usage/"))
    assert "社会保险参保登记" in page and "按日期" in page
    form = {"name": "新服务", "kind": "government", "category": categories["社保"].pk,
            "icon": "service", "open_mode": "h5", "url": "javascript:alert(1)", "order": 1,
            "is_active": "on"}
    page = text(client.post("/admin/directory/services/new/", form))
    assert "外部H5链接须以 https:// 开头" in page and not Service.objects.filter(
        name="新服务").exists()
    client.post("/admin/directory/services/new/", {**form, "url": "https://new.example/"})
    assert Service.objects.filter(name="新服务").exists()


class _StandIn(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/ok"):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def stand_in():
    """A local server answering 200 and 404, and a socket that accepts and never answers."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    yield f"http://127.0.0.1:{server.server_port}", f"http://127.0.0.1:{silent.getsockname()[1]}"
    server.shutdown()
    server.server_close()
    silent.close()


@pytest.mark.django_db
def test_the_link_checker_marks_404s_and_timeouts_broken(stand_in, categories, operator,
                                                         client):
    base, silent = stand_in
    category = categories["社保"]
    for name, url, mode in (("好链接", f"{base}/ok", "h5"), ("坏链接", f"{base}/gone", "h5"),
                            ("超时链接", f"{silent}/slow", "h5"), ("站内", "/points/", "internal")):
        Service(name=name, category=category, url=url, open_mode=mode).save()
    out = io.StringIO()
    call_command("directory_check_links", "--timeout", "0.3", stdout=out)
    assert "正常 1 项，失效 2 项" in out.getvalue()
    status = {s.name: (s.link_status, s.link_error) for s in Service.objects.all()}
    assert status["好链接"] == (LinkStatus.OK, "")
    assert status["坏链接"] == (LinkStatus.BROKEN, "返回状态码 404")
    assert status["超时链接"] == (LinkStatus.BROKEN, "连接超时")
    assert status["站内"][0] == LinkStatus.UNCHECKED
    client.force_login(operator)
    page = text(client.get("/admin/directory_usage/"))
    assert "链接失效的服务（2）" in page and "返回状态码 404" in page


@pytest.mark.django_db
def test_a_server_that_speaks_no_http_is_broken_and_the_run_goes_on(stand_in, categories):
    """Review finding: an SSH banner (BadStatusLine) stopped the whole run."""
    base, _silent = stand_in
    banner = socket.socket()
    banner.bind(("127.0.0.1", 0))
    banner.listen(5)

    def speak():
        for _ in range(3):
            try:
                conn, _ = banner.accept()
            except OSError:
                return
            conn.sendall(b"SSH-2.0-OpenSSH_8.9\r\n")
            conn.close()

    threading.Thread(target=speak, daemon=True).start()
    category = categories["社保"]
    Service(name="不是网页", category=category, open_mode="h5",
            url=f"http://127.0.0.1:{banner.getsockname()[1]}/").save()
    Service(name="好链接", category=category, url=f"{base}/ok", open_mode="h5").save()
    Service(name="无此域名", category=category, url="http://no-such-host.invalid/",
            open_mode="h5").save()
    call_command("directory_check_links", "--timeout", "2", stdout=io.StringIO())
    banner.close()
    status = {s.name: (s.link_status, s.link_error) for s in Service.objects.all()}
    assert status["不是网页"] == (LinkStatus.BROKEN, "对方返回的不是网页（不是有效的 HTTP 应答）")
    assert status["好链接"] == (LinkStatus.OK, "")
    assert status["无此域名"] == (LinkStatus.BROKEN, "无法连接（对方地址不存在或拒绝连接）")


@pytest.fixture
def blocked_word(operator):
    from rongmei.wordgate.dictionary import PROCESS_CACHE
    from rongmei.wordgate.services import word_create

    PROCESS_CACHE.reset()
    word_create(actor=operator, word="网络赌博", level="block", kind="sensitive")
    yield "网络赌博"
    PROCESS_CACHE.reset()


def test_service_texts_pass_the_word_gate_in_the_form_and_the_import(client, operator,
                                                                     categories, blocked_word):
    client.force_login(operator)
    form = {"name": "新服务", "kind": "government", "category": categories["社保"].pk,
            "icon": "service", "open_mode": "h5", "url": "https://new.example/", "order": 1,
            "is_active": "on", "summary": "代办网\u200b络赌博开户"}
    page = text(client.post("/admin/directory/services/new/", form))
    assert "含有禁用词" in page and not Service.objects.filter(name="新服务").exists()
    page = text(client.post("/admin/directory_import/",
                            {"file": xlsx([GOOD, {**GOOD, "服务名称": "另一项",
                                                  "办理流程": "先网络赌博再办理"}])}))
    assert "第3行：办理流程含有禁用词" in page
    assert not Service.objects.filter(name__in=["公积金提取", "另一项"]).exists()

