import io

import pytest


@pytest.fixture(autouse=True)
def _fast_polling(settings):
    settings.OUTLETS_WECHAT_POLL_INTERVAL = 0


def make_outlet(kind, *, api_base="", secret="s3cret-value", name=None, app_id="",
                **extra):
    from rongmei.outlets.models import Outlet

    outlet = Outlet(name=name or kind, kind=kind, api_base=api_base, app_id=app_id,
                    settings=extra)
    outlet.set_secret(secret)
    outlet.save()
    return outlet


def store_image(name, size=(1200, 900), color=(200, 30, 30)):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return default_storage.save(name, ContentFile(out.getvalue()))


def make_snapshot(key="story:1", **overrides):
    cover = store_image("news/cover.jpg")
    body_img = store_image("news/body1.jpg", size=(800, 600))
    snapshot = {
        "story_key": key,
        "uri": "https://rm.example.cn/news/2026/11/lianhua/",
        "type": "text",
        "headline": "广昌白莲喜获丰收 莲农人均增收三千元",
        "summary": "今年广昌县白莲种植面积达11万亩，莲农迎来丰收年。",
        "body_html": (f'<p style="text-indent:2em" class="lead">莲乡九月，荷香满田。</p>'
                      f'<img src="https://rm.example.cn/media/{body_img}" alt="采莲">'
                      '<script>alert(1)</script><iframe src="https://evil.example/"></iframe>'
                      '<p>详见<a href="https://other.example/">外部链接</a>。</p>'),
        "body_text": "莲乡九月，荷香满田。详见外部链接。",
        "byline": "记者 李明 王芳 通讯员 张三",
        "editor": "赵六",
        "original": True,
        "source": "广昌县融媒体中心",
        "channel": "本地新闻",
        "unit": "融媒体中心",
        "tags": ["白莲", "乡村振兴"],
        "place": "广昌县",
        "published_at": "2026-11-26T08:00:00+08:00",
        "updated_at": "2026-11-26T08:00:00+08:00",
        "cover": {"file": cover, "url": f"https://rm.example.cn/media/{cover}",
                  "width": 1200, "height": 900},
        "images": [{"file": body_img, "url": f"https://rm.example.cn/media/{body_img}",
                    "caption": "采莲"}],
        "video": None,
        "versions": {},
    }
    snapshot.update(overrides)
    return snapshot
