"""Layout blocks operators put on the home and tab pages to show live stories."""

from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class StoryFeedBlock(blocks.StructBlock):
    """The newest stories of a channel (or of all channels), straight from the feed copy."""

    title = blocks.CharBlock(max_length=20, label="模块标题", default="最新新闻")
    channel = SnippetChooserBlock("news.Channel", required=False, label="栏目",
                                  help_text="留空显示全部栏目")
    kind = blocks.ChoiceBlock(choices=[("", "全部类型"), ("article", "图文"), ("gallery", "图集"),
                                       ("video", "视频"), ("audio", "音频")],
                              required=False, label="稿件类型")
    count = blocks.IntegerBlock(min_value=1, max_value=20, default=6, label="条数")

    class Meta:
        template = "news/blocks/story_feed.html"
        icon = "list-ul"
        label = "新闻列表（自动）"

    def get_context(self, value, parent_context=None):
        from .selectors import feed

        context = super().get_context(value, parent_context)
        context["entries"] = feed(channel=value.get("channel"), kind=value.get("kind") or None,
                                  size=value.get("count") or 6).entries
        return context
