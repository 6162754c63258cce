from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "rongmei.live"
    label = "live"
    verbose_name = "直播"
    # The home and tab pages may show the rooms that are on now or coming up.
    layout_blocks = {"live_rooms": "rongmei.live.blocks.LiveRoomsBlock"}

    def ready(self):
        from rongmei.notices import kinds

        kinds.register("live_started", label="预约的直播开始了")
