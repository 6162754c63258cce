"""Uploads are never active content: every upload door, fed polyglots and mismatched names.

Each door is the one people use (the H5 forms, the API, the console): the type is decided
from the content, the stored name and extension are the server's, metadata is gone, and the
file comes back with a server-set type, ``nosniff`` and a ``sandbox`` CSP.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rongmei.wenzheng.tests.conftest import video_with_location, wz  # noqa: F401 - fixtures

HTML = b"<html><script>alert(document.cookie)</script></html>"


def jpeg_polyglot(name="evil.html") -> SimpleUploadedFile:
    """A real JPEG carrying a script in a COM segment and GPS in EXIF, named as a page."""
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x8825] = {1: "N", 2: (27.0, 50.0, 0.0), 3: "E", 4: (116.0, 20.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=HTML)
    assert HTML in buffer.getvalue()
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="text/html")


def html_as_jpeg(name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, HTML, content_type="image/jpeg")


def fake_video(name="clip.html") -> SimpleUploadedFile:
    """What the old check took for a video: ``ftyp`` at bytes 4–8, then a page."""
    return SimpleUploadedFile(name, b"\x00\x00\x00\x18ftypmp42" + HTML, content_type="video/mp4")


def pixel_bomb() -> SimpleUploadedFile:
    """A small file that decodes to 10,000 × 10,000 pixels (400 MB as RGBA)."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")
    return SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")


def stored(root, folder: str) -> list[Path]:
    path = Path(root) / folder
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


def assert_clean_jpeg(path: Path) -> None:
    data = path.read_bytes()
    assert path.suffix == ".jpg", path
    assert b"<script" not in data and b"SecretCam" not in data and b"Exif" not in data
    with Image.open(path) as image:
        assert image.format == "JPEG" and "comment" not in image.info


def assert_inert(response, content_type: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")


# --- 问政 photos and video -------------------------------------------------------------------

def _case_form(wz, **files):  # noqa: F811
    return {"category": wz.category.pk, "title": "路灯坏了", "key": f"k-{len(files)}-{id(files)}",
            "description": "荷塘镇上塘村村口三盏路灯坏了一个月，晚上很不安全。",
            "address": "荷塘镇上塘村", "contact_preference": "sms", **files}


def test_wenzheng_photo_polyglot_is_stored_as_a_clean_jpeg_and_served_inert(client, wz,  # noqa: F811
                                                                             settings):
    from rongmei.wenzheng.models import Case

    client.force_login(wz.resident)
    response = client.post("/wenzheng/new/", _case_form(wz, photos=[jpeg_polyglot()]))
    assert response.status_code == 302, response.content.decode()[:500]
    attachment = Case.objects.get().attachments.get()
    assert attachment.file.name.startswith("private/wenzheng/")
    assert_clean_jpeg(Path(settings.MEDIA_ROOT) / attachment.file.name)
    served = client.get(f"/wenzheng/attachments/{attachment.pk}/")
    assert_inert(served, "image/jpeg")
    assert served["Content-Disposition"] == "inline"


@pytest.mark.parametrize("upload", [html_as_jpeg, pixel_bomb], ids=["html-as-jpg", "pixel-bomb"])
def test_wenzheng_refuses_what_is_not_a_photo_and_stores_nothing(client, wz, settings,  # noqa: F811
                                                                 upload):
    from rongmei.wenzheng.models import Case

    client.force_login(wz.resident)
    response = client.post("/api/v1/wenzheng/mine", {
        "category_id": wz.category.pk, "title": "路灯坏了", "idempotency_key": "k1",
        "description": "荷塘镇上塘村村口三盏路灯坏了一个月，晚上很不安全。",
        "address": "荷塘镇上塘村", "photos": [upload()]})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "photos" and "图片" in body["message"]
    assert not Case.objects.exists() and not stored(settings.MEDIA_ROOT, "private")


def test_wenzheng_fake_video_with_ftyp_is_refused(client, wz, settings):  # noqa: F811
    from rongmei.wenzheng.models import Case

    client.force_login(wz.resident)
    response = client.post("/wenzheng/new/", _case_form(wz, video=fake_video()))
    assert response.status_code == 400
    assert not Case.objects.exists() and not stored(settings.MEDIA_ROOT, "private")


def test_wenzheng_real_video_under_a_page_name_is_stored_as_mp4(client, wz, settings,  # noqa: F811
                                                                video_with_location):  # noqa: F811
    from rongmei.wenzheng.models import Case

    client.force_login(wz.resident)
    video = SimpleUploadedFile("clip.html", video_with_location, content_type="text/html")
    response = client.post("/wenzheng/new/", _case_form(wz, video=video))
    assert response.status_code == 302
    attachment = Case.objects.get().attachments.get()
    assert attachment.file.name.endswith(".mp4")
    data = (Path(settings.MEDIA_ROOT) / attachment.file.name).read_bytes()
    assert b"SecretTitle" not in data and b"+27.8333" not in data
    assert_inert(client.get(f"/wenzheng/attachments/{attachment.pk}/"), "video/mp4")


# --- merchants: licence, cover, post image; mall product image --------------------------------

def _apply_form(**files):
    from rongmei.merchants.tests.conftest import application

    values = application()
    values.pop("licence_photo")
    return {**values, **files}


def test_merchant_licence_polyglot_is_cleaned_private_and_served_inert(client, make_user,
                                                                       settings):
    from rongmei.merchants.models import Merchant

    applicant = make_user()
    client.force_login(applicant)
    response = client.post("/merchants/apply/", _apply_form(
        licence_photo=jpeg_polyglot("licence.html"), cover=jpeg_polyglot("shop.js")))
    assert response.status_code == 302, response.content.decode()[:500]
    merchant = Merchant.objects.get()
    assert merchant.licence_photo.name.startswith("private/merchant-licences/")
    assert_clean_jpeg(Path(settings.MEDIA_ROOT) / merchant.licence_photo.name)
    assert_clean_jpeg(Path(settings.MEDIA_ROOT) / merchant.cover.name)
    client.force_login(make_user("operator"))
    assert_inert(client.get(f"/admin/merchants/licence/{merchant.pk}/"), "image/jpeg")


def test_merchant_refuses_a_page_named_as_a_photo(client, make_user, settings):
    from rongmei.merchants.models import Merchant

    client.force_login(make_user())
    response = client.post("/merchants/apply/", _apply_form(licence_photo=html_as_jpeg()))
    assert response.status_code == 400
    assert not Merchant.objects.exists() and not stored(settings.MEDIA_ROOT, "")


@pytest.mark.django_db
def test_merchant_post_and_product_images_are_cleaned(client, settings):
    from rongmei.mall.models import Product
    from rongmei.merchants.models import MerchantPost
    from rongmei.tests_support import make_merchant

    merchant = make_merchant()
    client.force_login(merchant.staff.get().user)
    refused = client.post(f"/merchants/mine/{merchant.pk}/posts/", {
        "kind": "notice", "title": "新品到店", "body": "本周新到荷塘莲子", "image": html_as_jpeg()})
    assert refused.status_code == 400 and not MerchantPost.objects.exists()
    client.post(f"/merchants/mine/{merchant.pk}/posts/", {
        "kind": "notice", "title": "新品到店", "body": "本周新到荷塘莲子",
        "image": jpeg_polyglot("post.svg")})
    assert_clean_jpeg(Path(settings.MEDIA_ROOT) / MerchantPost.objects.get().image.name)

    product = {"merchant": merchant.pk, "name": "荷塘莲子", "description": "本地特产",
               "stock": "5", "price_points": "100", "price_cash": "0", "pickup": "1"}
    refused = client.post("/mall/shop/", {**product, "image": html_as_jpeg()})
    assert refused.status_code == 400 and not Product.objects.exists()
    client.post("/mall/shop/", {**product, "image": jpeg_polyglot("p.html")})
    assert_clean_jpeg(Path(settings.MEDIA_ROOT) / Product.objects.get().image.name)


# --- staff avatars ---------------------------------------------------------------------------

def test_staff_avatar_is_cleaned_like_every_other_upload(client, make_user, settings):
    staff = make_user("editor")
    client.force_login(staff)
    response = client.post("/admin/account/", {
        "avatar-avatar": jpeg_polyglot("me.jpg"), "name_email-email": "zhang@example.cn",
        "name_email-first_name": "三", "name_email-last_name": "张", "theme-theme": "system",
        "theme-contrast": "system", "theme-density": "default",
        "theme-keyboard_shortcuts": "on"})
    assert response.status_code == 302
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(staff)
    assert profile.avatar, "the avatar was not saved"
    path = Path(settings.MEDIA_ROOT) / profile.avatar.name
    assert "me" not in path.stem.split("_")[-1] and path.suffix == ".jpg"
    assert_clean_jpeg(path)


# --- private files are never static ----------------------------------------------------------

def test_private_files_are_not_served_as_media_even_in_the_demo(client, settings, wz):  # noqa: F811
    from django.test import override_settings
    from django.urls import clear_url_caches

    private = Path(settings.MEDIA_ROOT) / "private" / "wenzheng"
    private.mkdir(parents=True)
    (private / "a.jpg").write_bytes(b"secret")
    public = Path(settings.MEDIA_ROOT) / "merchants"
    public.mkdir(parents=True)
    (public / "b.html").write_bytes(HTML)
    import importlib

    from rongmei.config import urls

    with override_settings(DEBUG=True):
        importlib.reload(urls)
        clear_url_caches()
        try:
            assert client.get("/media/private/wenzheng/a.jpg").status_code == 404
            assert client.get("/media/merchants/../private/wenzheng/a.jpg").status_code == 404
            page = client.get("/media/merchants/b.html")
            assert page["Content-Type"] == "application/octet-stream"
            assert page["Content-Disposition"].startswith("attachment")
            assert page["Content-Security-Policy"].startswith("sandbox")
        finally:
            pass
    importlib.reload(urls)
    clear_url_caches()


@pytest.mark.skipif(not shutil.which("ffprobe"), reason="ffprobe is not installed")
def test_ffmpeg_wrapper_lives_in_core():
    from rongmei.core import ffmpeg

    assert ffmpeg.available()


# --- Wagtail's image library (staff photos for articles) -------------------------------------

def test_a_reporters_photo_loses_its_gps_in_the_image_library(client, make_user, settings):
    from wagtail.images import get_image_model

    client.force_login(make_user("reporter"))
    response = client.post("/admin/images/add/", {
        "title": "荷塘莲子", "file": jpeg_polyglot("photo.jpg"), "collection": "1"})
    assert response.status_code == 302, response.content.decode()[:300]
    image = get_image_model().objects.get()
    stored_file = Path(settings.MEDIA_ROOT) / image.file.name
    assert_clean_jpeg(stored_file)
    assert image.file_size == stored_file.stat().st_size and (image.width, image.height) == (40, 30)


def test_an_image_library_gif_is_stored_under_a_server_chosen_name(client, make_user, settings):
    from wagtail.images import get_image_model

    buffer = io.BytesIO()
    Image.new("P", (20, 20)).save(buffer, "GIF")
    client.force_login(make_user("reporter"))
    response = client.post("/admin/images/add/", {
        "title": "动图", "collection": "1", "file": SimpleUploadedFile(
            "13800138000 张三家.gif", buffer.getvalue(), content_type="image/gif")})
    assert response.status_code == 302, response.content.decode()[:300]
    name = Path(get_image_model().objects.get().file.name).name
    assert "13800138000" not in name and name.endswith(".gif") and len(name) == 36


# --- Wagtail's document library ----------------------------------------------------------------

def _pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages"
            b"/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _docx() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("通知.pdf", HTML, "文件内容与扩展名 .pdf 不符"),
    ("通知.docx", b"PK\x03\x04" + HTML, "文件内容与扩展名 .docx 不符"),
    ("通知.xlsx", _docx(), "文件内容与扩展名 .xlsx 不符"),  # a Word package named as Excel
    ("通知.txt", b"\x00\x01binary", "文件内容与扩展名 .txt 不符"),
    ("通知.html", HTML, "只支持 PDF、DOC、XLS、PPT、WPS、ET、DOCX、XLSX、PPTX、TXT 格式的文件"),
], ids=["page-as-pdf", "page-as-docx", "word-as-xlsx", "binary-as-txt", "html"])
def test_the_document_library_refuses_what_a_document_is_not(client, make_user, name, data,
                                                             message):
    from wagtail.documents import get_document_model

    client.force_login(make_user("editor"))
    response = client.post("/admin/documents/add/", {
        "title": "通知", "collection": "1", "file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]  # one clear message
    assert message in error
    assert not get_document_model().objects.exists()


@pytest.mark.parametrize(("name", "data"), [("通知 13800138000.pdf", _pdf()),
                                            ("方案.docx", _docx()),
                                            ("说明.txt", "汉字说明".encode("gb18030"))])
def test_a_real_document_is_stored_under_a_server_chosen_name_and_downloaded(
        client, make_user, settings, name, data):
    from wagtail.documents import get_document_model

    client.force_login(make_user("editor"))
    response = client.post("/admin/documents/add/", {
        "title": "通知", "collection": "1", "file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:500]
    document = get_document_model().objects.get()
    stored_name = Path(document.file.name).name
    assert "13800138000" not in stored_name and stored_name.endswith(Path(name).suffix)
    assert (Path(settings.MEDIA_ROOT) / document.file.name).read_bytes() == data
    served = client.get(document.url)
    assert served.status_code == 200
    assert served["X-Content-Type-Options"] == "nosniff"


def test_the_document_allow_list_is_the_one_the_content_check_knows(settings):
    from rongmei.core.uploads import DOCUMENT_EXTENSIONS

    assert sorted(settings.WAGTAILDOCS_EXTENSIONS) == sorted(DOCUMENT_EXTENSIONS)


def test_an_image_title_is_alt_text_and_passes_the_word_gate(client, make_user, blocked_words):
    """Adversarial review: renaming a library image put a blocked word on live stories."""
    from wagtail.images import get_image_model

    client.force_login(make_user("reporter"))
    refused = client.post("/admin/images/add/", {
        "title": "网络赌博", "file": jpeg_polyglot("photo.jpg"), "collection": "1"})
    assert refused.status_code == 200
    assert "禁用词" in str(refused.context["form"].errors["title"])
    assert not get_image_model().objects.exists()
    client.post("/admin/images/add/", {"title": "荷塘莲子", "file": jpeg_polyglot("photo.jpg"),
                                       "collection": "1"})
    image = get_image_model().objects.get()
    renamed = client.post(f"/admin/images/{image.pk}/", {
        "title": "网 络 赌 博", "collection": "1", "tags": "", "description": "",
        "focal_point_x": "", "focal_point_y": "", "focal_point_width": "",
        "focal_point_height": ""})
    assert renamed.status_code == 200
    image.refresh_from_db()
    assert image.title == "荷塘莲子"
