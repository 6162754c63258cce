"""抖音: the open platform's video API with the authorised account's ``access-token`` (the
outlet's secret) and ``open_id`` (outlet setting ``open_id``).

``POST /video/upload/?open_id=`` (multipart ``video``) → ``video_id``;
``POST /video/create/?open_id=`` (JSON ``video_id``, ``text``) → ``item_id``;
takedown ``POST /video/delete/?open_id=`` (JSON ``item_id``).
Errors come in ``data.error_code`` (0 = success).

Caption: the title (≤ 55 characters) followed by up to five ``#话题`` from the version's
topics or the story's tags — the way the platform documents topics in ``text``.
"""

from __future__ import annotations

import re
from typing import ClassVar

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
from .media import content_type, read

DEFAULT_API = "https://open.douyin.com"
TITLE_LIMIT = 55
MAX_TOPICS = 5
TOPIC_LIMIT = 20
TOKEN_ERRORS = {2190002, 2190004, 2190008, 2190015}
TRANSIENT_ERRORS = {2100004, 2190016}
GONE_ERRORS = {2119001}  # the video does not exist any more


def caption(snapshot: dict, version: dict, *, limit: int = TITLE_LIMIT) -> tuple[str, list[str]]:
    title = truncate(pick(version, "title", snapshot["headline"]), limit)
    raw = [t for t in ((version or {}).get("topics") or snapshot.get("tags") or []) if t]
    topics = []
    for topic in raw:
        clean = re.sub(r"[#\s@]", "", str(topic))[:TOPIC_LIMIT]
        if clean and clean not in topics:
            topics.append(clean)
    topics = topics[:MAX_TOPICS]
    return " ".join([title] + [f"#{t}" for t in topics]), topics


def video_file(snapshot: dict, kind_name: str) -> str:
    video = snapshot.get("video") or {}
    if not video.get("file"):
        raise FormatError(f"{kind_name}只能发布视频稿件，这篇稿件没有视频")
    return video["file"]


@register
class DouyinAdapter(Adapter):
    kind = "douyin"
    unsupported: ClassVar[dict[str, str]] = {
        "update": "抖音视频发布后不能修改，本次更新未推送",
        "correction": "抖音视频不能追加更正；如需更正请撤稿后重新发布",
    }

    def format(self, *, snapshot, version, action, outlet, received):
        if action == "takedown":
            return {"item_ids": [r["remote_id"] for r in received if r.get("remote_id")]}
        text, topics = caption(snapshot, version)
        return {"video_file": video_file(snapshot, "抖音"), "text": text, "topics": topics}

    def transmit(self, *, outlet, payload, action, state, delivery_id):
        base = (outlet.api_base or DEFAULT_API).rstrip("/")
        token = outlet.get_secret()
        open_id = (outlet.settings or {}).get("open_id", "")
        if not token or not open_id:
            raise PermanentError("抖音渠道缺少授权令牌或 open_id，请在渠道设置中填写")

        def call(path, **kwargs):
            resp = request("POST", base + path, params={"open_id": open_id},
                           headers={"access-token": token}, **kwargs)
            detail = f"{path}: HTTP {resp.status}: {resp.text[:1000]}"
            if resp.status >= 500 or resp.status == 429 or resp.body[:1] != b"{":
                check_status(resp, what="调用抖音接口")
            data = resp.json().get("data") or {}
            code = data.get("error_code", 0)
            if code in TOKEN_ERRORS:
                raise PermanentError("抖音授权已过期或无效，请重新授权并在渠道设置中更新令牌",
                                     detail)
            if code in TRANSIENT_ERRORS:
                raise TransientError("抖音接口繁忙，稍后自动重试", detail)
            if code and not (path.startswith("/video/delete") and code in GONE_ERRORS):
                raise PermanentError(f"抖音拒绝了这个视频（错误 {code}：{data.get('description', '')}）",
                                     detail)
            check_status(resp, what="调用抖音接口")
            return data

        if action == "takedown":
            for item_id in payload["item_ids"]:
                if item_id not in state.setdefault("deleted", []):
                    call("/video/delete/", json={"item_id": item_id})
                    state["deleted"].append(item_id)
            return Sent(state=state)
        if "video_id" not in state:
            name = payload["video_file"]
            data = call("/video/upload/", files={
                "video": (name.rsplit("/", 1)[-1], read(name), content_type(name))})
            state["video_id"] = data["video"]["video_id"]
        data = call("/video/create/", json={"video_id": state["video_id"],
                                            "text": payload["text"]})
        return Sent(remote_id=str(data["item_id"]), state=state)

    def figures(self, *, outlet, day):
        """用户数据: ``GET /data/external/user/fans/?open_id=&date_type=7`` (total_fans per
        day) and ``GET /data/external/user/item/?open_id=&date_type=7`` (new_play, the plays
        of the account's videos that day); the row of ``day`` is taken from the week."""
        base = (outlet.api_base or DEFAULT_API).rstrip("/")
        token = outlet.get_secret()
        open_id = (outlet.settings or {}).get("open_id", "")
        if not token or not open_id:
            raise PermanentError("抖音渠道缺少授权令牌或 open_id，请在渠道设置中填写")

        def rows(path):
            resp = check_status(request("GET", base + path, params={
                "open_id": open_id, "date_type": 7}, headers={"access-token": token}),
                what="获取抖音数据")
            data = resp.json().get("data") or {}
            code = data.get("error_code", 0)
            if code in TOKEN_ERRORS:
                raise PermanentError("抖音授权已过期或无效，请重新授权并在渠道设置中更新令牌",
                                     f"{path}: {resp.text[:1000]}")
            if code:
                raise TransientError(f"抖音数据接口返回错误 {code}：{data.get('description', '')}",
                                     f"{path}: {resp.text[:1000]}")
            return [row for row in data.get("result_list") or []
                    if row.get("date") == day.isoformat()]

        fans = rows("/data/external/user/fans/")
        plays = rows("/data/external/user/item/")
        return Figures(followers=count(fans[0].get("total_fans")) if fans else None,
                       reads=count(plays[0].get("new_play")) if plays else None)
