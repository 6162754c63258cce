"""Write paths for 服务+: opens (usage, 最近使用), 我的常用, the Excel import, link checks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.public_text import blocked_fields
from rongmei.core.roles import OPERATOR
from rongmei.units.access import check_role

from .models import (
    Favourite,
    LinkStatus,
    OpenMode,
    RecentUse,
    Service,
    ServiceCategory,
    ServiceKind,
    ServiceUsage,
)

RECENT_KEEP = 12


def live_service(pk) -> Service:
    service = Service.objects.filter(pk=pk, is_active=True).select_related(
        "category", "unit").first()
    if service is None:
        raise NotFoundError("该服务不存在或已下线")
    return service


def _first_open_today(*, user, client: str | None, service: Service, today) -> bool:
    """Usage counts people, not presses: one open per person (or, signed out, per address)
    per service per day. Review finding: 120 presses in a minute were 120 opens."""
    from rongmei.core import ratelimit

    who = f"u{user.pk}" if user.is_authenticated else f"a{client or '-'}"
    return ratelimit.first_in("directory-open", f"{who}:{service.pk}:{today}", window=86400)


def record_open(*, user, service: Service, client: str | None = None) -> str:
    """A resident leaves for the service: count it for the day (once per person or address)
    and remember it in 最近使用.

    Returns where to send them. A service that needs sign-in refuses anonymous visitors.
    """
    if service.requires_login and not user.is_authenticated:
        raise PermissionDeniedError("该服务需要先登录", code="login_required")
    today = timezone.localdate()
    counted = _first_open_today(user=user, client=client, service=service, today=today)
    with transaction.atomic():
        updated = counted and ServiceUsage.objects.filter(service=service, day=today).update(
            opens=F("opens") + 1)
        if counted and not updated:
            try:
                with transaction.atomic():
                    ServiceUsage.objects.create(service=service, day=today, opens=1)
            except IntegrityError:  # someone else created today's row first
                ServiceUsage.objects.filter(service=service, day=today).update(
                    opens=F("opens") + 1)
        if user.is_authenticated:
            RecentUse.objects.update_or_create(user=user, service=service,
                                               defaults={"used_at": timezone.now()})
            stale = list(RecentUse.objects.filter(user=user).order_by("-used_at")
                         .values_list("pk", flat=True)[RECENT_KEEP:])
            if stale:
                RecentUse.objects.filter(pk__in=stale).delete()
    return service.url


def set_favourite(*, user, service: Service, on: bool) -> bool:
    if not user.is_authenticated:
        raise PermissionDeniedError("请先登录", code="login_required")
    if on:
        Favourite.objects.get_or_create(user=user, service=service)
    else:
        Favourite.objects.filter(user=user, service=service).delete()
    return on


# --- Excel import ---------------------------------------------------------------------------

COLUMNS = ("服务名称", "类型", "分类", "办理单位", "打开方式", "链接地址", "小程序AppID",
           "小程序页面路径", "标签", "需要登录", "一句话介绍", "所需材料", "办理流程",
           "收费标准", "办理时间", "办理地点", "咨询电话")
REQUIRED = ("服务名称", "类型", "分类", "打开方式")
_KINDS = {label: value for value, label in ServiceKind.choices} | {
    "政务": ServiceKind.GOVERNMENT, "民生": ServiceKind.LIVELIHOOD}
_MODES = {label: value for value, label in OpenMode.choices} | {
    "站内": OpenMode.INTERNAL, "H5": OpenMode.H5, "外链": OpenMode.H5,
    "小程序": OpenMode.MINIPROGRAM}
_YES = {"是": True, "需要": True, "Y": True, "y": True, "1": True,
        "否": False, "不需要": False, "N": False, "n": False, "0": False, "": False}


@dataclass
class ImportResult:
    created: int
    updated: int


class ImportRefused(ServiceError):
    """Bad rows: ``errors`` lists each one in Chinese ("第3行：……"); nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__("import_refused", f"有 {len(errors)} 处错误，未导入任何数据",
                         extra={"errors": errors})
        self.errors = errors


def check_url(mode: str, url: str) -> str | None:
    """The Chinese complaint about ``url`` for an open mode, or None when it is fine."""
    if mode == OpenMode.INTERNAL:
        if not url.startswith("/") or url.startswith("//"):
            return "站内页面的链接须以 / 开头"
    elif mode == OpenMode.H5:
        if not url.startswith("https://") and not url.startswith("http://"):
            return "外部H5链接须以 https:// 开头"
    elif url and not url.startswith(("https://", "http://")):
        return "小程序的备用网页须以 https:// 开头"
    return None


def _row_values(row: dict, line: int, units: dict, categories: dict, errors: list[str]):
    problems = []
    for name in REQUIRED:
        if not row.get(name):
            problems.append(f"“{name}”不能为空")
    name = row.get("服务名称", "")
    if len(name) > 40:
        problems.append("服务名称最多40个字")
    kind = _KINDS.get(row.get("类型", ""))
    if row.get("类型") and kind is None:
        problems.append(f"类型“{row['类型']}”无效，应为“政务服务”或“民生服务”")
    category = categories.get(row.get("分类", ""))
    if row.get("分类") and category is None:
        problems.append(f"分类“{row['分类']}”不存在")
    mode = _MODES.get(row.get("打开方式", ""))
    if row.get("打开方式") and mode is None:
        problems.append(f"打开方式“{row['打开方式']}”无效，应为站内页面、外部H5链接或微信小程序")
    url = row.get("链接地址", "")
    if mode:
        complaint = check_url(mode, url)
        if complaint:
            problems.append(complaint)
        if mode == OpenMode.MINIPROGRAM and not row.get("小程序AppID"):
            problems.append("微信小程序须填写小程序AppID")
    unit = None
    if row.get("办理单位"):
        unit = units.get(row["办理单位"])
        if unit is None:
            problems.append(f"办理单位“{row['办理单位']}”不存在")
    login = _YES.get(row.get("需要登录", ""))
    if login is None:
        problems.append(f"需要登录“{row['需要登录']}”无效，应为“是”或“否”")
    # Each column within its model field's length (the model is the one source: on
    # PostgreSQL a longer value would be a DataError, not a line of this report).
    for column, model_field in (("一句话介绍", "summary"), ("收费标准", "fees"),
                                ("办理时间", "hours"), ("办理地点", "place"),
                                ("咨询电话", "phone"), ("标签", "tags"), ("链接地址", "url"),
                                ("小程序AppID", "miniprogram_appid"),
                                ("小程序页面路径", "miniprogram_path")):
        limit = Service._meta.get_field(model_field).max_length
        if limit and len(row.get(column, "")) > limit:
            problems.append(f"{column}最多{limit}个字")
    if problems:
        errors.extend(f"第{line}行：{p}" for p in problems)
        return None
    values = {
        "kind": kind, "category": category, "unit": unit, "open_mode": mode, "url": url,
        "miniprogram_appid": row.get("小程序AppID", ""),
        "miniprogram_path": row.get("小程序页面路径", ""), "tags": row.get("标签", ""),
        "requires_login": login, "summary": row.get("一句话介绍", ""),
        "materials": row.get("所需材料", ""), "steps": row.get("办理流程", ""),
        "fees": row.get("收费标准", ""), "hours": row.get("办理时间", ""),
        "place": row.get("办理地点", ""), "phone": row.get("咨询电话", ""),
        "icon": category.icon, "order": line,
    }
    blocked = blocked_fields(Service(name=name, **values))  # the texts residents read
    if blocked:
        errors.extend(f"第{line}行：{Service._meta.get_field(field).verbose_name}{message}"
                      for field, message in blocked.items())
        return None
    return values


def import_rows(rows: list[tuple[int, dict]]) -> ImportResult:
    """Create or update services by name from ``(line, {column: text})`` rows.

    Every row is checked first; any error refuses the whole file (``ImportRefused`` with one
    Chinese line per problem) and nothing is written. No access check: the console's import
    screen and the demo seed call it after their own.
    """
    from rongmei.units.models import Unit

    units = {u.name: u for u in Unit.objects.filter(is_active=True)}
    units.update({u.short_name: u for u in units.values() if u.short_name})
    categories = {c.name: c for c in ServiceCategory.objects.all()}
    errors: list[str] = []
    seen: dict[str, int] = {}
    cleaned = []
    for line, row in rows:
        name = row.get("服务名称", "")
        if name and name in seen:
            errors.append(f"第{line}行：服务名称“{name}”与第{seen[name]}行重复")
            continue
        seen[name] = line
        values = _row_values(row, line, units, categories, errors)
        if values is not None:
            cleaned.append((name, values))
    if not rows:
        errors.append("表格中没有数据行")
    if errors:
        raise ImportRefused(errors)
    created = updated = 0
    with transaction.atomic():
        for name, values in cleaned:
            service = Service.objects.filter(name=name).first()
            if service is None:
                Service(name=name, **values).save()
                created += 1
            else:
                values.pop("order")
                for key, value in values.items():
                    setattr(service, key, value)
                service.save()
                updated += 1
    return ImportResult(created, updated)


def import_excel(*, actor, data: bytes) -> ImportResult:
    """The console's 导入 screen: an operator uploads the .xlsx template filled in."""
    from rongmei.core.excel import read_sheet

    check_role(actor, OPERATOR)
    workbook, header, sheet_rows, value = read_sheet(data, COLUMNS, field="file")
    try:
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise ImportRefused([f"表头缺少“{name}”列" for name in missing])
        rows = []
        for line, raw in enumerate(sheet_rows, start=2):
            row = {name: value(raw, name) for name in COLUMNS}
            if any(row.values()):
                rows.append((line, row))
    finally:
        workbook.close()
    return import_rows(rows)


def template_rows():
    """The import template: the header and one example row."""
    return [("社会保险参保登记", "政务服务", "社保", "", "外部H5链接",
             "https://example.gov.cn/shebao", "", "", "社保,参保", "是",
             "个人参加城乡居民养老保险登记", "身份证", "1. 登录 2. 填写 3. 提交", "免费",
             "工作日 8:30–17:00", "县政务服务中心2楼", "0000-12345")]


# --- Link checker ---------------------------------------------------------------------------

def check_links(*, timeout: float = 5.0, now=None, opener=None) -> dict[str, int]:
    """Visit every active service's external address once and record whether it answers.

    2xx/3xx → 正常; 4xx/5xx, refused connections and timeouts → 链接失效 with the reason in
    Chinese, so operators fix it before residents hit it. Run by the ``directory_check_links``
    timer; no access check (a timer acts for nobody).
    """
    import http.client
    import urllib.error
    import urllib.request

    now = now or timezone.now()
    counts = {"ok": 0, "broken": 0}
    services = Service.objects.filter(is_active=True).exclude(open_mode=OpenMode.INTERNAL)
    opener = opener or urllib.request.build_opener()
    for service in services.exclude(url=""):
        request = urllib.request.Request(service.url, method="GET", headers={
            "User-Agent": "Rongmei-LinkChecker/1.0"})
        status, error = LinkStatus.OK, ""
        try:
            with opener.open(request, timeout=timeout) as response:
                if response.status >= 400:
                    status, error = LinkStatus.BROKEN, f"返回状态码 {response.status}"
        except urllib.error.HTTPError as exc:
            status, error = LinkStatus.BROKEN, f"返回状态码 {exc.code}"
        except TimeoutError:
            status, error = LinkStatus.BROKEN, "连接超时"
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                status, error = LinkStatus.BROKEN, "连接超时"
            else:  # the system's own text is English ("Name or service not known")
                status, error = LinkStatus.BROKEN, "无法连接（对方地址不存在或拒绝连接）"
        except (OSError, ValueError) as exc:
            text = str(exc)
            status = LinkStatus.BROKEN
            error = "连接超时" if "timed out" in text else "无法连接（对方地址不存在或拒绝连接）"
        except http.client.HTTPException:
            # Something that is no web server answered (review finding: an SSH banner's
            # BadStatusLine stopped the whole run and left the other services unchecked).
            status, error = LinkStatus.BROKEN, "对方返回的不是网页（不是有效的 HTTP 应答）"
        Service.objects.filter(pk=service.pk).update(
            link_status=status, link_error=error, link_checked_at=now)
        counts[status] += 1
    return counts
