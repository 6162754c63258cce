"""The 看直播 layout block operators put on the home and tab pages."""

from wagtail import blocks


class LiveRoomsBlock(blocks.StructBlock):
    """Rooms on air now, then the next to start (预告), straight from the rooms table."""

    title = blocks.CharBlock(max_length=20, label="模块标题", default="看直播")
    count = blocks.IntegerBlock(min_value=1, max_value=10, default=4, label="条数")

    class Meta:
        template = "live/blocks/live_rooms.html"
        icon = "media"
        label = "直播间（自动）"

    def get_context(self, value, parent_context=None):
        from .selectors import rooms_for_block

        context = super().get_context(value, parent_context)
        context["rooms"] = rooms_for_block(value.get("count") or 4)
        return context
