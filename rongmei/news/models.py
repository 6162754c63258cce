"""The newsroom's content: channels (栏目), unit sections (分端) and stories.

The page tree is ``首页 › 新闻 › section › year-month archive › story``. Every unit has its own
section; its admins' rights are granted on that section only, while county editors hold
their rights once on the shared 新闻 page, so a permission check never walks 80 groups.
Archive folders keep any one parent to a few thousand children however many years of news
pile up.

Stories of every kind share one concrete ``StoryPage`` table (credits, channel, cover,
outlets); ``FeedEntry`` is a flat copy of each live story, maintained on publish, that feeds,
search and the home page read without joining the page tree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import GroupApprovalTask, Orderable, Page
from wagtail.search import index

from rongmei.core.pagecache import LISTS, channel_tag, mark_cacheable, page_tag
from rongmei.core.public_text import GatedPublicText
from rongmei.media.widgets import AudioChooser, VideoChooser, VideoChooserBlock

from .forms import GatedPageForm, ReviewedPageForm

STORY_PAGE_TYPES = ["news.ArticlePage", "news.GalleryPage", "news.VideoPage",
                    "news.AudioPage", "news.LinkPage"]
# Body images as other systems receive them (the snapshot lists the same renditions).
BODY_IMAGE_SPEC = "max-1080x1080"
RICH_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "image", "hr", "blockquote"]


class Channel(GatedPublicText, models.Model):
    """栏目: how residents browse news (要闻, 乡镇, 民生 …), across all sections."""

    name = models.CharField("栏目名称", max_length=20, unique=True)
    slug = models.SlugField("网址名", max_length=40, unique=True,
                            help_text="英文字母、数字或短横线，用于网址和订阅源")
    description = models.CharField("简介", max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "栏目"
        verbose_name_plural = "栏目"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


class GatedPage:
    """A public page that is not a story (专题, 分端): the word gate on every publish."""

    base_form_class = GatedPageForm

    def gate_fields(self) -> dict[str, str]:
        fields = {"标题": self.title, "分享标题": self.seo_title,
                  "分享描述": self.search_description}
        return {label: text for label, text in fields.items() if text}

    def publish(self, revision, user=None, **kwargs):
        from .gate import ContentBlocked, check_page

        verdict = check_page(revision.as_object())
        if verdict.blocked:
            raise ContentBlocked(verdict)
        return super().publish(revision, user=user, **kwargs)


# --- the tree above the stories ---------------------------------------------------------------

class NewsIndexPage(Page):
    """新闻: the root of all sections; county editors' page rights sit here."""

    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.SectionPage", "news.TopicPage"]
    max_count = 1
    template = "news/feed_page.html"

    class Meta:
        verbose_name = "新闻中心"

    # Served by the feed view (wagtail_hooks.serve_feed_pages): newest stories, by cursor.


class SectionPage(GatedPage, Page):
    """分端: one unit's (or the center's) own section; its stories are reviewed by the center."""

    unit = models.OneToOneField("units.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="news_section", verbose_name="所属单位")
    intro = models.CharField("简介", max_length=200, blank=True)

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = ["news.ArchivePage"]
    template = "news/feed_page.html"
    # Made by the system when a unit is created or imported (services.unit_changed), never
    # by hand, and tied to its unit for good: nobody re-points a section to another unit.
    is_creatable = False
    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = "分端"

    def gate_fields(self) -> dict[str, str]:
        return {**super().gate_fields(), **({"简介": self.intro} if self.intro else {})}

    def clean(self):
        from django.core.exceptions import ValidationError
        super().clean()
        if self.pk:
            saved = type(self).objects.filter(pk=self.pk).values_list("unit_id", flat=True).first()
            if saved != self.unit_id:
                raise ValidationError({"unit": "分端所属单位不能修改"})

    # Served by the feed view (wagtail_hooks.serve_feed_pages): this section's stories.


class ArchivePage(Page):
    """A year or year-month folder under a section, made by the system, never by hand."""

    parent_page_types = ["news.SectionPage", "news.ArchivePage"]
    subpage_types = STORY_PAGE_TYPES + ["news.ArchivePage"]
    is_creatable = False

    class Meta:
        verbose_name = "归档"

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect
        return redirect(self.get_parent().url)


# --- stories ------------------------------------------------------------------------------------

class StoryKind(models.TextChoices):
    ARTICLE = "article", "图文"
    GALLERY = "gallery", "图集"
    VIDEO = "video", "视频"
    AUDIO = "audio", "音频"
    LINK = "link", "外链/直播"


class Origin(models.TextChoices):
    ORIGINAL = "original", "原创"
    REPRINT = "reprint", "转载"


class StoryTag(TaggedItemBase):
    content_object = ParentalKey("news.StoryPage", related_name="tagged_items",
                                 on_delete=models.CASCADE)


class StoryPage(Page):
    """Fields every story shares. Not created directly: pick a kind below."""

    kind = models.CharField("类型", max_length=10, choices=StoryKind.choices, editable=False)
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="stories", verbose_name="栏目")
    summary = models.TextField("摘要", max_length=200, blank=True,
                               help_text="列表和分享卡片显示，200 字以内；留空取正文开头")
    cover = models.ForeignKey("wagtailimages.Image", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", verbose_name="封面图")
    author = models.CharField("作者", max_length=40, blank=True)
    reporter = models.CharField("记者", max_length=60, blank=True)
    responsible_editor = models.CharField("责任编辑", max_length=20, blank=True)
    origin = models.CharField("来源类型", max_length=10, choices=Origin.choices,
                              default=Origin.ORIGINAL)
    source = models.CharField("来源", max_length=60, blank=True,
                              help_text="转载稿必须注明来源媒体")
    source_url = models.URLField("原文链接", blank=True)
    place = models.CharField("地点", max_length=40, blank=True)
    tags = ClusterTaggableManager(through=StoryTag, blank=True, verbose_name="标签")
    is_breaking = models.BooleanField("突发新闻", default=False,
                                      help_text="发布后向订阅了突发提醒的用户推送")
    allow_comments = models.BooleanField("允许评论", default=True)
    correction_note = models.TextField("更正说明", blank=True,
                                       help_text="更正已发布稿件时填写，会显示在正文前并同步到已分发的渠道")

    parent_page_types = ["news.ArchivePage"]
    subpage_types: list[str] = []
    is_creatable = False

    search_fields = Page.search_fields + [index.SearchField("summary")]

    credit_panels = [
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("author"), FieldPanel("reporter"),
                           FieldPanel("responsible_editor")]),
            FieldRowPanel([FieldPanel("origin"), FieldPanel("source")]),
            FieldPanel("source_url"),
        ], heading="署名与来源"),
    ]
    lead_panels = [FieldPanel("channel"), FieldPanel("summary"), FieldPanel("cover")]
    tail_panels = [
        MultiFieldPanel([FieldPanel("tags"), FieldPanel("place"), FieldPanel("is_breaking"),
                         FieldPanel("allow_comments"), FieldPanel("correction_note"),
                         FieldPanel("urgent_reason")],
                        heading="标签与发布选项"),
        InlinePanel("outlet_versions", heading="多端版本", label="渠道版本",
                    help_text="选择要分发的渠道；标题、摘要、文案、封面留空则由稿件自动生成"),
    ]

    KIND = ""

    base_form_class = ReviewedPageForm  # the sensitive-word gate on submit and publish

    class Meta:
        verbose_name = "稿件"
        verbose_name_plural = "稿件"

    def _set_core_field_defaults(self):
        # A new story whose title is Chinese gets a short date-based link (20261126-3fa9c1)
        # instead of a percent-encoded one that breaks in share cards.
        if not self.pk and (not self.slug or not self.slug.isascii()):
            import secrets
            self.slug = f"{timezone.localdate():%Y%m%d}-{secrets.token_hex(3)}"
        super()._set_core_field_defaults()

    def publish(self, revision, user=None, **kwargs):
        """Every publish — by hand, by the last approver, by the scheduler — passes the gate,
        and a person publishes only through 三审 or a recorded 紧急发布 (``review.py``)."""
        from .review import check_reviewed_publish

        story = check_reviewed_publish(self, revision, user)
        waiting = story.media_pending()
        if waiting:
            from .gate import MediaNotReady
            from .review import approved_by_review
            if approved_by_review() and not revision.approved_go_live_at:
                # 终审 passed while the video is still transcoding: the approval stands and
                # the story goes live by itself (news_publish_due) once the media is ready.
                type(revision).objects.filter(pk=revision.pk).update(
                    approved_go_live_at=timezone.now())
                return None
            raise MediaNotReady(waiting)
        return super().publish(revision, user=user, **kwargs)

    def media_pending(self) -> str:
        """Why the story cannot go live yet because of its media ("" when it can): a video
        or audio still being transcoded (or failed) must not be published or sent out."""
        assets = [getattr(self, "video", None) if self.kind == StoryKind.VIDEO else None,
                  getattr(self, "audio", None) if self.kind == StoryKind.AUDIO else None,
                  *(getattr(self, "videos", list)())]
        for asset in assets:
            if asset is not None and not asset.is_ready:
                kind = "音频" if asset.kind == "audio" else "视频"
                return f"{kind}“{asset.title}”尚未转码完成，完成后才能发布"
        if self.kind in (StoryKind.VIDEO, StoryKind.AUDIO) and not any(assets):
            return "请先选择视频或音频"
        return ""

    def get_template(self, request, *args, **kwargs):
        return f"news/story_{self.kind}.html"

    def save(self, *args, **kwargs):
        self.kind = self.KIND
        return super().save(*args, **kwargs)

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if not getattr(request, "is_preview", False):
            # The story (its comments count, its text) and its 相关 list: the channel's newest.
            related = channel_tag(self.channel_id) if self.channel_id else LISTS
            mark_cacheable(response, seconds=300, tags=(page_tag(self.pk), related))
        return response

    # Plain text of the story's own content, for summaries, search and the word gate.
    def body_text(self) -> str:
        return ""

    def body_html(self) -> str:
        return ""

    def gate_fields(self) -> dict[str, str]:
        """Every piece of text a resident can read or an outlet receives, as the word gate
        checks it (the fields ``rongmei/core/public_text.py`` registers for stories)."""
        fields = {"标题": self.title, "分享标题": self.seo_title,
                  "分享描述": self.search_description, "摘要": self.summary,
                  "正文": self.body_text(), "作者": self.author, "记者": self.reporter,
                  "责任编辑": self.responsible_editor, "来源": self.source, "地点": self.place,
                  "更正说明": self.correction_note,
                  "标签": "、".join(tag.name for tag in self.tags.all())}
        images = [self.cover] + [image for image, _caption in self.images()]
        for version in self.outlet_versions.all():
            images.append(version.cover)
            for label, text in (("渠道标题", version.title), ("渠道摘要", version.digest),
                                ("渠道文案", version.text), ("话题", version.topics)):
                if text:
                    fields[f"{version.outlet}·{label}"] = text
        titles = [image.title for image in images if image is not None and image.title]
        if titles:
            fields["图片标题"] = "\n".join(titles)
        return {label: text for label, text in fields.items() if text}

    @property
    def display_summary(self) -> str:
        if self.summary:
            return self.summary
        text = " ".join(self.body_text().split())
        return text[:90] + ("…" if len(text) > 90 else "")

    @property
    def story_key(self) -> str:
        return f"story:{self.pk}"

    def images(self):
        """Body images in reading order: (image, caption)."""
        return []


def absolute_sources(html: str) -> str:
    """Body HTML for other systems: image and link addresses made absolute."""
    import re

    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return re.sub(r'(\s(?:src|href)=")/(?!/)', lambda m: f"{m.group(1)}{base}/", html)


def rich_html(value: str) -> str:
    """A rich-text field as other systems receive it: links expanded, addresses absolute."""
    from wagtail.rich_text import expand_db_html
    return absolute_sources(expand_db_html(value))


class DescribedStory:
    """Video and audio stories: their readable text is the ``description`` field."""

    def body_text(self) -> str:
        from rongmei.core.text import plain_text
        return plain_text(self.description)

    def body_html(self) -> str:
        return rich_html(self.description)


class StoryOutletVersion(Orderable):
    """A story's version for one outlet, derived from the master and editable."""

    page = ParentalKey(StoryPage, related_name="outlet_versions", on_delete=models.CASCADE)
    outlet = models.ForeignKey("outlets.Outlet", on_delete=models.CASCADE, related_name="+",
                               verbose_name="渠道")
    enabled = models.BooleanField("分发", default=True)
    title = models.CharField("渠道标题", max_length=64, blank=True)
    digest = models.CharField("渠道摘要", max_length=120, blank=True,
                              help_text="微信公众号摘要不超过 120 字")
    text = models.TextField("渠道文案", blank=True,
                            help_text="微博正文或短视频文案；留空由标题和摘要生成")
    cover = models.ForeignKey("wagtailimages.Image", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name="渠道封面", help_text="公众号封面建议 2.35:1")
    topics = models.CharField("话题", max_length=120, blank=True,
                              help_text="抖音/视频号话题，用逗号分隔，不带 #")

    panels = [FieldRowPanel([FieldPanel("outlet"), FieldPanel("enabled")]),
              FieldPanel("title"), FieldPanel("digest"), FieldPanel("text"),
              FieldRowPanel([FieldPanel("cover"), FieldPanel("topics")])]

    class Meta(Orderable.Meta):
        verbose_name = "渠道版本"
        constraints = [models.UniqueConstraint(fields=["page", "outlet"],
                                               name="news_outlet_version_unique")]

    def __str__(self):
        return str(self.outlet)


class ImageWithCaption(blocks.StructBlock):
    image = ImageChooserBlock(label="图片")
    caption = blocks.CharBlock(label="图片说明", required=False, max_length=120)

    class Meta:
        icon = "image"
        label = "图片"
        template = "news/blocks/image.html"


class ArticleBody(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_FEATURES, label="正文段落")
    image = ImageWithCaption()
    video = VideoChooserBlock(label="视频", template="news/blocks/video.html")
    quote = blocks.BlockQuoteBlock(label="引用")

    class Meta:
        block_counts = {}


class ArticlePage(StoryPage):
    KIND = StoryKind.ARTICLE
    body = StreamField(ArticleBody(), use_json_field=True, verbose_name="正文")

    content_panels = (Page.content_panels + StoryPage.lead_panels + [FieldPanel("body")]
                      + StoryPage.credit_panels + StoryPage.tail_panels)
    search_fields = StoryPage.search_fields + [index.SearchField("body")]

    class Meta:
        verbose_name = "图文"

    def body_text(self) -> str:
        # The text a reader sees, embedded images' alt text included (adversarial review:
        # a blocked word as an image's alt went live unchecked).
        from rongmei.wordgate.matching import html_visible_text
        parts = []
        for block in self.body:
            if block.block_type == "paragraph":
                parts.append(html_visible_text(block.value.source))
            elif block.block_type == "quote":
                parts.append(str(block.value))
            elif block.block_type == "image" and block.value.get("caption"):
                parts.append(block.value["caption"])
        return "\n".join(parts)

    def body_html(self) -> str:
        from django.utils.html import format_html
        from wagtail.rich_text import expand_db_html
        html = []
        for block in self.body:
            if block.block_type == "paragraph":
                html.append(expand_db_html(block.value.source))
            elif block.block_type == "quote":
                html.append(format_html("<blockquote>{}</blockquote>", block.value))
            elif block.block_type == "image":
                rendition = block.value["image"].get_rendition(BODY_IMAGE_SPEC)
                html.append(format_html('<figure><img src="{}" alt="{}"><figcaption>{}'
                                        "</figcaption></figure>", rendition.url,
                                        block.value.get("caption", ""),
                                        block.value.get("caption", "")))
        return absolute_sources("\n".join(html))

    def images(self):
        return [(block.value["image"], block.value.get("caption", ""))
                for block in self.body if block.block_type == "image"]

    def videos(self):
        return [block.value for block in self.body
                if block.block_type == "video" and block.value is not None]


class GalleryPage(StoryPage):
    KIND = StoryKind.GALLERY
    intro = RichTextField("导语", features=RICH_FEATURES, blank=True)

    content_panels = (Page.content_panels + StoryPage.lead_panels
                      + [FieldPanel("intro"), InlinePanel("gallery_images", heading="图集",
                                                          label="图片", min_num=1)]
                      + StoryPage.credit_panels + StoryPage.tail_panels)

    class Meta:
        verbose_name = "图集"

    def body_text(self) -> str:
        from rongmei.core.text import plain_text
        captions = [item.caption for item in self.gallery_images.all() if item.caption]
        return "\n".join([plain_text(self.intro), *captions])

    def body_html(self) -> str:
        return rich_html(self.intro)

    def images(self):
        return [(item.image, item.caption) for item in self.gallery_images.all()]


class GalleryImage(Orderable):
    page = ParentalKey(GalleryPage, related_name="gallery_images", on_delete=models.CASCADE)
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE,
                              related_name="+", verbose_name="图片")
    caption = models.CharField("图片说明", max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]


class VideoPage(DescribedStory, StoryPage):
    KIND = StoryKind.VIDEO
    video = models.ForeignKey("media.MediaAsset", null=True, on_delete=models.PROTECT,
                              related_name="+", limit_choices_to={"kind": "video"},
                              verbose_name="视频")
    description = RichTextField("视频说明", features=RICH_FEATURES, blank=True)

    content_panels = (Page.content_panels + StoryPage.lead_panels
                      + [FieldPanel("video", widget=VideoChooser), FieldPanel("description")]
                      + StoryPage.credit_panels + StoryPage.tail_panels)

    class Meta:
        verbose_name = "视频"



class AudioPage(DescribedStory, StoryPage):
    KIND = StoryKind.AUDIO
    audio = models.ForeignKey("media.MediaAsset", null=True, on_delete=models.PROTECT,
                              related_name="+", limit_choices_to={"kind": "audio"},
                              verbose_name="音频")
    description = RichTextField("音频说明", features=RICH_FEATURES, blank=True)

    content_panels = (Page.content_panels + StoryPage.lead_panels
                      + [FieldPanel("audio", widget=AudioChooser), FieldPanel("description")]
                      + StoryPage.credit_panels + StoryPage.tail_panels)

    class Meta:
        verbose_name = "音频"



class LinkPage(StoryPage):
    KIND = StoryKind.LINK
    link_url = models.URLField("链接地址")
    is_live = models.BooleanField("直播", default=False)

    content_panels = (Page.content_panels + StoryPage.lead_panels
                      + [FieldRowPanel([FieldPanel("link_url"), FieldPanel("is_live")])]
                      + StoryPage.credit_panels + StoryPage.tail_panels)

    class Meta:
        verbose_name = "外链/直播"

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect
        if getattr(request, "is_preview", False):
            return super().serve(request, *args, **kwargs)
        return redirect(self.link_url)


class TopicPage(GatedPage, Page):
    """专题: a curated collection of stories with its own header."""

    header_image = models.ForeignKey("wagtailimages.Image", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="头图")
    intro = RichTextField("专题导语", features=RICH_FEATURES, blank=True)

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types: list[str] = []
    template = "news/topic_page.html"
    content_panels = Page.content_panels + [
        FieldPanel("header_image"), FieldPanel("intro"),
        InlinePanel("items", heading="专题稿件", label="稿件"),
        FieldPanel("urgent_reason"),
    ]
    # A 专题 goes live like a story: through 三审, or a 总编辑's recorded 紧急发布.
    base_form_class = ReviewedPageForm

    class Meta:
        verbose_name = "专题"

    def publish(self, revision, user=None, **kwargs):
        from .review import check_reviewed_publish

        check_reviewed_publish(self, revision, user)
        return super().publish(revision, user=user, **kwargs)

    def gate_fields(self) -> dict[str, str]:
        from rongmei.core.text import plain_text
        fields = {**super().gate_fields(), "专题导语": plain_text(self.intro),
                  "分组": "\n".join(item.group for item in self.items.all() if item.group)}
        if self.header_image is not None:
            fields["头图标题"] = self.header_image.title
        return {label: text for label, text in fields.items() if text}
    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The stories, their covers and the covers' renditions in a fixed number of queries.
        context["items"] = list(self.items.select_related("story", "story__cover")
                                .prefetch_related("story__cover__renditions"))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if not getattr(request, "is_preview", False):
            stories = self.items.values_list("story_id", flat=True)
            mark_cacheable(response, seconds=300,
                           tags=(page_tag(self.pk), *(page_tag(pk) for pk in stories)))
        return response


class TopicItem(Orderable):
    page = ParentalKey(TopicPage, related_name="items", on_delete=models.CASCADE)
    story = models.ForeignKey(StoryPage, on_delete=models.CASCADE, related_name="+",
                              verbose_name="稿件")
    group = models.CharField("分组", max_length=20, blank=True,
                             help_text="同一分组的稿件在专题页上排在一起，如“现场直击”")

    panels = [FieldPanel("story"), FieldPanel("group")]


# --- the flat copy feeds read ---------------------------------------------------------------

class FeedEntry(models.Model):
    """One row per live story, written on publish and removed on unpublish or delete."""

    page = models.OneToOneField(StoryPage, primary_key=True, on_delete=models.CASCADE,
                                related_name="feed_entry")
    kind = models.CharField(max_length=10, choices=StoryKind.choices)
    channel = models.ForeignKey(Channel, null=True, on_delete=models.SET_NULL,
                                related_name="+")
    section = models.ForeignKey(SectionPage, null=True, on_delete=models.SET_NULL,
                                related_name="+")
    title = models.CharField(max_length=255)
    summary = models.CharField(max_length=200, blank=True)
    cover = models.ForeignKey("wagtailimages.Image", null=True, on_delete=models.SET_NULL,
                              related_name="+")
    url = models.CharField(max_length=512)
    source = models.CharField(max_length=60, blank=True)
    published_at = models.DateTimeField(db_index=False)
    updated_at = models.DateTimeField(default=timezone.now)
    is_breaking = models.BooleanField(default=False)
    # Index terms in text order (bigrams of CJK runs, Latin runs): what FTS5 / the GIN
    # tsvector index, with positions (see search.py).
    search_text = models.TextField(blank=True)
    # The same text cut into words by the county-aware segmenter: where word boundaries are,
    # so a hit across two words (县长 in 莲乡县|长期) is not a hit. Title, summary and the
    # rest separated by tabs, runs by newlines, words by spaces.
    search_words = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "稿件索引"
        verbose_name_plural = "稿件索引"
        indexes = [
            models.Index(fields=["-published_at", "-page"], name="news_feed_recent"),
            models.Index(fields=["channel", "-published_at", "-page"],
                         name="news_feed_channel"),
            models.Index(fields=["section", "-published_at", "-page"],
                         name="news_feed_section"),
        ]

    def __str__(self):
        return self.title


class SearchWord(models.Model):
    """A word of the county's search dictionary (a place, a unit, an official's title…)
    that the segmenter keeps whole; unit names are added from the unit tree by themselves."""

    word = models.CharField("词语", max_length=30, unique=True)
    note = models.CharField("说明", max_length=60, blank=True)
    created_at = models.DateTimeField("添加时间", default=timezone.now)

    class Meta:
        verbose_name = "搜索词典词语"
        verbose_name_plural = "搜索词典"
        ordering = ["word"]

    def __str__(self):
        return self.word


class SearchSynonym(models.Model):
    """Spellings with one meaning (扶贫 脱贫): a query with any of them finds all."""

    words = models.CharField("同义词（空格分隔）", max_length=200, unique=True)
    created_at = models.DateTimeField("添加时间", default=timezone.now)

    class Meta:
        verbose_name = "搜索同义词"
        verbose_name_plural = "搜索同义词"
        ordering = ["words"]

    def __str__(self):
        return self.words


class SearchMiss(models.Model):
    """A query residents typed that found nothing: operators read these to add words,
    synonyms or stories."""

    query = models.CharField("搜索词", max_length=100, unique=True)
    count = models.PositiveIntegerField("次数", default=1)
    first_seen = models.DateTimeField("首次", default=timezone.now)
    last_seen = models.DateTimeField("最近", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "无结果搜索"
        verbose_name_plural = "无结果搜索"
        ordering = ["-last_seen"]

    def __str__(self):
        return self.query


class PublishBlock(models.Model):
    """A publish the sensitive-word gate stopped (scheduled or by an approver)."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+",
                             verbose_name="稿件")  # a story or a 专题
    revision_id = models.PositiveIntegerField("版本", null=True)
    message = models.TextField("拦截原因")
    created_at = models.DateTimeField("时间", default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+", verbose_name="操作人")

    class Meta:
        verbose_name = "发布拦截记录"
        verbose_name_plural = "发布拦截记录"
        ordering = ["-created_at"]


class UrgentPublish(models.Model):
    """紧急发布: a 总编辑 published a story or 专题 skipping (the rest of) 三审, with a reason.

    Also written to the story's history (a log entry) and, when the story was under review,
    as the comment of the step it was at, so the other reviewers see who and why."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE,
                             related_name="urgent_publishes", verbose_name="稿件")  # or 专题
    revision_id = models.PositiveIntegerField("版本")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+", verbose_name="发布人")
    reason = models.CharField("紧急发布理由", max_length=200)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "紧急发布记录"
        verbose_name_plural = "紧急发布记录"
        ordering = ["-created_at"]


class ReviewTask(GroupApprovalTask):
    """One step of 三审 (初审/复审/终审): group approval with separation of duties and the
    word gate.

    The story's author (owner or submitter) gets no action on any step, and whoever passed
    one step of a run gets none on the others (``review.review_refusal``): Wagtail asks
    ``get_actions`` before every action URL and editor action, so a refused person's POST
    is turned away. An approver who approves content the sensitive-word gate blocks sends
    it back instead, with the hits as the comment, so nothing blocked moves on or publishes.
    """

    class Meta:
        verbose_name = "审核步骤（含敏感词检查）"
        verbose_name_plural = "审核步骤（含敏感词检查）"

    def _refusal(self, obj, user) -> str:
        from .review import current_refusal
        return current_refusal(obj, user) if isinstance(obj, Page) else ""

    def user_can_access_editor(self, obj, user):
        return super().user_can_access_editor(obj, user) and not self._refusal(obj, user)

    def locked_for_user(self, obj, user):
        if self._refusal(obj, user):
            return True
        if not super().locked_for_user(obj, user):
            return False
        # A 总编辑 may still 紧急发布 a story at a step that is not theirs.
        return not (isinstance(obj, Page) and obj.permissions_for_user(user).can_publish())

    def user_can_lock(self, obj, user):
        return super().user_can_lock(obj, user) and not self._refusal(obj, user)

    def get_actions(self, obj, user):
        if self._refusal(obj, user):
            return []
        return super().get_actions(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from .review import review_refusal
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        refused = [state.pk for state in states.select_related("workflow_state")
                   if review_refusal(state, user)]
        return states.exclude(pk__in=refused) if refused else states

    def on_action(self, task_state, user, action_name, **kwargs):
        from django.core.exceptions import PermissionDenied

        from .review import REVIEW_PASSED, exempt_publish, review_refusal
        refusal = review_refusal(task_state, user)
        if refusal:
            raise PermissionDenied(refusal)
        if action_name in ("approve", "approve_with_comment"):
            from .gate import check_revision
            verdict = check_revision(task_state.revision)
            if verdict is not None and verdict.blocked:
                comment = f"敏感词检查未通过，已自动退回：{verdict.message}"
                if StoryPage.objects.filter(pk=task_state.revision.object_id).exists():
                    PublishBlock.objects.create(page_id=task_state.revision.object_id,
                                                revision_id=task_state.revision.pk,
                                                message=verdict.message, user=user)
                return super().on_action(task_state, user, "reject", comment=comment)
            with exempt_publish(REVIEW_PASSED):  # the last approval publishes the story
                return super().on_action(task_state, user, action_name, **kwargs)
        return super().on_action(task_state, user, action_name, **kwargs)
