"""微博: the documented open API with a per-outlet OAuth2 access token (the outlet's secret).

* One image (or none): ``POST 2/statuses/share.json`` — ``status`` must contain a link on the
  app's safe domain (the story URI) and stay within 140 characters, no ``#话题#``; ``pic`` as
  multipart; ``rip`` the real IP of the operator's server (outlet setting ``rip``).
* Up to nine images, for apps granted the advanced write API (outlet setting
  ``"multi_image": true``): each image through ``2/statuses/upload_pic.json`` (→ ``pic_id``),
  then ``2/statuses/upload_url_text.json`` with the comma-separated ``pic_id``s.
* Takedown: ``POST 2/statuses/destroy.json`` with each posted ``id``.

Length rule (Weibo counts two ASCII characters as one): the main text is cut with “…” so that
main text + space + link ≤ 140 Weibo characters; a correction is its own post.
"""

from __future__ import annotations

import math
import re
from typing import ClassVar

from . import Adapter, register
from .base import Figures, PermanentError, Sent, TransientError, count, pick
from .http import check_status, request
from .media import content_type, read

DEFAULT_API = "https://api.weibo.com"
STATUS_LIMIT = 140
MAX_IMAGES = 9
TOKEN_ERRORS = {21314, 21315, 21316, 21317, 21319, 21327, 21332}
TRANSIENT_ERRORS = {10001, 10009, 10022, 10023, 10024, 20016}
GONE_ERRORS = {20101}  # the post no longer exists: a takedown has nothing left to do
_TOPIC = re.compile(r"#([^#\s]{1,40})#")


def weibo_length(text: str) -> int:
    return math.ceil(sum(1 if ord(ch) > 127 else 0.5 for ch in text))


def fit(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    if weibo_length(text) <= limit:
        return text
    while text and weibo_length(text + "…") > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def compose(main: str, uri: str) -> str:
    main = _TOPIC.sub(r"\1", main)  # share.json refuses #话题词#
    return fit(main, STATUS_LIMIT - weibo_length(uri) - 1) + " " + uri


@register
class WeiboAdapter(Adapter):
    kind = "weibo"
    unsupported: ClassVar[dict[str, str]] = {"update": "微博发布后不能修改，本次更新未推送；内容有误请使用“更正”"}

    def format(self, *, snapshot, version, action, outlet, received):
        if action == "takedown":
            return {"ids": [r["remote_id"] for r in received if r.get("remote_id")]}
        headline = pick(version, "title", snapshot["headline"])
        if action == "correction":
            main = f"【更正】{headline}：{snapshot.get('correction_note', '')}"
        else:
            summary = snapshot.get("summary") or snapshot.get("body_text", "")
            main = pick(version, "text", f"【{headline}】{summary}")
        files = []
        cover = (version or {}).get("cover_file") or (snapshot.get("cover") or {}).get("file")
        if cover:
            files.append(cover)
        files += [img["file"] for img in snapshot.get("images") or []
                  if img.get("file") and img["file"] not in files]
        if action == "correction":
            files = []
        return {"status": compose(main, snapshot["uri"]), "images": files[:MAX_IMAGES]}

    def transmit(self, *, outlet, payload, action, state, delivery_id):
        api = WeiboApi(outlet)
        if action == "takedown":
            for post_id in payload["ids"]:
                if post_id not in state.setdefault("deleted", []):
                    api.call("2/statuses/destroy.json", form={"id": post_id}, gone_ok=True)
                    state["deleted"].append(post_id)
            return Sent(state=state)
        images = payload["images"]
        rip = (outlet.settings or {}).get("rip", "")
        if len(images) > 1 and (outlet.settings or {}).get("multi_image"):
            pic_ids = state.setdefault("pic_ids", {})
            for name in images:
                if name not in pic_ids:
                    pic_ids[name] = api.call("2/statuses/upload_pic.json",
                                             files={"pic": _file(name)})["pic_id"]
            answer = api.call("2/statuses/upload_url_text.json", form={
                "status": payload["status"], "pic_id": ",".join(pic_ids[n] for n in images),
                "rip": rip})
        elif images:
            answer = api.call("2/statuses/share.json", form={"status": payload["status"],
                                                            "rip": rip},
                              files={"pic": _file(images[0])})
        else:
            answer = api.call("2/statuses/share.json", form={"status": payload["status"],
                                                            "rip": rip})
        post_id = str(answer.get("idstr") or answer.get("id") or "")
        uid = (answer.get("user") or {}).get("idstr") or (answer.get("user") or {}).get("id")
        url = f"https://weibo.com/{uid}/{answer.get('mid') or post_id}" if uid else ""
        return Sent(remote_id=post_id, remote_url=url, state=state)


    def figures(self, *, outlet, day):
        """``GET 2/users/show.json?uid=`` (outlet setting ``uid``): followers_count now — the
        timer runs each morning, so it stands for the day before. Weibo's open API gives no
        read counts."""
        uid = str((outlet.settings or {}).get("uid", ""))
        if not uid:
            raise PermanentError("微博渠道缺少账号 uid，请在渠道设置中填写 {\"uid\": \"…\"}")
        answer = WeiboApi(outlet).call("2/users/show.json", query={"uid": uid})
        return Figures(followers=count(answer.get("followers_count")))


def _file(name: str):
    return (name.rsplit("/", 1)[-1], read(name), content_type(name))


class WeiboApi:
    def __init__(self, outlet):
        self.base = (outlet.api_base or DEFAULT_API).rstrip("/") + "/"
        self.token = outlet.get_secret()
        if not self.token:
            raise PermanentError("微博渠道缺少授权令牌（access_token），请在渠道设置中填写")

    def call(self, path: str, *, form: dict | None = None, files: dict | None = None,
             gone_ok: bool = False, query: dict | None = None) -> dict:
        """POST ``form``/``files``; with ``query`` instead, a GET (the read API)."""
        if query is not None:
            resp = request("GET", self.base + path, params=dict(query, access_token=self.token))
        else:
            fields = dict(form or {}, access_token=self.token)
            resp = request("POST", self.base + path, form=fields, files=files)
        answer = resp.json() if resp.body[:1] == b"{" else {}
        code = answer.get("error_code")
        detail = f"{path}: HTTP {resp.status}: {resp.text[:1000]}"
        if code in GONE_ERRORS and gone_ok:
            return answer
        if code in TOKEN_ERRORS:
            raise PermanentError("微博授权已过期或无效，请重新授权并在渠道设置中更新令牌", detail)
        if code in TRANSIENT_ERRORS:
            raise TransientError("微博接口繁忙或调用过于频繁，稍后自动重试", detail)
        if code:
            raise PermanentError(f"微博拒绝了这条内容（错误 {code}：{answer.get('error', '')}）",
                                 detail)
        check_status(resp, what="发布微博")
        return resp.json()
