from ninja import Router

router = Router(tags=["敏感词"])
