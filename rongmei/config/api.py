"""The JSON API at /api/v1/: one NinjaAPI, one router per capability."""

from importlib import import_module

from django.conf import settings

from rongmei.accounts.api import auth_router, me_router
from rongmei.core.api import RongmeiAPI, install_error_handlers
from rongmei.core.wechat_api import router as wechat_router
from rongmei.notices.api import router as notices_router
from rongmei.units.api import router as units_router

from .modules import MODULE_BY_CODE

api = RongmeiAPI(
    title="融媒 Rongmei API",
    version="1.0",
    description=(
        "县级融媒体中心开放接口。H5 使用会话 Cookie（写操作需带 X-CSRFToken）；"
        "原生 App 与小程序使用 `Authorization: Bearer <token>`（由 /auth/login 获取）。"
        "所有错误均返回 `{code, message, field}`，code 稳定可供程序判断，message 为中文提示。"
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/auth", auth_router)
api.add_router("/me", me_router)
api.add_router("/notices", notices_router)
api.add_router("/units", units_router)
api.add_router("/wechat", wechat_router)
# Each capability that is on mounts its router (rongmei/config/modules.py).
for _code in settings.RONGMEI_MODULES:
    _module = MODULE_BY_CODE[_code]
    if _module.api_prefix:
        api.add_router(f"/{_module.api_prefix}", import_module(f"{_module.app}.api").router)
