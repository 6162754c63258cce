from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "rongmei.live"
    label = "live"
    verbose_name = "直播"
    # The home and tab pages may show the rooms that are on now or coming up.
    layout_blocks = {"live_rooms": "rongmei.live.blocks.LiveRoomsBlock"}

    def ready(self):
        from rongmei.core.broadcast import room_message
        from rongmei.notices import kinds

        kinds.register("live_started", label="预约的直播开始了")
        room_message.connect(_carry, dispatch_uid="live.carry_room_message")


def _carry(sender, *, room_id: int, kind: str, data: dict, msg_id: str = "", **kwargs):
    """Another capability's message (活动's 直播答题) into a room's channel."""
    from . import fanout

    if kind in fanout.FOREIGN_KINDS:
        fanout.publish(room_id, kind, data, msg_id=msg_id)
