"""Demo newsroom: a section per unit, channels, and a few hundred generated stories.

The stories are composed from templates of what a county media center publishes (town
events, public notices, farming, jobs, health, culture) with the demo county's own places,
so search and feeds have believable Chinese text. Nothing is copied from real outlets.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .review import exempt_publish

CHANNELS = [("要闻", "yaowen"), ("乡镇", "xiangzhen"), ("民生", "minsheng"), ("政务", "zhengwu"),
            ("乡村振兴", "xiangcun"), ("文旅", "wenlv")]

# (channel slug, title template, paragraphs, months it can happen in — empty: any month).
# {town}, {village}, {n}, {m}, {county}, {year} are filled in. A story is dated first
# (within the last year, relative to today) and then given a template of its season, so no
# lotus harvest in December and no 高考 in winter.
TEMPLATES = [
    ("xiangcun", "{town}羊肚菌喜获丰收 亩产突破{n}斤",
     ["走进{town}{village}的羊肚菌种植大棚，菌农们正忙着采收。今年全镇种植羊肚菌{m}亩，亩产突破{n}斤。",
      "“合作社统一提供菌种和技术，我们只管管护。”种植户老李笑着说，今年每亩纯收入有望超过一万元。",
      "近年来，{town}把羊肚菌作为乡村振兴的特色产业来抓，带动{m}户农户增收。"], (2, 3, 4)),
    ("xiangcun", "{town}白莲进入采摘季 莲农忙采收",
     ["盛夏时节，{town}万亩莲田荷花盛开，莲蓬饱满，莲农们趁着晴好天气抢收莲子。",
      "今年全镇白莲种植面积{m}亩，通过莲子加工企业订单收购，莲子价格稳中有升。",
      "镇里还组织电商直播带货，让{county}莲子走向全国。"], (7, 8, 9)),
    ("minsheng", "{county}{n}个招聘岗位等你来 春风行动招聘会下周举行",
     ["为帮助返乡人员和高校毕业生就近就业，{county}人社局将于下周在县人力资源市场举办春风行动招聘会。",
      "本次招聘会共有{m}家企业参加，提供普工、技术员、电商运营、护理员等岗位{n}个。",
      "求职者可携带身份证和简历到场，也可在“服务”栏目中在线投递简历。"], (1, 2, 3)),
    ("minsheng", "城乡居民医保集中缴费开始 可在线缴纳",
     ["{county}{year}年度城乡居民基本医疗保险集中缴费工作已经开始，个人缴费标准为每人每年{m}元。",
      "居民可通过客户端“服务”栏目、税务小程序或到{town}便民服务中心缴费。",
      "医保部门提醒，请勿相信陌生电话和短信，谨防医保诈骗。"], (9, 10, 11, 12)),
    ("zhengwu", "{county}召开防汛工作部署会",
     ["近日，{county}召开防汛工作部署会，对今年防汛备汛工作进行安排。",
      "会议要求，各乡镇要压实防汛责任，排查河道、水库、山塘等隐患点{n}处，落实巡查值守。",
      "{town}等沿河乡镇已组织转移演练，确保群众生命财产安全。"], (3, 4, 5, 6)),
    ("zhengwu", "G{n}国道{town}段道路施工 请注意绕行",
     ["因道路改造需要，G{n}国道{town}段将于本月中旬起封闭施工，预计工期{m}天。",
      "施工期间，过往车辆请提前规划路线，经{village}绕行。",
      "交通部门将在路口设置指示牌，并安排人员引导交通。"], ()),
    ("xiangzhen", "{town}{village}举办“村晚” 村民自编自演迎新春",
     ["锣鼓声声，欢歌阵阵。{town}{village}文化广场上，一场由村民自编自演的“村晚”热闹上演。",
      "舞龙、采茶戏、广场舞等{m}个节目轮番登场，吸引了周边{n}余名群众观看。",
      "“村晚”已连续举办多年，成为{village}凝聚人心的文化品牌。"], (12, 1, 2)),
    ("xiangzhen", "{town}开展义诊进村活动 群众家门口看专家",
     ["近日，县人民医院专家团队走进{town}{village}，为村民开展免费义诊。",
      "专家们为群众测量血压血糖、讲解慢性病防治知识，共服务群众{n}人次。",
      "{town}卫生院表示，今后将定期组织专家下乡，让群众在家门口享受优质医疗服务。"], ()),
    ("yaowen", "{county}融媒体中心上线新版客户端",
     ["{county}融媒体中心新版客户端正式上线，新增问政、积分商城、消费券等功能。",
      "新版客户端坚持“新闻+政务+商务”，群众可以看新闻、办事情、反映诉求、兑换奖品。",
      "截至目前，客户端注册用户已超过{n}人，覆盖全县{m}个乡镇。"], ()),
    ("yaowen", "{county}高考考点准备就绪 {n}名考生将参考",
     ["今年{county}共有{n}名考生参加高考，全县设{m}个考点。",
      "公安、交通、卫健等部门联合保障，考点周边实行交通管制，严禁鸣笛。",
      "教育部门提醒考生提前熟悉考场，备好准考证和身份证。"], (5, 6)),
    ("minsheng", "{town}接种点开放周末疫苗接种 方便上班族",
     ["为方便群众，{town}卫生院疫苗接种点自本周起在周六上午开放。",
      "可接种流感疫苗、带状疱疹疫苗等，每天限号{n}个，可在客户端预约。",
      "卫生院提醒，接种后请留观30分钟。"], (9, 10, 11, 12, 1)),
    ("wenlv", "{town}油菜花海迎客来 周末游客超{n}人次",
     ["春暖花开，{town}{m}亩油菜花竞相绽放，吸引众多游客前来赏花拍照。",
      "当地还推出农家乐、采摘游等项目，周末接待游客超{n}人次。",
      "{county}文旅部门推荐了三条赏花路线，可在客户端“服务”中查看。"], (2, 3, 4)),
    ("yaowen", "{county}5G基站建设提速 {town}实现全覆盖",
     ["记者从县工信部门获悉，今年{county}新建5G基站{n}座，{town}实现5G信号全覆盖。",
      "5G网络为远程医疗、智慧农业和直播带货提供了支撑。",
      "预计年底前全县行政村5G覆盖率将达到{m}%。"], ()),
]


def seed_news(*, editor, director, count: int = 300, rng: random.Random | None = None) -> int:
    """Sections for every unit, the channels, and ``count`` published stories. Idempotent:
    stories are only added while fewer than ``count`` exist. ``editor`` writes, ``director``
    publishes (as after 终审)."""
    from rongmei.news import services
    from rongmei.news.models import ArticlePage, Channel, FeedEntry, GalleryImage, GalleryPage
    from rongmei.units.models import Unit, UnitKind

    rng = rng or random.Random(2026)
    services.ensure_newsroom()
    center = services.ensure_section(None)
    sections = {None: center}
    units = Unit.objects.exclude(kind__in=[UnitKind.COUNTY, UnitKind.CENTER]).order_by("path")
    if count < 100:  # a small seed (tests): sections only where stories go
        units = units.filter(kind=UnitKind.TOWNSHIP)
    for unit in units:
        sections[unit.pk] = services.ensure_section(unit)
    channels = {}
    for order, (name, slug) in enumerate(CHANNELS):
        channels[slug], _ = Channel.objects.get_or_create(slug=slug, defaults={
            "name": name, "sort_order": order})
    existing = FeedEntry.objects.count()
    if existing >= count:
        return existing

    from django.conf import settings
    towns = list(Unit.objects.filter(kind=UnitKind.TOWNSHIP).order_by("path"))
    images = [_image(f"新闻配图{i}", i) for i in range(1, 13)]
    now = timezone.now()
    county_name = settings.RONGMEI_COUNTY_NAME
    made = 0
    # Headlines are never repeated: a template without a place or number in its title is used
    # once, and the others are tried with other towns until the title is new.
    from wagtail.models import Page

    used = set(Page.objects.values_list("title", flat=True))
    for i in range(existing, count):
        published = now - timedelta(days=rng.uniform(0, 365))
        month = timezone.localtime(published).month
        seasonal = [t for t in TEMPLATES if not t[3] or month in t[3]]
        for attempt in range(40):
            slug, title_t, paragraphs, _ = seasonal[(i + attempt) % len(seasonal)]
            town = rng.choice(towns) if towns else None
            villages = list(town.get_children()) if town else []
            village = rng.choice(villages).display_name if villages else "中心村"
            values = {"town": town.display_name if town else county_name, "village": village,
                      "county": county_name, "n": rng.randint(12, 980), "m": rng.randint(3, 60),
                      "year": timezone.localtime(published).year + 1}
            title = title_t.format(**values)
            if title not in used:
                break
        else:
            continue  # every headline of this season is taken: one story fewer
        used.add(title)
        section = sections.get(town.pk if town and rng.random() < 0.5 else None, center)
        folder = services.archive_for(section, published)
        common = dict(title=title, slug=f"story-{i + 1}-{made}", channel=channels[slug], live=False,
                      cover=rng.choice(images), author=rng.choice(["李明", "王芳", "张伟", "刘洋"]),
                      responsible_editor=rng.choice(["陈静", "赵磊"]), owner=editor,
                      place=values["town"])
        with transaction.atomic():
            if i % 10 == 9:
                page = GalleryPage(intro="".join(f"<p>{p.format(**values)}</p>"
                                                 for p in paragraphs[:1]), **common)
                page.gallery_images = [GalleryImage(image=rng.choice(images),
                                                    caption=p.format(**values)[:60])
                                       for p in paragraphs]
            else:
                page = ArticlePage(body=[("paragraph", "".join(
                    f"<p>{p.format(**values)}</p>" for p in paragraphs))], **common)
                if i % 4 == 0:
                    page.body.append(("image", {"image": rng.choice(images),
                                                "caption": f"{values['town']}一景"}))
            folder.add_child(instance=page)
            with exempt_publish("演示数据"):
                page.save_revision(user=editor).publish(user=director)
            type(page).objects.filter(pk=page.pk).update(first_published_at=published,
                                                         last_published_at=published)
            FeedEntry.objects.filter(page_id=page.pk).update(published_at=published)
        made += 1
    return existing + made


def _image(title: str, seed: int):
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage, ImageDraw
    from wagtail.images.models import Image

    found = Image.objects.filter(title=title).first()
    if found:
        return found
    rng = random.Random(seed)
    sky = [(120, 180, 230), (250, 200, 120), (160, 210, 170), (230, 150, 160)][seed % 4]
    canvas = PILImage.new("RGB", (960, 600), sky)
    draw = ImageDraw.Draw(canvas)
    for _ in range(3):  # hills
        x, h = rng.randint(-200, 900), rng.randint(150, 350)
        draw.ellipse([x, 600 - h, x + rng.randint(500, 900), 600 + h],
                     fill=(40 + rng.randint(0, 60), 120 + rng.randint(0, 60), 60))
    for _ in range(8):  # lotus flowers
        x, y, r = rng.randint(20, 940), rng.randint(380, 580), rng.randint(10, 28)
        draw.ellipse([x - r, y - r // 2, x + r, y + r // 2], fill=(245, 170, 190))
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=80)
    return Image.objects.create(title=title, file=ImageFile(buffer, name=f"demo-news-{seed}.jpg"))


ORDER = 40


def seed(ctx) -> str:
    """``rongmei seed_demo``: channels, sections and as many stories as residents (≤ 300)."""
    from rongmei.accounts.models import User
    from rongmei.units.demo import director_phone, editor_phone

    count = seed_news(editor=User.objects.get(phone=editor_phone()),
                      director=User.objects.get(phone=director_phone()),
                      count=min(300, ctx.scale))
    # Making and transcoding the clips takes a while: the full demo only, not the small
    # seeds tests use.
    av = seed_av(editor=User.objects.get(phone=editor_phone()),
                 director=User.objects.get(phone=director_phone())) if ctx.scale >= 50 else 0
    return f"稿件 {count} 篇（视频、音频 {av} 篇）"


# (kind, title, ffmpeg inputs, description): short clips made here from ffmpeg's test
# sources, uploaded and transcoded through the real media pipeline (checks, HLS/MP4
# renditions, poster), then published as 视频/音频 stories.
AV_STORIES = [
    ("video", "莲乡融媒演播室新设备调试画面",
     ["-f", "lavfi", "-i", "smptebars=size=640x360:rate=25:d=6",
      "-f", "lavfi", "-i", "sine=frequency=1000:d=6"],
     "融媒体中心演播室完成4K设备升级，这是调试时的彩条信号。"),
    ("video", "{county}春晚彩排：舞台灯光联调",
     ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:d=8",
      "-f", "lavfi", "-i", "sine=frequency=523:d=8"],
     "县春晚进入联排阶段，舞台灯光与导播系统联调。"),
    ("audio", "【莲乡之声】今日天气与出行提示",
     ["-f", "lavfi", "-i", "sine=frequency=440:d=10"],
     "莲乡之声广播节目：今日天气、出行与农事提示。"),
]


def seed_av(*, editor, director) -> int:
    """A few 视频/音频 stories with media made locally by ffmpeg (none without ffmpeg)."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rongmei.media import services as media
    from rongmei.news import services
    from rongmei.news.models import AudioPage, Channel, VideoPage

    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        return 0
    center = services.ensure_section(None)
    channel = Channel.objects.filter(slug="yaowen").first()
    made = 0
    with tempfile.TemporaryDirectory() as folder:
        for n, (kind, title_t, inputs, description) in enumerate(AV_STORIES):
            title = title_t.format(county=settings.RONGMEI_COUNTY_NAME)
            model = VideoPage if kind == "video" else AudioPage
            if model.objects.filter(title=title).exists():
                continue
            path = Path(folder) / (f"clip{n}.mp4" if kind == "video" else f"clip{n}.mp3")
            codecs = (["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                       "-c:a", "aac", "-shortest"] if kind == "video"
                      else ["-c:a", "libmp3lame", "-b:a", "64k"])
            subprocess.run(["ffmpeg", "-v", "error", "-y", *inputs, *codecs, str(path)],
                           check=True, timeout=120)
            upload = SimpleUploadedFile(path.name, path.read_bytes(),
                                        content_type="video/mp4" if kind == "video"
                                        else "audio/mpeg")
            asset = media.media_upload(actor=editor, kind=kind, title=title, upload=upload)
            # Transcoded here and now (a no-op if the task already ran inline): a story is
            # never published before its media is ready, and the demo has no worker running.
            from rongmei.media.transcoding import transcode_asset

            transcode_asset(asset.pk)
            asset.refresh_from_db()
            published = timezone.now() - timedelta(hours=3 * (n + 1))
            page = model(title=title, slug=f"av-{kind}-{n + 1}", channel=channel, live=False,
                         owner=editor, author="融媒体中心", responsible_editor="陈静",
                         description=f"<p>{description}</p>", **{kind: asset})
            with transaction.atomic(), exempt_publish("演示数据"):
                services.archive_for(center, published).add_child(instance=page)
                page.save_revision(user=editor).publish(user=director)
            made += 1
    return made
