"""Every write of 直播, one module per concept (see each module's docstring):

* ``rooms``    — scheduling, review of 分端 rooms, stream keys, the state transition
* ``ingest``   — the media server's callbacks (publish, publish done, record done, relay)
* ``replay``   — recordings → the media library → a 视频 story
* ``comments`` — residents' comments, moderation, mutes, announcements
* ``audience`` — heartbeats, likes, 看视频 points, 预约 reminders
* ``extras``   — 图文直播 entries, 直播带货 products, 抽奖, simulcast targets
"""
