"""微信公众号: the documented draft + free-publish API.

Flow of one publish (each step's result is kept in the delivery's ``remote_state``, so a
retry resumes where the last attempt stopped instead of uploading twice):

1. access token — ``POST /cgi-bin/stable_token`` (or ``GET /cgi-bin/token`` when the outlet's
   settings say ``"token_endpoint": "token"``), cached until shortly before ``expires_in``
   and fetched again (forced) when a call answers errcode 40001/40014/42001;
2. body images — ``POST /cgi-bin/media/uploadimg`` (multipart ``media``), their ``src``
   replaced with the returned WeChat URL;
3. cover — ``POST /cgi-bin/material/add_material?type=image`` → ``thumb_media_id``;
4. ``POST /cgi-bin/draft/add`` → ``media_id``;
5. ``POST /cgi-bin/freepublish/submit`` → ``publish_id``;
6. ``POST /cgi-bin/freepublish/get`` until ``publish_status`` is 0 (published: article id
   and URL) or a failure status (2–6).

Takedown: ``POST /cgi-bin/freepublish/delete`` with each ``article_id`` the outlet got.
"""

from __future__ import annotations

import re
import time
from typing import ClassVar

import nh3
from django.conf import settings
from django.core.cache import cache

from rongmei.core import wechat

from . import Adapter, register
from .base import (
    Figures,
    FormatError,
    PermanentError,
    Sent,
    TransientError,
    count,
    pick,
    truncate,
)
from .http import check_status, request
from .media import content_type, crop_to_ratio, read

DEFAULT_API = "https://api.weixin.qq.com"
TITLE_LIMIT = 64
AUTHOR_LIMIT = 8
DIGEST_LIMIT = 120
COVER_RATIO = 2.35

TOKEN_ERRORS = wechat.TOKEN_ERRORS
TRANSIENT_ERRORS = {-1, 45009, 45011, 45033}
AUTH_ERRORS = {
    40013: "AppID 无效，请检查渠道设置",
    40125: "AppSecret 无效，请检查渠道设置",
    40164: "服务器 IP 不在公众号的 IP 白名单中，请在公众平台“基本配置”中添加",
    41004: "缺少 AppSecret，请在渠道设置中填写",
    48001: "公众号没有此接口的权限（需认证的服务号或订阅号）",
}
PUBLISH_FAILURES = {
    2: "原创声明校验失败", 3: "发布失败", 4: "平台审核不通过",
    5: "文章已被公众号删除", 6: "文章已被平台封禁",
}

# WeChat's editor keeps inline styles and a small set of tags; no scripts, iframes, forms,
# classes or links to outside pages (mp.weixin.qq.com links only, which we never produce).
WECHAT_TAGS = {"p", "br", "section", "span", "strong", "b", "em", "i", "u", "blockquote",
               "h1", "h2", "h3", "h4", "ul", "ol", "li", "img", "figure", "figcaption", "hr",
               "table", "thead", "tbody", "tr", "th", "td", "sup", "sub"}
WECHAT_STYLES = {"color", "background-color", "font-size", "font-weight", "font-style",
                 "text-align", "text-indent", "line-height", "letter-spacing", "margin",
                 "margin-top", "margin-bottom", "padding", "width", "max-width", "height",
                 "border", "border-left", "text-decoration"}
_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', re.IGNORECASE)


def wechat_html(html: str, *, image_urls: set[str]) -> str:
    """Reduce article HTML to what the WeChat editor accepts; images not in the story's own
    image list (which we can re-host) are dropped."""
    cleaned = nh3.clean(html or "", tags=WECHAT_TAGS,
                        clean_content_tags={"script", "style", "iframe", "form", "object",
                                            "embed", "noscript", "select", "textarea"},
                        attributes={"*": {"style"}, "img": {"src", "alt", "width", "height"},
                                    "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
                        filter_style_properties=WECHAT_STYLES, url_schemes={"http", "https"},
                        link_rel=None)

    return re.sub(r"<img\b[^>]*>", lambda m: (
        m.group(0) if (s := _IMG_SRC.search(m.group(0))) and s.group(2) in image_urls else ""),
        cleaned)


@register
class WechatMpAdapter(Adapter):
    kind = "wechat_mp"
    unsupported: ClassVar[dict[str, str]] = {"update": "公众号文章发布后不能修改，本次更新未推送；内容有误请使用“更正”"}

    # --- formatter ---------------------------------------------------------------------------
    def format(self, *, snapshot, version, action, outlet, received):
        if action == "takedown":
            ids = [r["remote_id"] for r in received if r.get("remote_id")]
            return {"article_ids": ids}
        images = [img for img in snapshot.get("images") or [] if img.get("file")]
        by_url = {img["url"]: img["file"] for img in images if img.get("url")}
        title = pick(version, "title", snapshot["headline"])
        content = wechat_html(pick(version, "text", snapshot.get("body_html", "")),
                              image_urls=set(by_url))
        if action == "correction":
            title = "更正：" + title
            note = nh3.clean(snapshot.get("correction_note", ""), tags=set())
            content = (f'<p style="color:#c0392b;font-weight:bold">更正说明：{note}</p>'
                       + content)
        cover_name = (version or {}).get("cover_file") or (snapshot.get("cover") or {}).get(
            "file") or (images[0]["file"] if images else None)
        if not cover_name:
            raise FormatError("公众号文章需要封面图，请为稿件或公众号版本设置封面")
        cover = crop_to_ratio(cover_name, ratio=COVER_RATIO, max_width=900,
                              folder="outlets/wechat")
        author = snapshot.get("byline") or snapshot.get("editor") or ""
        return {
            "title": truncate(title, TITLE_LIMIT),
            "author": truncate(author, AUTHOR_LIMIT, ellipsis=""),
            "digest": truncate(pick(version, "digest", snapshot.get("summary", "")),
                               DIGEST_LIMIT),
            "content": content,
            "content_source_url": snapshot["uri"],
            "cover_file": cover["file"],
            "images": [{"src": url, "file": name} for url, name in by_url.items()
                       if url in content],
            "need_open_comment": 0,
            "only_fans_can_comment": 0,
        }

    # --- transmitter -------------------------------------------------------------------------
    def transmit(self, *, outlet, payload, action, state, delivery_id):
        api = WechatApi(outlet)
        if action == "takedown":
            for article_id in payload["article_ids"]:
                if article_id in state.setdefault("deleted", []):
                    continue
                api.call("/cgi-bin/freepublish/delete", json={"article_id": article_id})
                state["deleted"].append(article_id)
            return Sent(state=state)
        if "publish_id" not in state:
            uploaded = state.setdefault("images", {})
            for image in payload["images"]:
                if image["src"] not in uploaded:
                    answer = api.call("/cgi-bin/media/uploadimg", files=_media(image["file"]))
                    uploaded[image["src"]] = answer["url"]
            if "thumb_media_id" not in state:
                answer = api.call("/cgi-bin/material/add_material", params={"type": "image"},
                                  files=_media(payload["cover_file"]))
                state["thumb_media_id"] = answer["media_id"]
            if "media_id" not in state:
                content = _IMG_SRC.sub(lambda m: m.group(1) + uploaded.get(m.group(2), m.group(2))
                                       + m.group(3), payload["content"])
                article = {key: payload[key] for key in (
                    "title", "author", "digest", "content_source_url", "need_open_comment",
                    "only_fans_can_comment")}
                article.update(content=content, thumb_media_id=state["thumb_media_id"])
                state["media_id"] = api.call("/cgi-bin/draft/add",
                                             json={"articles": [article]})["media_id"]
            state["publish_id"] = str(api.call("/cgi-bin/freepublish/submit",
                                               json={"media_id": state["media_id"]})["publish_id"])
        tries = getattr(settings, "OUTLETS_WECHAT_POLL_TRIES", 3)
        interval = getattr(settings, "OUTLETS_WECHAT_POLL_INTERVAL", 2.0)
        for attempt in range(max(tries, 1)):
            status = api.call("/cgi-bin/freepublish/get",
                              json={"publish_id": state["publish_id"]})
            code = status.get("publish_status")
            if code == 0:
                items = (status.get("article_detail") or {}).get("item") or [{}]
                return Sent(remote_id=str(status.get("article_id", "")),
                            remote_url=items[0].get("article_url", ""), state=state)
            if code in PUBLISH_FAILURES:
                raise PermanentError(f"公众号{PUBLISH_FAILURES[code]}",
                                     f"freepublish/get: {status}")
            if attempt + 1 < tries:
                time.sleep(interval)
        return Sent(state=state, done=False, poll_after=60, note="公众号正在发布，稍后查询结果")


    def figures(self, *, outlet, day):
        """数据统计接口: ``POST /datacube/getusercumulate`` (cumulate_user, the followers at
        the end of the day) and ``POST /datacube/getuserread`` (int_page_read_count, reads of
        the account's articles that day; the row with user_source 99999999 is the total)."""
        api = WechatApi(outlet)
        span = {"begin_date": day.isoformat(), "end_date": day.isoformat()}
        followers = next((count(row.get("cumulate_user"))
                          for row in api.call("/datacube/getusercumulate", json=span)
                          .get("list") or [] if row.get("ref_date") == day.isoformat()), None)
        rows = [row for row in api.call("/datacube/getuserread", json=span).get("list") or []
                if row.get("ref_date") == day.isoformat()]
        total = [row for row in rows if row.get("user_source") == 99999999]
        values = [count(row.get("int_page_read_count")) for row in (total or rows)]
        reads = sum(values) if values and None not in values else None
        return Figures(followers=followers, reads=reads)


def _media(name: str) -> dict:
    return {"media": (name.rsplit("/", 1)[-1], read(name), content_type(name))}


class WechatApi:
    """Calls with a cached access token; one forced refresh when WeChat says it is stale."""

    def __init__(self, outlet):
        self.outlet = outlet
        self.base = (outlet.api_base or DEFAULT_API).rstrip("/")
        # Shared with everything else that calls WeChat as this AppID (core.wechat): one
        # 公众号 has one live token, and a second cache would end the first one's token.
        self.cache_key = wechat.token_cache_key(outlet.app_id)

    def token(self, *, force: bool = False) -> str:
        secret = self.outlet.get_secret()
        if not self.outlet.app_id or not secret:
            raise PermanentError("公众号渠道缺少 AppID 或 AppSecret，请在渠道设置中填写")
        try:
            return wechat.access_token(app_id=self.outlet.app_id, force=force,
                                       fetch=lambda: self._fetch_token(secret, force=force))
        except wechat.WechatError as exc:  # another process held the fetch too long
            raise TransientError(exc.message, exc.detail) from exc

    def _fetch_token(self, secret: str, *, force: bool) -> tuple[str, int]:
        if (self.outlet.settings or {}).get("token_endpoint") == "token":
            resp = request("GET", self.base + "/cgi-bin/token", params={
                "grant_type": "client_credential", "appid": self.outlet.app_id,
                "secret": secret})
        else:
            resp = request("POST", self.base + "/cgi-bin/stable_token", json={
                "grant_type": "client_credential", "appid": self.outlet.app_id,
                "secret": secret, "force_refresh": force})
        answer = self._checked(check_status(resp, what="获取公众号 access_token").json(),
                               what="获取公众号 access_token")
        return answer["access_token"], int(answer.get("expires_in", 7200))

    def call(self, path: str, *, params=None, json=None, files=None) -> dict:
        for refreshed in (False, True):
            query = dict(params or {}, access_token=self.token(force=refreshed))
            resp = request("POST", self.base + path, params=query, json=json, files=files)
            answer = check_status(resp, what=f"调用公众号接口 {path}").json()
            if answer.get("errcode") in TOKEN_ERRORS and not refreshed:
                cache.delete(self.cache_key)
                continue
            return self._checked(answer, what=f"调用公众号接口 {path}")
        raise AssertionError("unreachable")

    @staticmethod
    def _checked(answer: dict, *, what: str) -> dict:
        code = answer.get("errcode", 0)
        if not code:
            return answer
        detail = f"{what}: {answer}"
        if code in TRANSIENT_ERRORS:
            raise TransientError("公众号平台繁忙或调用过于频繁，稍后自动重试", detail)
        if code in AUTH_ERRORS:
            raise PermanentError(AUTH_ERRORS[code], detail)
        if code in TOKEN_ERRORS:
            raise PermanentError("公众号 access_token 刷新后仍无效，请检查 AppSecret", detail)
        raise PermanentError(f"公众号接口返回错误 {code}：{answer.get('errmsg', '')}", detail)
