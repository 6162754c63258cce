"""The JSON API at /api/v1/: one NinjaAPI, one router per capability."""

from ninja import NinjaAPI

from rongmei.accounts.api import auth_router, me_router
from rongmei.core.api import install_error_handlers
from rongmei.engage.api import router as engage_router
from rongmei.mall.api import router as mall_router
from rongmei.media.api import router as media_router
from rongmei.merchants.api import router as merchants_router
from rongmei.news.api import router as news_router
from rongmei.outlets.api import router as outlets_router
from rongmei.points.api import router as points_router
from rongmei.push.api import router as push_router
from rongmei.units.api import router as units_router
from rongmei.vouchers.api import router as vouchers_router
from rongmei.wenzheng.api import router as wenzheng_router
from rongmei.wordgate.api import router as wordgate_router

api = NinjaAPI(
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
api.add_router("/units", units_router)
api.add_router("/merchants", merchants_router)
api.add_router("/vouchers", vouchers_router)
api.add_router("/mall", mall_router)
api.add_router("/points", points_router)
api.add_router("/news", news_router)
api.add_router("/engage", engage_router)
api.add_router("/media", media_router)
api.add_router("/outlets", outlets_router)
api.add_router("/push", push_router)
api.add_router("/wenzheng", wenzheng_router)
api.add_router("/wordgate", wordgate_router)
