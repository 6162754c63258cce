"""服务+ API: the directory, search, a service's 办事指南, opens and 我的常用."""

from __future__ import annotations

from ninja import Query, Router, Schema
from pydantic import Field

from rongmei.core.api import AUTH, ErrorOut, Id
from rongmei.core.http import client_ip

from . import selectors, services
from .models import ServiceKind

router = Router(tags=["服务+"])


class ServiceOut(Schema):
    id: int
    name: str
    kind: str
    category: str
    icon: str
    summary: str
    open_mode: str = Field(description="internal 站内页面 / h5 外部链接 / miniprogram 微信小程序")
    requires_login: bool
    tags: list[str]


class GuideOut(ServiceOut):
    unit: str | None
    materials: str
    steps: str
    fees: str
    hours: str
    place: str
    phone: str
    url: str
    miniprogram_appid: str
    miniprogram_path: str
    is_favourite: bool


class SearchQuery(Schema):
    q: str = Field("", max_length=30, description="服务名称、拼音首字母（如 sb）或标签")
    kind: ServiceKind | None = None
    category: int | None = None


class OpenOut(Schema):
    url: str
    open_mode: str


class ServiceFavouriteOut(Schema):
    favourite: bool


def _service(service) -> dict:
    return {"id": service.pk, "name": service.name, "kind": service.kind,
            "category": service.category.name, "icon": service.icon,
            "summary": service.summary, "open_mode": service.open_mode,
            "requires_login": service.requires_login, "tags": service.tag_list}


@router.get("/services", response=list[ServiceOut], summary="服务列表与搜索")
def list_services(request, filters: Query[SearchQuery]):
    found = selectors.search(filters.q, kind=filters.kind or "", category_id=filters.category)
    return [_service(s) for s in found[:200]]


@router.get("/services/{int:service_id}", response={200: GuideOut, 404: ErrorOut},
            summary="服务详情与办事指南")
def get_service(request, service_id: Id):
    service = services.live_service(service_id)
    return {**_service(service), "unit": service.unit.name if service.unit else None,
            "materials": service.materials, "steps": service.steps, "fees": service.fees,
            "hours": service.hours, "place": service.place, "phone": service.phone,
            "url": service.url, "miniprogram_appid": service.miniprogram_appid,
            "miniprogram_path": service.miniprogram_path,
            "is_favourite": selectors.is_favourite(request.user, service)}


@router.post("/services/{int:service_id}/open", response={200: OpenOut, 403: ErrorOut,
                                                          404: ErrorOut},
             auth=AUTH, summary="打开服务（计入使用量和最近使用），返回跳转地址")
def open_service(request, service_id: Id):
    service = services.live_service(service_id)
    url = services.record_open(user=request.auth, service=service,
                                client=client_ip(request))
    return {"url": url, "open_mode": service.open_mode}


class MineOut(Schema):
    favourites: list[ServiceOut]
    recent: list[ServiceOut]


@router.get("/mine", response=MineOut, auth=AUTH, summary="我的常用与最近使用")
def mine(request):
    return {"favourites": [_service(s) for s in selectors.favourites(request.auth)],
            "recent": [_service(s) for s in selectors.recent(request.auth)]}


@router.put("/services/{int:service_id}/favourite", response={200: ServiceFavouriteOut,
                                                              403: ErrorOut, 404: ErrorOut},
            auth=AUTH, summary="加入我的常用")
def add_favourite(request, service_id: Id):
    service = services.live_service(service_id)
    return {"favourite": services.set_favourite(user=request.auth, service=service, on=True)}


@router.delete("/services/{int:service_id}/favourite", response={200: ServiceFavouriteOut,
                                                                 403: ErrorOut, 404: ErrorOut},
               auth=AUTH, summary="移出我的常用")
def remove_favourite(request, service_id: Id):
    service = services.live_service(service_id)
    return {"favourite": services.set_favourite(user=request.auth, service=service, on=False)}
