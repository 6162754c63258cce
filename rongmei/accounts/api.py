"""Accounts API: SMS code login, tokens, profile, real name, deletion."""

from __future__ import annotations

from django.contrib.auth import logout
from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import Field, StrictBool

from rongmei.core.api import AUTH, ErrorOut, documented
from rongmei.core.errors import ServiceError
from rongmei.core.http import client_ip

from . import selectors, services

auth_router = Router(tags=["账号"])
me_router = Router(tags=["我的"], auth=AUTH)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut,
          503: ErrorOut}


# The forms the services check (each with its own code and message), said in the schema so
# that clients (and schemathesis) know them before sending. The services are a little more
# lenient with phone numbers: spaces, dashes and a +86 prefix are removed.
def _phone():
    return documented(pattern=r"^1[3-9][0-9]{9}$", description="中国大陆11位手机号")


NO_MARKUP = r"^(?![\s\S]*[jJ][aA][vV][aA][sS][cC][rR][iI][pP][tT]:)[^<>{}]*$"


class OtpIn(Schema):
    phone: str = _phone()


class OtpOut(Schema):
    sent: bool
    expires_in: int
    resend_in: int


class LoginIn(Schema):
    phone: str = _phone()
    code: str = documented(pattern=r"^[0-9]{6}$", description="短信验证码（6位数字）")
    device: str = Field("", max_length=60, description="设备名称，用于令牌列表")


class MeOut(Schema):
    id: int
    phone: str  # masked
    nickname: str
    display_name: str
    elder_mode: bool
    realname: dict | None
    roles: list[str]


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_in: int
    user: MeOut


class MeUpdateIn(Schema):
    nickname: str | None = documented(None, maxLength=20, pattern=NO_MARKUP,
                                      description="昵称，最多20个字，不含 < > { }")
    elder_mode: StrictBool | None = None


class RealNameIn(Schema):
    name: str = documented(pattern=r"^[\u4e00-\u9fff·]{2,20}$", description="身份证上的中文姓名")
    # A format, not a pattern: the date of birth and the check digit are part of it.
    id_number: str = documented(format="cn-resident-id",
                                description="18位居民身份证号码（校验出生日期和校验位）")


class OkOut(Schema):
    ok: bool = True


@auth_router.post("/otp", response={200: OtpOut, **ERRORS}, summary="发送短信验证码")
def send_otp(request, payload: OtpIn):
    from django.conf import settings

    services.otp_request(phone=payload.phone, ip=client_ip(request))
    return {"sent": True, "expires_in": settings.OTP_TTL_SECONDS,
            "resend_in": settings.OTP_RESEND_SECONDS}


@auth_router.post("/login", response={200: TokenOut, **ERRORS},
                  summary="验证码登录（首次登录即注册），返回接口令牌")
def login(request, payload: LoginIn):
    try:
        user = services.login_with_otp(phone=payload.phone, code=payload.code,
                                       ip=client_ip(request))
    except ServiceError as exc:
        if exc.code in WRONG_CREDENTIALS:  # a wrong or spent code is a failed sign-in
            exc.status = 401
        raise
    token = services.api_token_issue(user=user, label=payload.device)
    return {"token": token, "expires_in": services.API_TOKEN_DAYS * 86400,
            "user": selectors.me(user=user)}


WRONG_CREDENTIALS = {"otp_invalid", "otp_locked"}
ALREADY_DONE = {"realname_exists", "id_number_taken"}


class _AnyBearer(HttpBearer):
    def authenticate(self, request, token):
        return token


@auth_router.post("/logout", response={200: OkOut, **ERRORS}, auth=[_AnyBearer(), *AUTH],
                  summary="退出登录（注销当前令牌或会话）",
                  description="令牌已失效或已注销时也回答成功：退出登录可以重复。",
                  # Any bearer token is taken (an expired one is simply forgotten), so the
                  # document says sign-in is optional here.
                  openapi_extra={"security": [{}]})
def logout_view(request):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.api_token_revoke(raw=header[7:].strip())
    else:
        logout(request)
    return {"ok": True}


@me_router.get("", response={200: MeOut, **ERRORS}, summary="当前用户")
def me(request):
    return selectors.me(user=request.auth)


@me_router.patch("", response={200: MeOut, **ERRORS}, summary="修改昵称或长辈模式")
def update_me(request, payload: MeUpdateIn):
    user = services.profile_update(user=request.auth, nickname=payload.nickname,
                                   elder_mode=payload.elder_mode)
    return selectors.me(user=user)


@me_router.post("/realname", response={200: MeOut, **ERRORS}, summary="实名登记")
def realname(request, payload: RealNameIn):
    try:
        services.realname_register(user=request.auth, name=payload.name,
                                   id_number=payload.id_number)
    except ServiceError as exc:
        if exc.code in ALREADY_DONE:  # the account's state, not the request, says no
            exc.status = 409
        raise
    return selectors.me(user=request.auth)


@me_router.delete("", response={200: OkOut, **ERRORS}, summary="注销账号（个人信息将被匿名化）")
def delete_me(request):
    services.account_delete(user=request.auth)
    if request.user.is_authenticated:
        logout(request)
    return {"ok": True}
