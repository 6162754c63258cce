from ninja import Router

router = Router(tags=["音视频"])
