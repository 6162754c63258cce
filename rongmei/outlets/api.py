from ninja import Router

router = Router(tags=["分发"])
