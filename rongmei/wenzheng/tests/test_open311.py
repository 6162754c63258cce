"""Open311 GeoReport v2 at /open311/, following the specification's examples
(http://wiki.open311.org/GeoReport_v2): discovery, services and service definitions, reading
requests with their search parameters, filing a request with a partner's api_key, in JSON
and XML, and errors as ``[{"code", "description"}]``."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from rongmei.core.roles import DIRECTOR, EDITOR
from rongmei.wenzheng import open311, services
from rongmei.wenzheng.models import Case, CaseState, Open311Partner, Track

from .conftest import submit

pytestmark = pytest.mark.django_db
V2 = "/open311/v2"


def public_case(wz, **fields):
    """A resident's case the newsroom accepted onto the public board."""
    case = submit(wz, **fields)
    services.case_accept(actor=wz.handler, case_id=case.pk, track=Track.SIMPLE)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def partner(wz):
    issued, key = open311.partner_issue(actor=wz.reviewer, name="莲乡县12345热线",
                                        contact="王工 0797-1234567")
    return issued, key


def example_post(wz, key, **overrides):
    """The specification's POST example, in the demo county."""
    data = {"api_key": key, "jurisdiction_id": "", "service_code": str(wz.category.pk),
            "lat": "27.123456", "long": "116.654321", "address_string": "荷塘镇上塘村村口",
            "email": "zhangsan@example.cn", "device_id": "tt222111", "account_id": "123456",
            "first_name": "三", "last_name": "张", "phone": "13900001111",
            "description": "上塘村村口一个大坑越来越大，车辆经过很危险，希望尽快修补。",
            "media_url": "http://online.example.cn/image.jpg",
            "attribute[since]": "2026-11-20"}
    data.update(overrides)
    return data


# --- discovery and services -----------------------------------------------------------------------

def test_discovery_names_the_georeport_v2_endpoint_and_its_formats(client):
    data = client.get("/open311/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["application/json", "text/xml"]
    assert data["changeset"] and data["contact"] and data["key_service"]
    xml = ElementTree.fromstring(client.get("/open311/discovery.xml").content)
    assert xml.tag == "discovery"
    assert [f.text for f in xml.findall("./endpoints/endpoint/formats/format")] == [
        "application/json", "text/xml"]


def test_services_are_the_categories_and_metadata_says_which_have_attributes(client, wz):
    services_json = client.get(f"{V2}/services.json").json()
    by_name = {s["service_name"]: s for s in services_json}
    assert set(by_name) == {"城乡建设", "交通出行"}
    assert by_name["城乡建设"] == {"service_code": str(wz.category.pk), "service_name": "城乡建设",
                                  "description": "", "metadata": True, "type": "realtime",
                                  "keywords": "", "group": "问政"}
    assert by_name["交通出行"]["metadata"] is False
    xml = ElementTree.fromstring(client.get(f"{V2}/services.xml").content)
    assert xml.tag == "services" and len(xml.findall("./service/service_code")) == 2
    assert xml.find("./service/metadata").text in ("true", "false")


def test_a_service_definition_lists_the_category_fields_as_attributes(client, wz):
    definition = client.get(f"{V2}/services/{wz.category.pk}.json").json()
    assert definition["service_code"] == str(wz.category.pk)
    assert definition["attributes"] == [{
        "variable": True, "code": "since", "datatype": "datetime", "required": False,
        "datatype_description": "YYYY-MM-DD", "order": 1, "description": "发生日期"}]
    xml = ElementTree.fromstring(client.get(f"{V2}/services/{wz.category.pk}.xml").content)
    assert xml.find("./attributes/attribute/code").text == "since"
    missing = client.get(f"{V2}/services/99999.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "service_code 99999 不存在"}]


# --- reading requests ------------------------------------------------------------------------------

def test_requests_are_the_public_cases_anonymised(client, wz):
    case = public_case(wz)
    submit(wz, title="没公开的问政")  # not accepted yet: not on the board
    response = client.get(f"{V2}/requests.json?status=open")
    assert response.status_code == 200
    [item] = response.json()
    assert item["service_request_id"] == case.receipt_no and item["status"] == "open"
    assert item["service_code"] == str(wz.category.pk) and item["service_name"] == "城乡建设"
    assert (item["lat"], item["long"]) == (27.12, 116.65)  # about a kilometre
    assert item["address"] == "上塘村" and item["media_url"] is None
    body = response.content.decode()
    assert "13912345678" not in body and "李四" not in body and "27.123456" not in body
    assert item["requested_datetime"].endswith("+08:00")
    xml = ElementTree.fromstring(client.get(f"{V2}/requests.xml").content)
    assert xml.tag == "service_requests"
    assert xml.find("./request/service_request_id").text == case.receipt_no


def test_search_parameters_as_the_specification_defines_them(client, wz, settings):
    first, second = public_case(wz), public_case(wz, category_id=wz.other_category.pk)
    old = public_case(wz)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=120))

    def ids(query):
        response = client.get(f"{V2}/requests.json{query}")
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    # The default is the past 90 days.
    assert ids("") == {first.receipt_no, second.receipt_no}
    assert ids(f"?service_code={wz.other_category.pk}") == {second.receipt_no}
    assert ids(f"?service_code={wz.category.pk},{wz.other_category.pk}") == {
        first.receipt_no, second.receipt_no}
    # service_request_id (comma-delimited) ignores the other parameters, dates included.
    assert ids(f"?service_request_id={old.receipt_no},{second.receipt_no}"
               f"&service_code={wz.category.pk}") == {old.receipt_no, second.receipt_no}
    start = (timezone.now() - timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"?start_date={start}&end_date={end}") == {old.receipt_no}
    assert ids(f"?start_date={start}") == {old.receipt_no}  # and the 90 days after it
    assert ids("?status=closed") == set() and ids("?status=open,closed") == {
        first.receipt_no, second.receipt_no}
    too_long = client.get(f"{V2}/requests.json?start_date=2026-01-01T00:00:00Z"
                          "&end_date=2026-06-01T00:00:00Z")
    assert too_long.status_code == 400 and too_long.json()[0]["code"] == 400
    assert client.get(f"{V2}/requests.json?start_date=yesterday").status_code == 400
    # Well-formed but impossible or out-of-range dates are the same GeoReport error, in the
    # format asked for (was a 500).
    for bad in ("2026-02-30T10:00:00Z", "2026-13-01T00:00:00Z", "9999-12-31T23:59:59-23:59",
                "0001-01-01T00:00:00+23:00"):
        answer = client.get(f"{V2}/requests.json?start_date={bad.replace('+', '%2B')}")
        assert answer.status_code == 400 and "W3C" in answer.json()[0]["description"], bad
        xml = client.get(f"{V2}/requests.xml?end_date={bad.replace('+', '%2B')}")
        assert xml.status_code == 400 and xml["Content-Type"].startswith("text/xml"), bad
        assert "<description>" in xml.content.decode()
    assert client.get(f"{V2}/requests.json?status=pending").status_code == 400
    settings.OPEN311_JURISDICTION_ID = "lianxiang.gov.cn"
    assert ids("?jurisdiction_id=lianxiang.gov.cn") == {first.receipt_no, second.receipt_no}
    elsewhere = client.get(f"{V2}/requests.json?jurisdiction_id=other.gov.cn")
    assert elsewhere.status_code == 404


def test_one_request_by_its_id(client, wz):
    case = public_case(wz)
    [item] = client.get(f"{V2}/requests/{case.receipt_no}.json").json()
    assert item["service_request_id"] == case.receipt_no
    hidden = submit(wz)
    missing = client.get(f"{V2}/requests/{hidden.receipt_no}.xml")
    assert missing.status_code == 404
    error = ElementTree.fromstring(missing.content)
    assert error.tag == "errors" and error.find("./error/code").text == "404"


# --- filing requests ---------------------------------------------------------------------------

def test_a_partner_files_a_request_as_in_the_specification_example(client, wz, partner):
    issued, key = partner
    response = client.post(f"{V2}/requests.json", example_post(wz, key))
    assert response.status_code == 200, response.content
    [answer] = response.json()
    assert answer["account_id"] == "123456" and answer["service_notice"]
    case = Case.objects.get(receipt_no=answer["service_request_id"])
    # The same triage as any case: waiting for the 问政专员, private until accepted.
    assert case.state == CaseState.SUBMITTED and case.category == wz.category
    assert case.extra == {"since": "2026-11-20"} and case.wants_public is False
    assert case.address == "荷塘镇上塘村村口" and str(case.latitude) == "27.123456"
    assert case.user.open311_reporter.partner == issued and not case.user.has_usable_password()
    assert case.contact_phone_encrypted and "13900001111" not in case.contact_phone_encrypted
    assert case.title.startswith("上塘村村口一个大坑")
    # A retried POST of the same report is the same case.
    again = client.post(f"{V2}/requests.json", example_post(wz, key))
    assert again.json()[0]["service_request_id"] == case.receipt_no
    # The same person (account_id) filing another report keeps the same account.
    other = client.post(f"{V2}/requests.json", example_post(
        wz, key, description="上塘村村口的路灯坏了，晚上很黑看不清路。"))
    assert Case.objects.get(receipt_no=other.json()[0]["service_request_id"]).user == case.user
    issued.refresh_from_db()
    assert issued.case_count == 2 and issued.last_used_at is not None


def test_the_partner_reads_its_own_requests_with_its_key_and_nobody_else_does(client, wz,
                                                                            partner):
    _, key = partner
    receipt = client.post(f"{V2}/requests.json", example_post(wz, key)).json()[0][
        "service_request_id"]
    assert client.get(f"{V2}/requests/{receipt}.json").status_code == 404
    [item] = client.get(f"{V2}/requests/{receipt}.json?api_key={key}").json()
    assert item["status"] == "open" and item["status_notes"].startswith("待审核")
    assert "13900001111" not in str(item) and "张三" not in str(item)
    assert receipt in {r["service_request_id"]
                       for r in client.get(f"{V2}/requests.json?api_key={key}").json()}


def test_xml_post_answers_in_xml(client, wz, partner):
    _, key = partner
    response = client.post(f"{V2}/requests.xml", example_post(wz, key))
    xml = ElementTree.fromstring(response.content)
    assert response["Content-Type"].startswith("text/xml")
    assert xml.tag == "service_requests"
    assert xml.find("./request/service_request_id").text.startswith("WZ")


def test_post_errors_are_georeport_errors(client, wz, partner):
    issued, key = partner
    no_key = client.post(f"{V2}/requests.json", example_post(wz, ""))
    assert no_key.status_code == 403
    assert no_key.json() == [{"code": 403, "description": "api_key 缺失、错误或已吊销"}]
    unknown = client.post(f"{V2}/requests.json", example_post(wz, key, service_code="999"))
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404
    nowhere = client.post(f"{V2}/requests.json", example_post(
        wz, key, lat="", long="", address_string=""))
    assert nowhere.status_code == 400
    short = client.post(f"{V2}/requests.json", example_post(wz, key, description="坑"))
    assert short.status_code == 400 and "10" in short.json()[0]["description"]
    bad_date = client.post(f"{V2}/requests.json", example_post(wz, key, **{
        "attribute[since]": "上周"}))
    assert bad_date.status_code == 400 and "extra.since" in bad_date.json()[0]["description"]
    assert Case.objects.count() == 0
    open311.partner_revoke(actor=wz.reviewer, partner_id=issued.pk)
    revoked = client.post(f"{V2}/requests.xml", example_post(wz, key))
    assert revoked.status_code == 403
    assert ElementTree.fromstring(revoked.content).find("./error/code").text == "403"


def test_posts_are_rate_limited_per_key(client, wz, partner, settings):
    _, key = partner
    settings.OPEN311_POSTS_PER_HOUR = 2
    for n in range(2):
        answer = client.post(f"{V2}/requests.json", example_post(
            wz, key, account_id=f"a{n}", description=f"第{n}件：村口大坑越来越大，很危险。"))
        assert answer.status_code == 200
    limited = client.post(f"{V2}/requests.json", example_post(wz, key, account_id="a9"))
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert limited.json()[0]["code"] == 429


# --- console ---------------------------------------------------------------------------------------

def test_the_director_issues_a_key_once_and_revokes_it_in_the_console(client, wz, make_user):
    url = "/admin/wenzheng_open311/"
    client.force_login(make_user(EDITOR))
    assert client.get(url).status_code in (302, 403)
    client.force_login(make_user(DIRECTOR))
    assert client.get(url).status_code == 200
    issued = client.post(url, {"name": "市民通App", "contact": "李工"})
    assert issued.status_code == 200
    partner = Open311Partner.objects.get(name="市民通App")
    key = issued.context["issued_key"]
    assert key.startswith("o311_") and key in issued.content.decode()
    assert partner.key_hash != key and key not in client.get(url).content.decode()
    assert open311.partner_for_key(key) == partner
    client.post(url, {"action": "revoke", "partner": partner.pk})
    assert open311.partner_for_key(key) is None
    assert "已于" in client.get(url).content.decode()


# --- every error is a GeoReport error, whoever answers it --------------------------------------

def georeport_error(response, status: int, fmt: str) -> str:
    """The response is GeoReport's error list with ``status``, in ``fmt``: its description."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
        [error] = response.json()
        assert set(error) == {"code", "description"} and error["code"] == status
        description = error["description"]
    else:
        assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
        root = ElementTree.fromstring(response.content)
        assert root.tag == "errors" and [e.tag for e in root] == ["error"]
        assert root.find("./error/code").text == str(status)
        description = root.find("./error/description").text
    assert description and "<" not in description
    # Converted or not, an error keeps the site's security headers.
    assert response["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in response
    return description


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_route_answers_errors_in_the_georeport_shape(client, wz, partner, settings, fmt):
    _, key = partner
    case = public_case(wz)
    # The views' own refusals.
    georeport_error(client.get(f"{V2}/services/99999.{fmt}"), 404, fmt)
    georeport_error(client.get(f"{V2}/requests/WZNOSUCHCASE.{fmt}"), 404, fmt)
    georeport_error(client.get(f"{V2}/requests.{fmt}?status=pending"), 400, fmt)
    georeport_error(client.post(f"{V2}/requests.{fmt}", {"description": "没有密钥"}), 403, fmt)
    georeport_error(client.post(f"{V2}/requests.{fmt}", example_post(wz, key, service_code="")),
                    400, fmt)
    settings.OPEN311_JURISDICTION_ID = "lianxiang.gov.cn"
    for path in ("/open311/discovery", f"{V2}/services", f"{V2}/services/{wz.category.pk}",
                 f"{V2}/requests", f"{V2}/requests/{case.receipt_no}"):
        if path != "/open311/discovery":
            georeport_error(client.get(f"{path}.{fmt}?jurisdiction_id=other.gov.cn"), 404, fmt)
        # A method the route does not have: 405 with Allow (was an empty text/html 405, and a
        # POST to a GET route was the HTML "page expired" 403 of the CSRF check).
        for method in ("post", "put", "delete", "patch"):
            if path == f"{V2}/requests" and method == "post":
                continue
            response = getattr(client, method)(f"{path}.{fmt}")
            assert "不支持" in georeport_error(response, 405, fmt), (method, path)
            assert "GET" in response["Allow"]
    assert client.delete(f"{V2}/requests.{fmt}")["Allow"] == "GET, HEAD, POST"
    # Paths and formats that do not exist (were Django's HTML 404, the technical page under
    # DEBUG, or a redirect to one).
    settings.DEBUG = True
    assert ".csv" in georeport_error(client.get(f"{V2}/services.csv"), 404, "json")
    assert "格式" in georeport_error(client.get(f"{V2}/requests/{case.receipt_no}.yaml"), 404,
                                   "json")
    georeport_error(client.get(f"{V2}/nothing.{fmt}"), 404, fmt)
    georeport_error(client.get(f"{V2}/services"), 404, "json")
    georeport_error(client.get("/open311/"), 404, "json")
    settings.DEBUG = False
    # Refused before any view: hostile input (query, form, path) and a body over the limit.
    assert "控制字符" in georeport_error(client.get(f"{V2}/requests.{fmt}?status=open%00"),
                                      400, fmt)
    georeport_error(client.post(f"{V2}/requests.{fmt}", {"api_key": key, "description": "\x00"}),
                    400, fmt)
    georeport_error(client.get(f"{V2}/requests/WZ%00.{fmt}"), 404, fmt)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    oversize = client.post(f"{V2}/requests.{fmt}", example_post(wz, key, description="坑" * 2000))
    assert "过大" in georeport_error(oversize, 413, fmt)
    assert Case.objects.count() == 1


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_rate_limits_and_server_errors_are_georeport_errors(client, wz, monkeypatch, fmt):
    from django.test import Client

    for _ in range(20):
        georeport_error(client.post(f"{V2}/requests.{fmt}", {"api_key": "o311_wrong"}), 403, fmt)
    limited = client.post(f"{V2}/requests.{fmt}", {"api_key": "o311_wrong"})
    georeport_error(limited, 429, fmt)
    assert int(limited["Retry-After"]) > 0

    def broken():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(open311.selectors, "categories", broken)
    crashed = Client(raise_request_exception=False).get(f"{V2}/services.{fmt}")
    assert "服务器" in georeport_error(crashed, 500, fmt)
    assert "Traceback" not in crashed.content.decode()


# --- XML holds any text --------------------------------------------------------------------

NOT_IN_XML = "\x01\x08\x0b\x0c\x1f\ufffe\uffff"


def test_xml_is_well_formed_whatever_the_case_text_holds(client, wz, settings, monkeypatch):
    """C0 controls, U+FFFE/U+FFFF (stored in a case) and lone surrogates (which no database
    stores, but a text built from one could hold) never make the XML malformed, nor the JSON
    a 500."""
    case = public_case(wz)
    Case.objects.filter(pk=case.pk).update(
        title=f"路灯{NOT_IN_XML}坏了", public_description=f"村口路灯{NOT_IN_XML}坏了一个月，晚上很黑。")
    for path in (f"{V2}/requests.xml", f"{V2}/requests/{case.receipt_no}.xml"):
        response = client.get(path)
        assert response.status_code == 200
        description = ElementTree.fromstring(response.content).find("./request/description").text
        assert description.startswith("村口路灯") and "晚上很黑" in description
        assert not set(NOT_IN_XML) & set(description)
    [item] = client.get(f"{V2}/requests.json").json()
    assert item["description"].startswith("村口路灯")
    public_case_dict = open311.selectors.public_case_dict
    monkeypatch.setattr(open311.selectors, "public_case_dict", lambda *a, **k: {
        **public_case_dict(*a, **k), "description": "孤立代理\ud800字符\udfff"})
    for fmt in ("xml", "json"):
        response = client.get(f"{V2}/requests.{fmt}")
        assert response.status_code == 200
        text = response.content.decode("utf-8")
        assert "孤立代理\ufffd字符\ufffd" in text
        if fmt == "xml":
            ElementTree.fromstring(response.content)
    # An error repeating what the client sent (a control character is no hostile input).
    settings.OPEN311_JURISDICTION_ID = "lianxiang.gov.cn"
    refused = client.get(f"{V2}/services.xml?jurisdiction_id=a%01b%0Bc")
    assert "a\ufffdb\ufffdc" in georeport_error(refused, 404, "xml")
