"""志愿者礼遇 API, mounted at /api/v1/perks/."""

from __future__ import annotations

from ninja import Router, Schema
from pydantic import Field

from rongmei.core.api import AUTH, ErrorOut, Id

from . import services

router = Router(tags=["志愿者礼遇"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class PerkOut(Schema):
    id: int
    merchant_id: int
    merchant: str
    title: str
    terms: str
    min_stars: int
    rule: str


class PerkIn(Schema):
    merchant_id: int
    title: str = Field(max_length=30)
    terms: str = Field("", max_length=100)
    min_stars: int = Field(0, ge=0, le=5)


def _perk(perk) -> dict:
    return {"id": perk.pk, "merchant_id": perk.merchant_id, "merchant": perk.merchant.name,
            "title": perk.title, "terms": perk.terms, "min_stars": perk.min_stars,
            "rule": perk.rule}


@router.get("", response=list[PerkOut], summary="志愿者礼遇（按星级）")
def perks(request):
    return [_perk(p) for p in services.live_perks()[:200]]


@router.post("", response={200: PerkOut, **ERRORS}, auth=AUTH, summary="商户：发布礼遇")
def perk_create(request, payload: PerkIn):
    return _perk(services.perk_create(actor=request.auth, **payload.dict()))


@router.post("/{perk_id}/withdraw", response={200: PerkOut, **ERRORS}, auth=AUTH,
             summary="商户：下架礼遇")
def perk_withdraw(request, perk_id: Id):
    return _perk(services.perk_withdraw(actor=request.auth, perk_id=perk_id))
