"""民生信息 API: browse and filter, post and edit, 查看电话, 举报, 续期, 结束, 我的发布."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from ninja import File, Query, Router, Schema, Status, UploadedFile
from pydantic import Field, StrictFloat, StrictInt, StrictStr, field_validator

from rongmei.core.api import AUTH, ErrorOut, Id, decimal_range
from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.http import client_ip

from . import selectors, services
from .fields import display
from .models import Post, ReportReason

router = Router(tags=["民生信息"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


class ClassifiedPostOut(Schema):
    id: int
    category: str
    category_name: str
    title: str
    price: Decimal | None
    area: Decimal | None
    status: str
    status_label: str
    verified_employer: bool
    photos: list[str]
    published_at: datetime | None


class PhotoOut(Schema):
    id: int
    url: str


class PostDetailOut(ClassifiedPostOut):
    photo_items: list[PhotoOut] = Field(description="图片及其编号（删除图片时用）")
    body: str
    fields: dict[str, str]
    fields_display: list[list[str]]  # [label, value] pairs
    contact_name: str
    phone: str = Field(description="脱敏后的联系电话；完整号码用 reveal 接口查看")
    merchant_id: int | None
    unit: str | None
    expires_at: datetime | None


class PostPageOut(Schema):
    count: int
    items: list[ClassifiedPostOut]


class ListQuery(Schema):
    category: str = Field("", max_length=20)
    q: str = Field("", max_length=30)
    price_min: Decimal | None = Field(None, ge=0, le=Decimal(1000000000),
                                      json_schema_extra=decimal_range(1000000000))
    price_max: Decimal | None = Field(None, ge=0, le=Decimal(1000000000),
                                      json_schema_extra=decimal_range(1000000000))
    area_min: Decimal | None = Field(None, ge=0, le=100000,
                                     json_schema_extra=decimal_range(100000))
    area_max: Decimal | None = Field(None, ge=0, le=100000,
                                     json_schema_extra=decimal_range(100000))
    layout: str = Field("", max_length=20)
    condition: str = Field("", max_length=20)
    limit: int = Field(20, ge=1, le=50)
    offset: int = Field(0, ge=0)

    @field_validator("price_min", "price_max", "area_min", "area_max", mode="before")
    @classmethod
    def _plain_decimal(cls, value):
        """Digits with at most one point, as the document says (``decimal_range``): not
        "1e3", which Decimal would read."""
        if isinstance(value, str) and not re.fullmatch(r"[0-9]+(\.[0-9]+)?", value):
            raise ValueError("应为数字")
        return value


class PostIn(Schema):
    category: str = Field(max_length=20)
    title: str = Field(max_length=200)
    body: str = Field("", max_length=5000)
    fields: dict[str, StrictStr | StrictInt | StrictFloat] = Field(default_factory=dict)
    contact_name: str = Field(max_length=100)
    contact_phone: str = Field(max_length=30)
    merchant_id: int | None = Field(None, ge=1, description="以所属商户名义发布（须为该商户员工）")
    unit_id: int | None = Field(None, ge=1, description="以单位名义发布（须为该单位分端管理员）")


class PostUpdateIn(Schema):
    title: str = Field(max_length=200)
    body: str = Field("", max_length=5000)
    fields: dict[str, StrictStr | StrictInt | StrictFloat] = Field(default_factory=dict)
    contact_name: str = Field(max_length=100)
    contact_phone: str = Field(max_length=30)


class RevealOut(Schema):
    phone: str


class ClassifiedReportIn(Schema):
    reason: ReportReason
    note: str = Field("", max_length=500)


class PostStateOut(Schema):
    status: str
    status_label: str
    expires_at: datetime | None


def _out(request, post: Post) -> dict:
    return {"id": post.pk, "category": post.category.code, "category_name": post.category.name,
            "title": post.title, "price": post.price, "area": post.area, "status": post.status,
            "status_label": post.status_label, "verified_employer": post.verified_employer,
            "photos": [request.build_absolute_uri(p.image.url) for p in post.photos.all()],
            "published_at": post.published_at}


def _detail(request, post: Post) -> dict:
    return {**_out(request, post), "photo_items": [
                {"id": p.pk, "url": request.build_absolute_uri(p.image.url)}
                for p in post.photos.all()],
            "body": post.body, "fields": post.fields,
            "fields_display": display(post.category.code, post.fields),
            "contact_name": post.contact_name, "phone": post.masked_phone,
            "merchant_id": post.merchant_id, "unit": post.unit.name if post.unit else None,
            "expires_at": post.expires_at}


def _visible(post_id, user) -> Post:
    post = selectors.visible_post(post_id, user)
    if post is None:
        raise NotFoundError("信息不存在或已下架")
    return post


def _own(post_id) -> Post:
    post = Post.objects.select_related("category").filter(pk=post_id).first()
    if post is None:
        raise NotFoundError("信息不存在")
    return post


@router.get("/posts", response=PostPageOut, summary="民生信息列表（筛选、搜索）")
def list_posts(request, filters: Query[ListQuery]):
    from .models import Category

    category = Category.objects.filter(code=filters.category).first() if filters.category \
        else None
    if filters.category and category is None:
        return {"count": 0, "items": []}
    posts = selectors.public_posts(category=category, query=filters.q,
                                   filters=filters.dict())
    page = posts[filters.offset:filters.offset + filters.limit]
    return {"count": posts.count(), "items": [_out(request, p) for p in page]}


@router.get("/posts/{int:post_id}", response={200: PostDetailOut, 404: ErrorOut},
            summary="信息详情（电话已脱敏）")
def get_post(request, post_id: Id):
    return _detail(request, _visible(post_id, request.user))


@router.post("/posts", response={201: PostDetailOut, **ERRORS}, auth=AUTH,
             summary="发布信息（图片用 /posts/{post_id}/photos 上传）")
def create_post(request, data: PostIn):
    post = services.post_create(author=request.auth, category=data.category, title=data.title,
                                body=data.body, fields=data.fields,
                                contact_name=data.contact_name,
                                contact_phone=data.contact_phone, merchant_id=data.merchant_id,
                                unit_id=data.unit_id)
    return Status(201, _detail(request, post))


@router.patch("/posts/{int:post_id}", response={200: PostDetailOut, **ERRORS}, auth=AUTH,
              summary="修改自己发布的信息")
def update_post(request, post_id: Id, data: PostUpdateIn):
    post = services.post_update(actor=request.auth, post=_own(post_id), title=data.title,
                                body=data.body, fields=data.fields,
                                contact_name=data.contact_name,
                                contact_phone=data.contact_phone)
    return _detail(request, post)


@router.post("/posts/{int:post_id}/photos", response={200: PostDetailOut, **ERRORS},
             auth=AUTH, summary="上传图片（multipart，字段 photos 可多张；最多9张）")
def add_photos(request, post_id: Id, photos: File[list[UploadedFile]] = None):
    post = _own(post_id)  # a post that does not exist is a 404 before the files are looked at
    if not photos:
        raise ServiceError("photos_required", "请选择要上传的图片", field="photos")
    post = services.post_photos(actor=request.auth, post=post, add=photos)
    return _detail(request, post)


@router.delete("/posts/{int:post_id}/photos/{int:photo_id}",
               response={200: PostDetailOut, **ERRORS}, auth=AUTH, summary="删除一张图片")
def remove_photo(request, post_id: Id, photo_id: Id):
    post = services.post_photos(actor=request.auth, post=_own(post_id), remove=[photo_id])
    return _detail(request, post)


@router.post("/posts/{int:post_id}/reveal", response={200: RevealOut, **ERRORS}, auth=AUTH,
             summary="查看完整联系电话（记录并限频）")
def reveal(request, post_id: Id):
    post = _visible(post_id, request.auth)
    return {"phone": services.reveal_contact(user=request.auth, post=post,
                                             ip=client_ip(request))}


@router.post("/posts/{int:post_id}/report", response={201: PostStateOut, **ERRORS}, auth=AUTH,
             summary="举报信息")
def report(request, post_id: Id, data: ClassifiedReportIn):
    post = _visible(post_id, request.auth)
    services.report_post(user=request.auth, post=post, reason=data.reason, note=data.note)
    return Status(201, {"status": post.status, "status_label": post.status_label,
                        "expires_at": post.expires_at})


@router.post("/posts/{int:post_id}/renew", response={200: PostStateOut, **ERRORS}, auth=AUTH,
             summary="续期")
def renew(request, post_id: Id):
    post = services.post_renew(actor=request.auth, post=_own(post_id))
    return {"status": post.status, "status_label": post.status_label,
            "expires_at": post.expires_at}


@router.post("/posts/{int:post_id}/close", response={200: PostStateOut, **ERRORS}, auth=AUTH,
             summary="结束（已成交 / 已招满）")
def close(request, post_id: Id):
    post = services.post_close(actor=request.auth, post=_own(post_id))
    return {"status": post.status, "status_label": post.status_label,
            "expires_at": post.expires_at}


@router.get("/mine", response=list[PostDetailOut], auth=AUTH, summary="我的发布")
def mine(request):
    return [_detail(request, p) for p in selectors.mine(request.auth)]
