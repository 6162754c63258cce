"""The blocks operators arrange on the home page and the tab pages, in any order."""

from django.apps import apps
from django.utils.module_loading import import_string
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

ICON_CHOICES = [
    ("news", "新闻"), ("gift", "兑奖品"), ("voucher", "消费券"), ("wenzheng", "问政"),
    ("service", "政务服务"), ("megaphone", "广告"), ("heart", "志愿/公益"), ("live", "直播"),
    ("mall", "商城"), ("house", "房屋"), ("job", "招聘求职"), ("bus", "出行"),
    ("health", "医疗健康"), ("school", "教育"), ("water", "水电气"), ("more", "更多"),
]
COLOR_CHOICES = [
    ("red", "中国红"), ("orange", "橙"), ("green", "绿"), ("blue", "蓝"), ("purple", "紫"),
    ("teal", "青"),
]


class LinkBlock(blocks.StructBlock):
    """A link to a page of this site or to a URL (a government service, a mini-program page)."""

    page = blocks.PageChooserBlock(required=False, label="站内页面")
    url = blocks.CharBlock(required=False, max_length=500, label="链接地址",
                           help_text="填写站内路径（如 /me/）或 https:// 开头的地址；与站内页面二选一")

    class Meta:
        label = "链接"

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks import StructBlockValidationError

        cleaned = super().clean(value)
        url = cleaned.get("url") or ""
        if url and not (url.startswith("/") or url.startswith("https://")
                        or url.startswith("http://")):
            raise StructBlockValidationError(
                {"url": ValidationError("链接须以 / 或 https:// 开头")})
        return cleaned


class BannerItem(blocks.StructBlock):
    image = ImageChooserBlock(label="图片", help_text="建议 750×350 像素")
    title = blocks.CharBlock(max_length=40, label="标题")
    link = LinkBlock(required=False)


class BannerCarouselBlock(blocks.StructBlock):
    slides = blocks.ListBlock(BannerItem(), min_num=1, max_num=8, label="轮播图")
    interval = blocks.IntegerBlock(default=5, min_value=2, max_value=15, label="切换间隔（秒）")

    class Meta:
        template = "home/blocks/banner_carousel.html"
        icon = "image"
        label = "轮播图"


class ChannelTab(blocks.StructBlock):
    label = blocks.CharBlock(max_length=8, label="名称")
    link = LinkBlock()


class ChannelTabsBlock(blocks.StructBlock):
    tabs = blocks.ListBlock(ChannelTab(), min_num=1, max_num=12, label="频道")

    class Meta:
        template = "home/blocks/channel_tabs.html"
        icon = "list-ul"
        label = "频道标签"


class IconItem(blocks.StructBlock):
    label = blocks.CharBlock(max_length=8, label="名称")
    subtitle = blocks.CharBlock(max_length=12, required=False, label="副标题",
                                help_text="如“看新闻，兑奖品”")
    icon = blocks.ChoiceBlock(choices=ICON_CHOICES, default="news", label="图标")
    color = blocks.ChoiceBlock(choices=COLOR_CHOICES, default="red", label="颜色")
    link = LinkBlock()


class IconGridBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=20, required=False, label="标题")
    columns = blocks.ChoiceBlock(choices=[("4", "每行4个"), ("5", "每行5个"), ("3", "每行3个")],
                                 default="4", label="列数")
    items = blocks.ListBlock(IconItem(), min_num=1, max_num=20, label="图标")

    class Meta:
        template = "home/blocks/icon_grid.html"
        icon = "grip"
        label = "图标宫格"


class NewsItem(blocks.StructBlock):
    title = blocks.CharBlock(max_length=60, label="标题")
    summary = blocks.CharBlock(max_length=120, required=False, label="摘要")
    image = ImageChooserBlock(required=False, label="图片")
    source = blocks.CharBlock(max_length=20, required=False, label="来源")
    date = blocks.DateBlock(required=False, label="日期")
    link = LinkBlock()


class NewsModuleBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=20, label="模块标题")
    more = LinkBlock(required=False, label="“更多”链接")
    items = blocks.ListBlock(NewsItem(), min_num=1, max_num=10, label="条目")

    class Meta:
        template = "home/blocks/news_module.html"
        icon = "doc-full"
        label = "新闻模块"


class NoticeBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=80, label="公告文字")
    link = LinkBlock(required=False)

    class Meta:
        template = "home/blocks/notice.html"
        icon = "warning"
        label = "滚动公告"


def contributed_layout_blocks() -> list[tuple[str, blocks.Block]]:
    """Blocks the capabilities that are on add to the layout, from their AppConfig's
    ``layout_blocks`` ({name: dotted path}); a module that is off contributes nothing, and
    its blocks already on a page are skipped when the page renders."""
    found = []
    for config in apps.get_app_configs():
        for name, path in getattr(config, "layout_blocks", {}).items():
            found.append((name, import_string(path)()))
    return found


class LayoutBlocks(blocks.StreamBlock):
    banner_carousel = BannerCarouselBlock()
    notice = NoticeBlock()
    channel_tabs = ChannelTabsBlock()
    icon_grid = IconGridBlock()
    news_module = NewsModuleBlock()

    class Meta:
        block_counts = {"banner_carousel": {"max_num": 2}}


def layout_blocks() -> LayoutBlocks:
    return LayoutBlocks(contributed_layout_blocks())
