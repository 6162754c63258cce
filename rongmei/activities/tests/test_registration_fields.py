"""Operator-defined registration fields — a choice among their options, a photo — checked
on the server with Chinese errors; photos through core.uploads (content-typed, metadata
stripped) and private to operators."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from rongmei.accounts.models import PersonalDataAccess
from rongmei.activities.models import Contest, Registration, RegistrationPhoto

from .conftest import API, api_post

pytestmark = pytest.mark.django_db
FMT = "%Y-%m-%dT%H:%M"


def jpeg_with_exif() -> io.BytesIO:
    data = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    Image.new("RGB", (40, 30), "blue").save(data, "JPEG", exif=exif.tobytes())
    data.seek(0)
    data.name = "me.jpg"
    return data


def create(client, operator, **extra):
    now = timezone.now()
    client.force_login(operator)
    return client.post("/admin/activities/contests/", {
        "title": "小小讲解员", "registration_opens": (now - timedelta(hours=1)).strftime(FMT),
        "submission_closes": (now + timedelta(days=1)).strftime(FMT),
        "voting_opens": (now + timedelta(days=2)).strftime(FMT),
        "voting_closes": (now + timedelta(days=3)).strftime(FMT),
        "results_at": (now + timedelta(days=4)).strftime(FMT), "form_fields": ["name"],
        "allow_text": "on", "votes_per_day": 1, "vote_scope": "contest", "judge_weight": 0,
        **extra})


def test_choice_and_photo_fields_are_checked_and_the_photo_is_cleaned(client, ax):
    assert create(client, ax.operator, choice_fields="组别：小学组、初中组",
                  photo_fields="个人照片").status_code == 302
    contest = Contest.objects.get()
    fields = client.get(f"{API}/contests/{contest.pk}").json()["form_fields"]
    assert [(f["code"], f["type"], f["label"]) for f in fields] == [
        ("name", "text", "姓名"), ("choice1", "choice", "组别"), ("photo1", "photo", "个人照片")]
    assert fields[1]["options"] == ["小学组", "初中组"]
    resident = ax.people[0]
    client.force_login(resident)
    url = f"{API}/contests/{contest.pk}/register-form"
    answer = client.post(url, {"name": "李华", "choice1": "高中组"})
    assert answer.status_code == 400 and answer.json()["field"] == "choice1"
    assert answer.json()["message"] == "请从给出的选项中选择组别"
    answer = client.post(url, {"name": "李华", "choice1": "小学组"})
    assert answer.status_code == 400 and answer.json()["message"] == "请上传个人照片"
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "me.jpg"
    answer = client.post(url, {"name": "李华", "choice1": "小学组", "photo1": fake})
    assert answer.status_code == 400 and answer.json()["field"] == "photo1"
    assert not Registration.objects.exists()
    answer = client.post(url, {"name": "李华", "choice1": "小学组", "photo1": jpeg_with_exif()})
    assert answer.status_code == 200, answer.json()
    registration = Registration.objects.get()
    assert registration.answers == {"name": "李华", "choice1": "小学组"}
    photo = RegistrationPhoto.objects.get()
    assert photo.image.name.startswith("private/") and photo.image.name.endswith(".jpg")
    with photo.image.open("rb") as stored:
        assert not Image.open(stored).getexif()
    # The photo is the operators': a resident is refused, an operator's look is logged.
    assert client.get(f"/admin/activities/registration-photos/{photo.pk}/").status_code in (
        302, 403)
    client.force_login(ax.operator)
    page = client.get(f"/admin/activities/contests/{contest.pk}/").content.decode()
    assert "小学组" in page and "查看照片（留痕）" in page
    shown = client.get(f"/admin/activities/registration-photos/{photo.pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert PersonalDataAccess.objects.filter(viewer=ax.operator, what="报名照片").count() == 1


def test_the_resident_page_registers_with_a_choice(client, ax):
    create(client, ax.operator, choice_fields="组别：小学组、初中组")
    contest = Contest.objects.get()
    client.force_login(ax.people[0])
    page = client.get(f"/activities/contests/{contest.pk}/").content.decode()
    assert "<option>初中组</option>" in page
    client.post(f"/activities/contests/{contest.pk}/register/", {"name": "王五",
                                                                 "choice1": "大学组"})
    assert not Registration.objects.exists()
    client.post(f"/activities/contests/{contest.pk}/register/", {"name": "王五",
                                                                 "choice1": "初中组"})
    assert Registration.objects.get().answers["choice1"] == "初中组"


def test_bad_custom_fields_are_refused_in_chinese(client, ax):
    for extra, message in (
            ({"choice_fields": "组别"}, "请写成“字段名称：选项1、选项2”"),
            ({"choice_fields": "组别：小学组"}, "须有2至20个互不相同的选项"),
            ({"choice_fields": "组别：甲、甲"}, "须有2至20个互不相同的选项"),
            ({"photo_fields": "照" * 21}, "报名字段名称须为1至20个字")):
        answer = create(client, ax.operator, **extra)
        assert answer.status_code == 200 and message in answer.content.decode(), extra
    assert not Contest.objects.exists()
    # The JSON door still serves contests without photo fields.
    create(client, ax.operator, choice_fields="组别：小学组、初中组")
    contest = Contest.objects.get()
    answer = api_post(client, ax.people[1], f"/contests/{contest.pk}/register",
                      {"answers": {"name": "赵六", "choice1": "初中组"}})
    assert answer.status_code == 200
