from ninja import Router

router = Router(tags=["新闻"])
