"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) for 12345 hotline platforms
and civic apps, read and write, at ``/open311/``:

    GET  /open311/discovery.{json,xml}           the endpoint, its formats, how to get a key
    GET  /open311/v2/services.{json,xml}         问政分类 as services
    GET  /open311/v2/services/{code}.{json,xml}  a service's attributes (the category's fields)
    GET  /open311/v2/requests.{json,xml}         cases: service_request_id, service_code,
                                                 start_date/end_date (90 days by default),
                                                 status, jurisdiction_id
    GET  /open311/v2/requests/{id}.{json,xml}    one case (its 受理编号)
    POST /open311/v2/requests.{json,xml}         file a case with a partner's api_key

What anyone may read are the cases on the public 问政 board, anonymised exactly as there
(no names or phones, location to about a kilometre); a partner that passes its api_key also
reads the cases it filed itself, anonymised the same way. A POST goes through the citizen
submission service and lands in the same triage as a resident's case; it is rate-limited per
key, and a retried POST of the same report returns the same case.

Every error under ``/open311/`` is GeoReport's ``[{"code": <HTTP status>, "description": …}]``
(``<errors><error><code/><description/></error></errors>`` for ``.xml``): the views' own, an
unknown path or format, a method a route does not have (405, with ``Allow``), and the answers
given before any view runs — hostile input, a body over the upload limit (413), a server error
(``GeoReportErrorsMiddleware``). Text that XML 1.0 cannot hold (C0 controls, lone surrogates,
U+FFFE/U+FFFF) is replaced by U+FFFD, so the XML is always well-formed.

Partner keys (``Open311Partner``) are issued and revoked by 总编辑 or administrators in the
console (问政 › Open311 合作系统); only a SHA-256 of a key is stored.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import timedelta
from datetime import timezone as dt_timezone
from xml.etree import ElementTree

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpResponse
from django.urls import re_path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from rongmei.core import ratelimit
from rongmei.core.crypto import keyed_hash
from rongmei.core.errors import NotFoundError, RateLimitedError, ServiceError
from rongmei.core.http import client_ip
from rongmei.core.roles import DIRECTOR
from rongmei.core.text import xml_safe
from rongmei.units.access import check_role

from . import selectors, services
from .admin_views import Screen
from .models import (
    Case,
    ContactPreference,
    FieldType,
    Open311Partner,
    Open311Reporter,
    PublicStatus,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-02T00:00:00+08:00"  # when this endpoint last changed shape
DEFAULT_DAYS = 90  # the specification's default and largest date range
MAX_RESULTS = 1000
KEY_PREFIX = "o311_"
CLOSED = {PublicStatus.CLOSED, PublicStatus.REJECTED}
DATATYPES = {FieldType.TEXT: "string", FieldType.NUMBER: "number", FieldType.DATE: "datetime",
             FieldType.CHOICE: "singlevaluelist"}
XML_CHILD = {"attributes": "attribute", "values": "value", "endpoints": "endpoint",
             "formats": "format"}
ISSUERS = (DIRECTOR,)  # and administrators


PATH_PREFIX = "/open311/"
# What an error answered outside the views says when it carries no message of its own.
DESCRIPTIONS = {400: "请求无法处理", 403: "无权访问", 404: "请求的地址不存在",
                405: "不支持的请求方式", 413: "提交的内容过大，请精简后重试",
                429: "请求过于频繁，请稍后再试", 500: "服务器开小差了，请稍后再试"}
# Characters XML 1.0 cannot hold, escaped or not: C0 controls but tab, newline and carriage
# return; lone surrogates; U+FFFE and U+FFFF.
SURROGATE = re.compile("[\ud800-\udfff]")


class GeoReportError(Exception):
    def __init__(self, status: int, description: str, *, retry_after: int | None = None,
                 allow: tuple[str, ...] = ()):
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after
        self.allow = allow


# --- partner keys ------------------------------------------------------------------------------

def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def partner_issue(*, actor, name: str, contact: str = "") -> tuple[Open311Partner, str]:
    """A new partner and its API key, returned once (only its hash is kept)."""
    check_role(actor, *ISSUERS, message="只有总编辑或管理员可以签发 Open311 密钥")
    name, contact = (name or "").strip(), (contact or "").strip()
    if not name:
        raise ServiceError("required", "请填写合作系统名称", field="name")
    if Open311Partner.objects.filter(name=name).exists():
        raise ServiceError("duplicate", "已有同名的合作系统", field="name", status=409)
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    partner = Open311Partner(name=name, contact=contact, key_prefix=raw[:8],
                             key_hash=_key_hash(raw), created_by=actor)
    partner.full_clean()
    partner.save()
    return partner, raw


def partner_revoke(*, actor, partner_id) -> Open311Partner:
    check_role(actor, *ISSUERS, message="只有总编辑或管理员可以吊销 Open311 密钥")
    with transaction.atomic():
        partner = Open311Partner.objects.select_for_update().filter(pk=partner_id).first()
        if partner is None:
            raise NotFoundError("合作系统不存在")
        if partner.revoked_at is None:
            partner.revoked_at, partner.revoked_by = timezone.now(), actor
            partner.save(update_fields=["revoked_at", "revoked_by"])
    return partner


def partner_for_key(raw: str | None) -> Open311Partner | None:
    if not raw or not raw.startswith(KEY_PREFIX):
        return None
    return Open311Partner.objects.filter(key_hash=_key_hash(raw), revoked_at=None).first()


def _reporter_for(partner: Open311Partner, identity: str):
    """The account a partner's report is filed under (``Open311Reporter``)."""
    from rongmei.accounts.models import User

    digest = keyed_hash(f"{partner.pk}:{identity}", purpose="open311-reporter") if identity else ""
    if digest:
        found = Open311Reporter.objects.filter(partner=partner, identity_hash=digest).first()
        if found is not None:
            return found.user
    user = User(phone=None, nickname=f"{partner.name}用户"[:20])
    user.set_unusable_password()
    user.save()
    Open311Reporter.objects.create(partner=partner, identity_hash=digest, user=user)
    return user


# --- rendering -----------------------------------------------------------------------------------

def _xml_value(parent, key: str, value) -> None:
    element = ElementTree.SubElement(parent, key)
    if isinstance(value, list):
        for item in value:
            _xml_value(element, XML_CHILD.get(key, "item"), item)
    elif isinstance(value, dict):
        for name, inner in value.items():
            _xml_value(element, name, inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = xml_safe(value)


def _render(fmt: str, data, *, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        element = ElementTree.Element(root)
        if isinstance(data, list):
            for entry in data:
                _xml_value(element, item, entry)
        else:
            for name, value in data.items():
                _xml_value(element, name, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
            element, encoding="utf-8", xml_declaration=False)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    # A lone surrogate cannot be encoded as UTF-8 (it would be a 500).
    body = SURROGATE.sub("\ufffd", json.dumps(data, ensure_ascii=False))
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _error_response(fmt: str, error: GeoReportError) -> HttpResponse:
    response = _render(fmt, [{"code": error.status, "description": error.description}],
                       root="errors", item="error", status=error.status)
    if error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    if error.allow:
        response["Allow"] = ", ".join(error.allow)
    response.georeport = True  # GeoReportErrorsMiddleware leaves it as it is
    return response


def _format_of(path: str) -> str:
    return "xml" if path.lower().endswith(".xml") else "json"


class GeoReportErrorsMiddleware:
    """Errors answered under ``/open311/`` outside the views — a body too large or hostile
    input (``core.hostile_input``), an unhandled exception, anything a middleware refuses —
    become GeoReport's error list too, in the format the path asks for (JSON unless it ends
    in ``.xml``), keeping ``Allow`` and ``Retry-After``. Placed in ``MIDDLEWARE`` above
    everything that can refuse a request (CSRF, hostile input, the URL resolver) and below
    the security headers, which a converted error gets too; the ``{code, message, field}``
    answers under it keep their Chinese message as the description."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PATH_PREFIX):
            return self.get_response(request)
        request.errors_as_json = True  # core's refusals carry their message
        response = self.get_response(request)
        if response.status_code < 400 or getattr(response, "georeport", False):
            return response
        description, retry_after = DESCRIPTIONS.get(response.status_code, "请求无法处理"), None
        if response.get("Content-Type", "").startswith("application/json") and not getattr(
                response, "streaming", False):
            try:
                payload = json.loads(response.content)
            except ValueError:
                payload = None
            if isinstance(payload, dict) and isinstance(payload.get("message"), str):
                description = payload["message"]
                retry_after = payload.get("retry_after")
        converted = _error_response(_format_of(request.path_info), GeoReportError(
            response.status_code, description,
            retry_after=retry_after if isinstance(retry_after, int) else None))
        for header in ("Allow", "Retry-After", "X-Request-ID"):
            if header in response:
                converted[header] = response[header]
        return converted


def georeport(view, methods: tuple[str, ...] = ("GET", "HEAD")):
    """Run a GeoReport view: GeoReport, service and rate-limit errors become the
    specification's error list in the requested format, and so does a method the route
    does not have (405 with ``Allow``). No view reads a session or cookie (partners pass
    their api_key), so none needs a CSRF token: a POST to a GET route is a 405, not a 403."""

    def wrapper(request, *args, fmt: str, **kwargs):
        try:
            if request.method not in methods:
                raise GeoReportError(405, f"不支持 {request.method} 请求，可用：{'、'.join(methods)}",
                                     allow=methods)
            return view(request, *args, fmt=fmt, **kwargs)
        except GeoReportError as error:
            return _error_response(fmt, error)
        except RateLimitedError as exc:
            return _error_response(fmt, GeoReportError(429, exc.message,
                                                       retry_after=exc.retry_after))
        except ServiceError as exc:
            return _error_response(fmt, GeoReportError(
                exc.status if exc.status in (403, 404, 409) else 400,
                f"{exc.field}: {exc.message}" if exc.field else exc.message))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return csrf_exempt(wrapper)


def _local(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _jurisdiction(params) -> None:
    asked = (params.get("jurisdiction_id") or "").strip()
    ours = settings.OPEN311_JURISDICTION_ID
    if asked and ours and asked != ours:
        raise GeoReportError(404, f"jurisdiction_id {asked} 不在本平台（本平台为 {ours}）")


def _limit_reads(request) -> None:
    ratelimit.hit("open311-read", client_ip(request) or "-", limit=1200, window=3600,
                  message="请求过于频繁，请稍后再试")


# --- discovery and services --------------------------------------------------------------------

@georeport
def discovery(request, *, fmt):
    data = {
        "changeset": CHANGESET,
        "contact": f"{settings.RONGMEI_COUNTY_NAME}融媒体中心",
        "key_service": "向融媒体中心申请：总编辑在管理后台“问政 › Open311 合作系统”签发 API 密钥",
        "endpoints": [{"specification": SPECIFICATION, "url": _absolute("/open311/v2"),
                       "changeset": CHANGESET, "type": "production",
                       "formats": ["application/json", "text/xml"]}],
    }
    return _render(fmt, data, root="discovery", item="discovery")


def _service(category) -> dict:
    return {"service_code": str(category.pk), "service_name": category.name,
            "description": category.description, "metadata": bool(category.fields),
            "type": "realtime", "keywords": "", "group": "问政"}


@georeport
def service_list(request, *, fmt):
    _jurisdiction(request.GET)
    return _render(fmt, [_service(c) for c in selectors.categories()], root="services",
                   item="service")


def _category(code: str):
    category = selectors.categories().filter(pk=int(code)).first() if code.isdecimal() else None
    if category is None:
        raise GeoReportError(404, f"service_code {code} 不存在")
    return category


@georeport
def service_definition(request, code: str, *, fmt):
    _jurisdiction(request.GET)
    category = _category(code)
    attributes = []
    for order, field in enumerate(category.fields, start=1):
        kind = field.get("type", FieldType.TEXT)
        attribute = {"variable": True, "code": field["name"],
                     "datatype": DATATYPES.get(kind, "string"),
                     "required": bool(field.get("required")),
                     "datatype_description": "YYYY-MM-DD" if kind == FieldType.DATE else "",
                     "order": order, "description": field["label"]}
        if kind == FieldType.CHOICE:
            attribute["values"] = [{"key": str(c), "name": str(c)} for c in field.get("choices", [])]
        attributes.append(attribute)
    return _render(fmt, {"service_code": str(category.pk), "attributes": attributes},
                   root="service_definition", item="service_definition")


# --- reading requests --------------------------------------------------------------------------

def _request(case: Case) -> dict:
    public = selectors.public_case_dict(case, with_timeline=False)
    closed = case.public_status in CLOSED
    notes = public["status_label"] + (f"：{public['reply']}" if public["reply"] else "")
    updated = max(m for m in (case.created_at, case.accepted_at, case.dispatched_at,
                              case.answered_at, case.closed_at) if m)
    return {
        "service_request_id": case.receipt_no, "status": "closed" if closed else "open",
        "status_notes": notes, "service_name": public["category"],
        "service_code": str(case.category_id), "description": public["description"],
        "agency_responsible": public["reply_unit"], "service_notice": "",
        "requested_datetime": _local(case.created_at), "updated_datetime": _local(updated),
        "expected_datetime": None, "address": public["area"], "address_id": None,
        "zipcode": None, "lat": public["latitude"], "long": public["longitude"],
        "media_url": None,
    }


def _visible(request):
    """Public board cases, and the calling partner's own when it passes its api_key."""
    visible = Q(pk__in=selectors.public_cases().values("pk"))
    partner = partner_for_key(request.GET.get("api_key"))
    if partner is not None:
        visible |= Q(user__open311_reporter__partner=partner)
    return Case.objects.filter(visible, merged_into__isnull=True).select_related(
        "category", "reply_unit", "area")


def _datetime(params, name: str):
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    wrong = GeoReportError(400, f"{name} 应为 W3C 日期时间，如 2026-05-01T08:00:00+08:00")
    try:  # a well-formed impossible date (2 月 30 日, 13 月) raises ValueError
        moment = parse_datetime(raw.replace(" ", "+") if re.search(r"\d \d\d:?\d\d$", raw)
                                else raw)
        if moment is not None:
            moment = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
            moment.astimezone(dt_timezone.utc)  # years 1 and 9999 overflow with an offset
    except (ValueError, OverflowError):
        raise wrong from None
    if moment is None or not 2000 <= moment.year <= 2100:
        raise wrong
    return moment


def _split(params, name: str) -> list[str]:
    return [v.strip() for v in (params.get(name) or "").split(",") if v.strip()]


def _request_list(request, *, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    _limit_reads(request)
    params = request.GET
    _jurisdiction(params)
    cases = _visible(request)
    ids = _split(params, "service_request_id")
    if ids:  # the specification: other search parameters are then ignored
        cases = cases.filter(receipt_no__in=[i.upper() for i in ids[:MAX_RESULTS]])
    else:
        codes = _split(params, "service_code")
        if codes:
            if not all(c.isdecimal() for c in codes):
                raise GeoReportError(400, "service_code 应为 services.json 中的服务编号")
            cases = cases.filter(category_id__in=[int(c) for c in codes])
        start, end = _datetime(params, "start_date"), _datetime(params, "end_date")
        if start and end and start > end:
            raise GeoReportError(400, "start_date 应早于 end_date")
        if start and end and end - start > timedelta(days=DEFAULT_DAYS):
            raise GeoReportError(400, f"start_date 与 end_date 相隔不能超过{DEFAULT_DAYS}天")
        if start is None:
            start = (end or timezone.now()) - timedelta(days=DEFAULT_DAYS)
        elif end is None:  # never more than 90 days, whichever end is given
            end = start + timedelta(days=DEFAULT_DAYS)
        cases = cases.filter(created_at__gte=start)
        if end is not None:
            cases = cases.filter(created_at__lte=end)
        statuses = _split(params, "status")
        if any(s not in ("open", "closed") for s in statuses):
            raise GeoReportError(400, "status 只能是 open、closed（可用逗号同时给出）")
        if statuses == ["open"]:
            cases = cases.exclude(public_status__in=CLOSED)
        elif statuses == ["closed"]:
            cases = cases.filter(public_status__in=CLOSED)
    cases = cases.order_by("-created_at", "-pk")[:MAX_RESULTS]
    return _render(fmt, [_request(c) for c in cases], root="service_requests", item="request")


@georeport
def request_detail(request, request_id: str, *, fmt):
    _limit_reads(request)
    _jurisdiction(request.GET)
    case = _visible(request).filter(receipt_no=request_id.upper()).first()
    if case is None:
        raise GeoReportError(404, f"service_request_id {request_id} 不存在或未公开")
    return _render(fmt, [_request(case)], root="service_requests", item="request")


# --- filing a request ----------------------------------------------------------------------------

def _phone_digits(raw: str) -> str:
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def _title(description: str) -> str:
    first = (description or "").strip().splitlines()[0] if (description or "").strip() else ""
    return first[:30]


def _create(request, fmt):
    data = request.POST
    partner = partner_for_key(data.get("api_key"))
    if partner is None:
        ratelimit.hit("open311-bad-key", client_ip(request) or "-", limit=20, window=3600,
                      message="api_key 错误次数过多，请稍后再试")
        raise GeoReportError(403, "api_key 缺失、错误或已吊销")
    ratelimit.hit("open311-post", str(partner.pk), limit=settings.OPEN311_POSTS_PER_HOUR,
                  window=3600, message="提交过于频繁，请稍后再试")
    _jurisdiction(data)
    code = (data.get("service_code") or "").strip()
    if not code:
        raise GeoReportError(400, "缺少 service_code")
    category = _category(code)
    description = data.get("description") or ""
    if not description.strip():
        raise GeoReportError(400, "缺少 description（问题描述，至少10个字）")
    lat, lng = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    address = (data.get("address_string") or "").strip()
    if not ((lat and lng) or address):
        raise GeoReportError(400, "需要位置：lat 与 long，或 address_string（不支持 address_id）")
    attributes = {key[10:-1]: value for key, value in data.items()
                  if key.startswith("attribute[") and key.endswith("]")}
    identity = next((f"{name}:{data[name].strip()}" for name in
                     ("account_id", "phone", "email", "device_id") if (data.get(name) or "").strip()), "")
    fingerprint = json.dumps([partner.pk, code, description, lat, lng, address, identity,
                              sorted(attributes.items())], ensure_ascii=False)
    phone = _phone_digits(data.get("phone", ""))
    key = "o311-" + hashlib.sha256(fingerprint.encode()).hexdigest()[:48]
    with transaction.atomic():
        user = _reporter_for(partner, identity)
        retried = Case.objects.filter(user=user, idempotency_key=key).exists()
        case = services.case_submit(
            user=user, category_id=category.pk, title=_title(description),
            description=description, key=key,
            extra=attributes, address=address, latitude=lat or None, longitude=lng or None,
            wants_public=False, contact_preference=(ContactPreference.PHONE if phone
                                                    else ContactPreference.APP),
            contact_name=f"{data.get('last_name', '')}{data.get('first_name', '')}".strip()[:20],
            contact_phone=phone)
        Open311Partner.objects.filter(pk=partner.pk).update(
            case_count=F("case_count") + (0 if retried else 1), last_used_at=timezone.now())
    return _render(fmt, [{
        "service_request_id": case.receipt_no,
        "service_notice": "已登记，等待问政专员审核分流；可用 GET requests/{id} 查询进展",
        "account_id": (data.get("account_id") or None),
    }], root="service_requests", item="request")


# --- URLs (mounted at /open311/ in config/urls.py) ----------------------------------------------

request_list = georeport(_request_list, methods=("GET", "HEAD", "POST"))
ROUTE_STEM = re.compile(r"discovery|v2/(services|requests)(/[^/.]+)?")


def _unknown(request, path: str):
    """Anything else under /open311/: a GeoReport 404 (an unknown path, or a known one in a
    format other than .json and .xml), never the site's HTML page."""
    stem, dot, extension = path.rpartition(".")
    if dot and ROUTE_STEM.fullmatch(stem):
        description = f"不支持 .{extension} 格式，请用 .json 或 .xml"
    else:
        description = "请求的地址不存在，Open311 接口见 /open311/discovery.json"
    return _error_response(_format_of(path), GeoReportError(404, description))


urlpatterns = [
    re_path(r"^discovery\.(?P<fmt>json|xml)$", discovery, name="open311-discovery"),
    re_path(r"^v2/services\.(?P<fmt>json|xml)$", service_list, name="open311-services"),
    re_path(r"^v2/services/(?P<code>[^/.]+)\.(?P<fmt>json|xml)$", service_definition,
            name="open311-service"),
    re_path(r"^v2/requests\.(?P<fmt>json|xml)$", request_list, name="open311-requests"),
    re_path(r"^v2/requests/(?P<request_id>[^/.]+)\.(?P<fmt>json|xml)$", request_detail,
            name="open311-request"),
    re_path(r"^(?P<path>.*)$", csrf_exempt(_unknown), name="open311-unknown"),
]


# --- console: 问政 › Open311 合作系统 ------------------------------------------------------------

class PartnersView(Screen):
    """Issue a key (shown once, on this page only) and revoke one."""

    template_name = "wenzheng/admin/open311_partners.html"
    page_title = "Open311 合作系统"
    header_icon = "key"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partners"] = Open311Partner.objects.select_related("created_by", "revoked_by")
        context["endpoint"] = _absolute("/open311/v2")
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "revoke":
            return self.act(request, lambda: partner_revoke(
                actor=request.user, partner_id=request.POST.get("partner")), "已吊销密钥")
        try:
            partner, key = partner_issue(actor=request.user, name=request.POST.get("name", ""),
                                         contact=request.POST.get("contact", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
            return self.get(request, *args, **kwargs)
        # Rendered into this response only: never stored, never put in a message cookie.
        return self.render_to_response(self.get_context_data(issued=partner, issued_key=key))
