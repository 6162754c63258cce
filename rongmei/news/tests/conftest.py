import io
from types import SimpleNamespace

import pytest


def make_image(title="测试图片", color=(200, 30, 30), size=(800, 500)):
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "JPEG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name="test.jpg"))


def add_article(folder, *, title="荷塘镇举办莲子丰收节", body="今年荷塘镇莲子喜获丰收。",
                user=None, publish=False, **fields):
    from rongmei.news.models import ArticlePage

    page = ArticlePage(title=title, body=[("paragraph", f"<p>{body}</p>")], owner=user, live=False,
                       **fields)
    folder.add_child(instance=page)
    revision = page.save_revision(user=user)
    if publish:
        revision.publish()
        page.refresh_from_db()
    return page


@pytest.fixture
def newsroom(db, county, make_user):
    from rongmei.core import roles
    from rongmei.news import services
    from rongmei.news.models import Channel

    index = services.ensure_newsroom()
    center = services.ensure_section(None)
    hetang = services.ensure_section(county.hetang)
    baishui = services.ensure_section(county.baishui)
    channel = Channel.objects.create(name="要闻", slug="yaowen")
    people = SimpleNamespace(
        reporter=make_user(roles.REPORTER),
        editor=make_user(roles.EDITOR),
        chief=make_user(roles.CHIEF_EDITOR),
        director=make_user(roles.DIRECTOR),
        hetang_admin=make_user(roles.UNIT_ADMIN, unit=county.hetang),
        baishui_admin=make_user(roles.UNIT_ADMIN, unit=county.baishui),
        resident=make_user(),
    )
    # The default dictionary comes from a data migration, which a transactional test's flush
    # removes: make sure the words these tests use are there.
    from rongmei.wordgate.models import WordEntry
    from rongmei.wordgate.services import word_create
    operator = make_user(roles.OPERATOR)
    for word in ("赌博网站", "代开发票", "办证刻章"):
        if not WordEntry.objects.filter(word=word).exists():
            word_create(actor=operator, word=word, level="block")
    return SimpleNamespace(index=index, center=center, hetang=hetang, baishui=baishui,
                           channel=channel, people=people, county=county)
