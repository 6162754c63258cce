"""Signed webhooks (any other system) and the 微信视频号 gateway.

The body is the story as IPTC ninjs JSON (plus ``event`` and ``rongmei`` fields); headers:
``X-Rongmei-Event`` (story.publish / story.update / story.correction / story.takedown),
``X-Rongmei-Delivery`` (delivery id, stable across retries: receivers de-duplicate on it),
``X-Rongmei-Timestamp`` (Unix seconds) and
``X-Rongmei-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``.
2xx is success; 408/429/5xx and network errors are retried; any other 4xx fails at once.

WeChat publishes no open API for posting to a 视频号, so the 视频号 outlet delivers the
video package (video file URL, description with #topics, short title) to a gateway the
center runs (``api_base``) with the same signed webhook protocol; the gateway posts it
through 视频号助手 and answers 2xx with ``{"id": ..., "url": ...}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import ClassVar

from . import Adapter, register
from .base import PermanentError, Sent, pick, truncate
from .douyin import caption, video_file
from .http import check_status, request


def ninjs(snapshot: dict, *, action: str, version: int | None = None) -> dict:
    """The story as an IPTC ninjs 2.x document."""
    story = {
        "uri": snapshot["uri"],
        "guid": snapshot["story_key"],
        "type": snapshot.get("type", "text"),
        "version": str(version or ""),
        "versioncreated": snapshot.get("updated_at") or snapshot.get("published_at"),
        "firstcreated": snapshot.get("published_at"),
        "pubstatus": "canceled" if action == "takedown" else "usable",
        "language": "zh-Hans",
        "headlines": [{"value": snapshot.get("headline", "")}],
        "descriptions": [{"role": "summary", "value": snapshot.get("summary", "")}],
        "bodies": [{"contenttype": "text/html", "value": snapshot.get("body_html", "")},
                   {"contenttype": "text/plain", "value": snapshot.get("body_text", "")}],
        "by": snapshot.get("byline", ""),
        "subjects": [{"name": tag} for tag in snapshot.get("tags") or []],
        "places": [{"name": snapshot["place"]}] if snapshot.get("place") else [],
        "genres": [{"name": snapshot["channel"]}] if snapshot.get("channel") else [],
        "infosources": [{"name": snapshot["source"]}] if snapshot.get("source") else [],
        "associations": [],
    }
    if snapshot.get("correction_note"):
        story["ednote"] = "更正：" + snapshot["correction_note"]
    cover = snapshot.get("cover")
    if cover and cover.get("url"):
        story["associations"].append({"name": "featureimage", "type": "picture",
                                      "renditions": [{"name": "original", "href": cover["url"],
                                                      "width": cover.get("width"),
                                                      "height": cover.get("height")}]})
    for n, image in enumerate(snapshot.get("images") or [], 1):
        story["associations"].append({"name": f"image{n}", "type": "picture",
                                      "headlines": [{"value": image.get("caption", "")}],
                                      "renditions": [{"name": "original",
                                                      "href": image.get("url", "")}]})
    video = snapshot.get("video")
    if video and video.get("url"):
        story["associations"].append({"name": "featurevideo", "type": "video",
                                      "renditions": [{"name": "original", "href": video["url"],
                                                      "duration": video.get("duration")}]})
    return story


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def post_signed(*, outlet, payload: dict, action: str, delivery_id: int) -> Sent:
    if not outlet.api_base:
        raise PermanentError("渠道没有填写接收地址，请在渠道设置中填写")
    secret = outlet.get_secret()
    if not secret:
        raise PermanentError("渠道没有设置签名密钥，请在渠道设置中填写")
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    resp = request("POST", outlet.api_base, body=body, headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Rongmei-Webhook/1",
        "X-Rongmei-Event": f"story.{action}",
        "X-Rongmei-Delivery": str(delivery_id),
        "X-Rongmei-Timestamp": timestamp,
        "X-Rongmei-Signature": signature(secret, timestamp, body),
    })
    check_status(resp, what="推送到接收方")
    answer = {}
    if resp.body[:1] == b"{":
        try:
            answer = json.loads(resp.body)
        except ValueError:
            answer = {}
    return Sent(remote_id=str(answer.get("id", ""))[:200], remote_url=str(answer.get("url", "")))


@register
class WebhookAdapter(Adapter):
    kind = "webhook"
    # Every request carries X-Rongmei-Delivery: the receiver drops a repeat, so a resend
    # after an interrupted attempt cannot publish twice.
    idempotent = True

    def format(self, *, snapshot, version, action, outlet, received):
        story = ninjs(snapshot, action=action, version=snapshot.get("_version"))
        return {"event": f"story.{action}", "story": story}

    def transmit(self, *, outlet, payload, action, state, delivery_id):
        return post_signed(outlet=outlet, payload=payload, action=action,
                           delivery_id=delivery_id)


@register
class WechatChannelsAdapter(Adapter):
    kind = "wechat_channels"
    # Every request carries X-Rongmei-Delivery: the receiver drops a repeat, so a resend
    # after an interrupted attempt cannot publish twice.
    idempotent = True
    unsupported: ClassVar[dict[str, str]] = {"update": "视频号作品发布后不能修改，本次更新未推送",
                   "correction": "视频号作品不能追加更正；如需更正请撤稿后重新发布"}

    def format(self, *, snapshot, version, action, outlet, received):
        if action == "takedown":
            return {"event": "story.takedown", "story_key": snapshot["story_key"],
                    "ids": [r["remote_id"] for r in received if r.get("remote_id")]}
        video_file(snapshot, "视频号")
        description, topics = caption(snapshot, version, limit=1000 - 6 * 21)
        return {"event": f"story.{action}", "story_key": snapshot["story_key"],
                "video_url": snapshot["video"]["url"],
                "cover_url": (snapshot.get("cover") or {}).get("url", ""),
                "short_title": truncate(pick(version, "title", snapshot["headline"]), 16, ellipsis=""),
                "description": description, "topics": topics, "link": snapshot["uri"]}

    def transmit(self, *, outlet, payload, action, state, delivery_id):
        return post_signed(outlet=outlet, payload=payload, action=action,
                           delivery_id=delivery_id)
