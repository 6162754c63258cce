"""Pages are never stale for the wrong person or mode (rongmei.core.freshness): what the
headers promise browsers, proxies and the service worker."""

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def seeded(db):
    call_command("seed_demo", scale=3, stdout=io.StringIO())


def directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.django_db
def test_shared_pages_are_kept_by_proxies_but_revalidated_by_browsers(client, seeded):
    for response in (client.get("/"), client.get("/")):  # a miss, then a page-cache hit
        assert {"public", "max-age=0"} <= directives(response)
        assert any(d.startswith("s-maxage=") and d != "s-maxage=0" for d in directives(response))
        assert "Cookie" in response["Vary"]
        assert response["X-Rongmei-Viewer"] == "anon-std"


@pytest.mark.django_db
def test_elder_mode_visitors_are_told_apart_by_cookie(client, seeded):
    client.cookies["rm_elder"] = "1"
    response = client.get("/")
    assert response["X-Rongmei-Viewer"] == "anon-elder" and "Cookie" in response["Vary"]
    assert 'class="rm rm-elder"' in response.content.decode()


@pytest.mark.django_db
def test_signed_in_pages_are_private_and_never_shared(client, seeded, make_user):
    client.force_login(make_user(nickname="小李"))
    for path in ("/", "/me/"):
        response = client.get(path)
        assert "public" not in directives(response)
        assert {"private", "no-cache"} <= directives(response)
        assert response["X-Rongmei-Viewer"] == "person" and "Cookie" in response["Vary"]


@pytest.mark.django_db
def test_forms_for_visitors_are_private_too(client, seeded):
    response = client.get("/login/")
    assert {"private", "no-cache"} <= directives(response)


@pytest.mark.django_db
def test_feeds_and_static_answers_keep_their_own_caching(client, seeded):
    manifest = client.get("/manifest.webmanifest")
    assert "max-age=3600" in manifest["Cache-Control"] and "X-Rongmei-Viewer" not in manifest


@pytest.mark.django_db
def test_visitors_switch_elder_mode_before_signing_in_without_a_form_token(seeded):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    home = client.get("/")
    assert "长辈版" in home.content.decode()
    response = client.post("/me/elder-mode/", {"enabled": "1", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies["rm_elder"].value == "1"
    elder = client.get("/").content.decode()
    assert 'class="rm rm-elder"' in elder and "标准版" in elder


@pytest.mark.django_db
def test_signed_in_elder_switch_still_needs_the_form_token(seeded, make_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    person = make_user(nickname="小王")
    client.force_login(person)
    assert client.post("/me/elder-mode/", {"enabled": "1"}).status_code == 403
    person.refresh_from_db()
    assert person.elder_mode is False
