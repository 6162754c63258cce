from ninja import Router

router = Router(tags=["推送"])
