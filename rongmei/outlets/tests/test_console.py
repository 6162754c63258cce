"""The 分发 console screens: who sees what, filters, detail, retry/cancel, write-only secrets."""

from __future__ import annotations

import json
import re

import pytest

from rongmei.core.tests.test_console_chinese import ALLOWED_WORDS, english_words
from rongmei.outlets import services
from rongmei.outlets.models import Delivery, Outlet

from .conftest import make_outlet, make_snapshot

pytestmark = pytest.mark.django_db

QUEUE = "/admin/outlet_deliveries/"
SETTINGS = "/admin/outlet_settings/"
# Product and protocol names that stay as they are.
NAMES = ALLOWED_WORDS | {"Webhook", "AppID", "AppKey", "Client", "Key", "AppSecret", "HTTP",
                         "IP"}
# Setting keys shown in the help text, as the scanner splits them.
KEYS = {"access", "token", "open", "id", "rip", "multi", "image", "true", "endpoint"}

MATRIX = {  # role: (sees the queue, sees the outlet settings)
    "reporter": (False, False), "editor": (True, False), "chief_editor": (True, False),
    "director": (True, False), "operator": (True, True), "administrator": (True, True),
    "unit_admin": (False, False), "wenzheng_handler": (False, False),
    "propaganda": (False, False),
}


@pytest.fixture
def queued(standin, django_capture_on_commit_callbacks):
    server = standin(lambda r: (400, {"error": "refused"}))
    outlet = make_outlet("webhook", api_base=server.url, name="县政府网站")
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(make_snapshot(), outlet_ids=[outlet.pk])
    return Delivery.objects.get()


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_role_matrix_of_the_screens(client, make_user, queued, role):
    sees_queue, sees_settings = MATRIX[role]
    client.force_login(make_user(role))
    menu = client.get("/admin/").content.decode()
    assert (QUEUE in menu) is sees_queue and (SETTINGS in menu) is sees_settings
    for url, allowed in ((QUEUE, sees_queue), (f"{QUEUE}{queued.pk}/", sees_queue),
                         (SETTINGS, sees_settings), (f"{SETTINGS}new/", sees_settings)):
        status = client.get(url).status_code
        assert (status == 200) is allowed, (role, url, status)
    response = client.post(f"{QUEUE}{queued.pk}/", {"action": "retry"})
    assert (Delivery.objects.get().status == "pending") is sees_queue
    if not sees_queue:
        assert response.status_code in (302, 403)


def test_editor_filters_the_queue_reads_the_error_and_retries(client, make_user, queued):
    client.force_login(make_user("editor"))
    page = client.get(QUEUE + "?status=failed").content.decode()
    assert "广昌白莲" in page and "县政府网站" in page
    assert "广昌白莲" not in client.get(QUEUE + "?status=success").content.decode()
    assert "广昌白莲" in client.get(QUEUE + "?story=白莲").content.decode()
    assert "广昌白莲" not in client.get(QUEUE + "?story=不存在").content.decode()
    assert "广昌白莲" in client.get(QUEUE + f"?outlet={queued.outlet_id}").content.decode()
    detail = client.get(f"{QUEUE}{queued.pk}/").content.decode()
    assert "被平台拒绝" in detail and "立即重试" in detail and "HTTP 400" in detail
    # Raw platform answers and the payload (inside <pre>) are data, not interface.
    data = {"story"}  # the story key "story:1" is the newsroom's identifier
    assert english_words(re.sub(r"<pre>.*?</pre>", "", detail, flags=re.DOTALL), NAMES | data) == {}
    assert english_words(page, NAMES) == {}
    client.post(f"{QUEUE}{queued.pk}/", {"action": "retry"})
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 0
    page = client.post(f"{QUEUE}{queued.pk}/", {"action": "retry"}, follow=True)
    assert "只有失败或等待重试的分发可以重试" in page.content.decode()
    client.post(f"{QUEUE}{queued.pk}/", {"action": "cancel"})
    assert Delivery.objects.get().status == "cancelled"


def test_a_retracted_storys_delivery_cannot_be_retried(client, make_user, queued):
    services.retract("story:1", reason="撤稿")
    client.force_login(make_user("editor"))
    page = client.post(f"{QUEUE}{queued.pk}/", {"action": "retry"}, follow=True)
    assert "稿件已撤回，不能再重试发布" in page.content.decode()
    assert Delivery.objects.get(pk=queued.pk).status == "failed"


def test_operator_adds_an_outlet_and_the_secret_is_never_shown_back(client, make_user):
    client.force_login(make_user("operator"))
    form = client.get(f"{SETTINGS}new/").content.decode()
    assert english_words(form, NAMES | KEYS) == {}
    refused = client.post(f"{SETTINGS}new/", {"name": "县融媒公众号", "kind": "wechat_mp",
                                              "is_active": "on", "settings": "{}"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "公众号必须填写 AppID" in body and "请填写密钥" in body
    client.post(f"{SETTINGS}new/", {
        "name": "县融媒公众号", "kind": "wechat_mp", "is_active": "on", "app_id": "wx123",
        "secret": "APPSECRET-abcdef", "settings": json.dumps({"token_endpoint": "token"})})
    outlet = Outlet.objects.get()
    assert outlet.get_secret() == "APPSECRET-abcdef"
    assert "APPSECRET-abcdef" not in outlet.secret_encrypted
    edit = client.get(f"{SETTINGS}{outlet.pk}/").content.decode()
    assert "APPSECRET-abcdef" not in edit and outlet.secret_encrypted not in edit
    assert "当前已设置密钥" in edit
    client.post(f"{SETTINGS}{outlet.pk}/", {"name": "县融媒体公众号", "kind": "wechat_mp",
                                             "is_active": "on", "app_id": "wx123",
                                             "secret": "", "settings": "{}"})
    outlet.refresh_from_db()
    assert outlet.name == "县融媒体公众号" and outlet.get_secret() == "APPSECRET-abcdef"
    listing = client.get(SETTINGS).content.decode()
    assert "县融媒体公众号" in listing and "已设置" in listing


def test_queue_services_check_the_role_themselves(make_user, queued):
    from rongmei.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        services.delivery_retry(actor=make_user("reporter"), delivery_id=queued.pk)
    with pytest.raises(PermissionDeniedError):
        services.outlet_save(actor=make_user("editor"), outlet=Outlet(name="x", kind="weibo"))


def test_api_lists_a_storys_deliveries_for_editors_only(client, make_user, queued):
    url = "/api/v1/outlets/deliveries?story_key=story:1"
    assert client.get(url).status_code == 401
    client.force_login(make_user("reporter"))
    refused = client.get(url)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    client.force_login(make_user("editor"))
    [row] = client.get(url).json()
    assert (row["outlet_name"], row["action"], row["status"], row["version"]) == (
        "县政府网站", "publish", "failed", 1)
    assert "被平台拒绝" in row["last_error"]
