"""Public draws: the list from Excel (all or nothing), the commitment published before the
close, the public value after it, masked results, and a record anyone can verify with the
standard-library script."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from rongmei.activities.models import DrawEntrant, PublicDraw
from rongmei.core import draw as engine

from .conftest import API, workbook

pytestmark = pytest.mark.django_db


def test_a_draw_from_list_to_verified_result(client, ax, tmp_path):
    client.force_login(ax.operator)
    draw_on = timezone.localdate() + timedelta(days=2)
    created = client.post("/admin/activities/draws/", {
        "title": "城区小学学位摇号", "quota": 3, "public_value_source": "福彩3D第2026321期",
        "public_value_on": draw_on.isoformat()})
    assert created.status_code == 302
    draw = PublicDraw.objects.get()
    url = f"/admin/activities/draws/{draw.pk}/"
    record = client.get(f"{API}/draws/{draw.pk}/record").json()
    assert record["commitment"] == draw.commitment and "seed" not in record
    assert "entries" not in record  # the list is published when sealed

    bad = client.post(url, {"action": "import", "file": workbook(("编号", "姓名"), [
        ("0001", "张小明"), ("0002", ""), ("0001", "李小红"), ("", "王五")])})
    errors = bad.context["report"].errors
    assert errors == ["第3行：姓名须为1至20个字", "第4行：编号“0001”重复",
                      "第5行：编号不能为空，且不超过20个字符"]
    assert not DrawEntrant.objects.exists()

    names = ["张小明", "李小红", "王大伟", "赵丽", "钱多多", "孙悟", "周杰", "吴用"]
    client.post(url, {"action": "import", "file": workbook(
        ("编号", "姓名"), [(f"{i + 1:04d}", n) for i, n in enumerate(names)])})
    assert DrawEntrant.objects.count() == 8
    # The public value cannot be entered before the list is sealed.
    client.post(url, {"action": "run", "public_value": "123"})
    assert PublicDraw.objects.get().status == "open"
    client.post(url, {"action": "close"})
    client.post(url, {"action": "import", "file": workbook(("编号", "姓名"), [("0009", "新人")])})
    assert DrawEntrant.objects.count() == 8  # sealed
    # Not before the named issue is drawn: the value is entered after its day.
    client.post(url, {"action": "run", "public_value": "386"})
    assert PublicDraw.objects.get().status == "closed"
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        client.force_login(ax.operator)
        client.post(url, {"action": "run", "public_value": "386"})
    draw.refresh_from_db()
    assert draw.status == "drawn" and len(draw.winners) == 3

    record = client.get(f"/activities/draws/{draw.pk}/record.json").json()
    assert all(ok for _, ok, _ in engine.verify(record))
    winners = client.get(f"{API}/draws/{draw.pk}/winners").json()
    assert [w["code"] for w in winners] == draw.winners
    assert all("*" in w["name"] for w in winners)
    page = client.get(f"/activities/draws/{draw.pk}/").content.decode()
    assert "/draw/rongmei_draw.py" in page and draw.seed in page
    assert not any(name in page for name in names if len(name) > 1)

    # The downloadable script reproduces it; a forged record fails.
    (tmp_path / "rongmei_draw.py").write_bytes(client.get("/draw/rongmei_draw.py").content)
    (tmp_path / "record.json").write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    run = subprocess.run([sys.executable, "-I", "rongmei_draw.py", "record.json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False)
    assert run.returncode == 0 and "核验通过" in run.stdout
    forged = {**record, "winners": record["entries"][:3]}
    if sorted(forged["winners"]) != sorted(record["winners"]):
        assert not all(ok for _, ok, _ in engine.verify(forged))
    # And it cannot be drawn again.
    client.post(url, {"action": "run", "public_value": "999"})
    assert PublicDraw.objects.get().public_value == "386"


def test_only_operators_run_draws(client, ax):
    client.force_login(ax.people[0])
    client.post("/admin/activities/draws/", {"title": "偷偷摇号", "quota": 1})
    assert not PublicDraw.objects.exists()
