def beacon(request):
    """Tells the resident layout to load the first-party beacon (only while 数据 is on)."""
    return {"analytics_beacon": True}
