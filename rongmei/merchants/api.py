"""企业之家 API: the public merchant directory and merchant pages for native apps."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Query, Router, Schema
from pydantic import Field

from rongmei.core.api import ErrorOut, Id
from rongmei.core.errors import NotFoundError

from . import selectors
from .models import BusinessCategory
from .offers import merchant_offers

router = Router(tags=["企业之家"])


class MerchantOut(Schema):
    id: int
    name: str
    category: str
    category_label: str
    address: str
    cover: str | None


class MerchantPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[MerchantOut]


class PostOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    image: str | None
    starts_on: date | None
    ends_on: date | None
    published_at: datetime | None


class MerchantCampaignOut(Schema):
    id: int
    title: str
    rule: str
    url: str


class MerchantDetailOut(MerchantOut):
    intro: str
    opening_hours: str
    phone: str = Field(description="脱敏后的联系电话，如 136****0000")
    shop_phone: str = Field(description="店铺公开的电话（可直接拨打），未填写为空")
    map_url: str = Field(description="店铺地址的地图链接（高德地图）")
    posts: list[PostOut]
    campaigns: list[MerchantCampaignOut] = Field(description="本店可用的进行中消费券活动")


class DirectoryQuery(Schema):
    category: BusinessCategory | None = None
    q: str = Field("", max_length=30, description="按店名、地址、简介搜索")
    limit: int = Field(20, ge=1, le=50)
    offset: int = Field(0, ge=0)


def _file_url(request, file) -> str | None:
    return request.build_absolute_uri(file.url) if file else None


def _merchant(request, merchant) -> dict:
    return {"id": merchant.pk, "name": merchant.name, "category": merchant.category,
            "category_label": merchant.get_category_display(), "address": merchant.address,
            "cover": _file_url(request, merchant.cover)}


@router.get("", response=MerchantPageOut, summary="企业之家商户列表（已入驻）")
def list_merchants(request, filters: Query[DirectoryQuery]):
    merchants = selectors.directory(category=filters.category, query=filters.q)
    page = merchants[filters.offset:filters.offset + filters.limit]
    return {"count": merchants.count(), "limit": filters.limit, "offset": filters.offset,
            "items": [_merchant(request, m) for m in page]}


@router.get("/{int:merchant_id}", response={200: MerchantDetailOut, 404: ErrorOut},
            summary="商户主页：简介、已发布动态、本店可用消费券")
def get_merchant(request, merchant_id: Id):
    merchant = selectors.live_merchant(pk=merchant_id)
    if merchant is None:
        raise NotFoundError("商户不存在或已暂停")
    return {
        **_merchant(request, merchant),
        "intro": merchant.intro, "opening_hours": merchant.opening_hours,
        "phone": merchant.masked_phone, "shop_phone": merchant.shop_phone,
        "map_url": merchant.map_url,
        "posts": [{"id": p.pk, "kind": p.kind, "kind_label": p.get_kind_display(),
                   "title": p.title, "body": p.body, "image": _file_url(request, p.image),
                   "starts_on": p.starts_on, "ends_on": p.ends_on,
                   "published_at": p.published_at}
                  for p in selectors.public_posts(merchant=merchant)],
        "campaigns": [{"id": offer.id, "title": offer.title, "rule": offer.rule,
                       "url": offer.url}
                      for offer in merchant_offers(merchant) if offer.kind == "voucher"],
    }
