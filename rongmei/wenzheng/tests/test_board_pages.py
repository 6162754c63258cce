"""问政广场 pages through every public case (20 a page, filters kept) and heads them with
the 受理/答复/办结 figures."""

from rongmei.wenzheng import services
from rongmei.wenzheng.models import Track
from rongmei.wenzheng.views import BOARD_PAGE_SIZE

from .conftest import submit


def test_board_pages_through_every_case_and_shows_the_counts(client, wz, monkeypatch):
    monkeypatch.setattr("rongmei.wenzheng.views.BOARD_PAGE_SIZE", 2)
    for n in range(5):
        case = submit(wz, title=f"第{n + 1}个路灯问题反映")
        services.case_accept(actor=wz.handler, case_id=case.pk, track=Track.SIMPLE)
    first = client.get("/wenzheng/").content.decode()
    assert '<strong>5</strong><span>已受理</span>' in first
    assert "第 1/3 页 · 共 5 条" in first and 'rel="next"' in first
    seen = set()
    for page in (1, 2, 3):
        body = client.get(f"/wenzheng/?page={page}").content.decode()
        seen |= {n for n in range(1, 6) if f"第{n}个路灯问题反映" in body}
    assert seen == {1, 2, 3, 4, 5}
    filtered = client.get("/wenzheng/?status=accepted").content.decode()
    assert "status=accepted&amp;page=2" in filtered
    assert BOARD_PAGE_SIZE == 20
