"""The staff console speaks Chinese: an administrator sees no untranslated English.

Wagtail's own zh_Hans catalogue misses many strings; the rest live in
rongmei/locale/zh_Hans/LC_MESSAGES/django.po (and djangojs.po), compiled to .mo files that are
kept in the tree (docs/development.md, "Translations").
"""

from __future__ import annotations

import ast
import gettext
import io
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Comment, Doctype
from django.core.management import call_command
from django.urls import reverse

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"

# Latin words that may stay: product and format names, technical acronyms, keyboard keys.
ALLOWED_WORDS = {
    "Wagtail", "Excel", "API", "URL", "ID", "SEO", "HTML", "RSS", "JSON", "JavaScript",
    "SMS", "KB", "MB", "GB", "Ctrl", "Alt", "Shift", "Esc", "Cmd",
    "AVIF", "GIF", "JPG", "JPEG", "PNG", "WEBP", "SVG", "PDF", "CSV", "XLSX", "TSV",
    "Open", "GeoReport",  # the Open311 GeoReport v2 standard (问政 › Open311 合作系统)
}
# Not words at all: addresses, paths, file names.
NOT_WORDS = re.compile(
    r"https?://\S+|www\.\S+|\S+\.com\S*"  # URLs, incl. Wagtail's slug example domain.com
    r"|(?<![\w])/[\w\-./\[\]]*"  # site paths such as /me/
    r"|[\w\-]+\.(?:jpe?g|png|gif|webp|avif|svg|xlsx|csv|pdf|docx?)\b",  # file names
    re.IGNORECASE,
)
WORD = re.compile(r"[A-Za-z]{2,}(?:['’][A-Za-z]+)*")  # keys such as "Ctrl + s" pass

# English that is known to remain and cannot be fixed by translations: the word, and why.
# Each entry must still be needed (the test fails once it is not), so fixed issues get removed.
KNOWN_ENGLISH: dict[str, dict[str, str]] = {}


def data_words() -> set[str]:
    """Words of names that are data, not interface: unit codes (Wagtail's own root page,
    collection and workflow are renamed to Chinese by home's migration 0003)."""
    from rongmei.units.models import Unit

    names = Unit.objects.values_list("code", flat=True)
    return {word for name in names for word in re.split(r"[\s\-]+", name) if word}


def visible_text(html: str) -> list[str]:
    """Text a sighted user can read: text nodes and tooltips/placeholders, not markup or
    screen-reader-only labels."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    # Screen-reader-only text, and the side-panel error counter that JavaScript fills in.
    hidden = ".w-sr-only, .visuallyhidden, .sr-only, [data-side-panel-toggle-counter]"
    for tag in soup.select(hidden):
        tag.decompose()
    texts = [
        " ".join(node.split())
        for node in soup.find_all(string=True)
        if not isinstance(node, (Comment, Doctype)) and node.strip()
    ]
    for tag in soup.find_all(True):
        for attr in ("placeholder", "title", "alt", "data-w-tooltip-content-value"):
            if tag.get(attr):
                texts.append(" ".join(str(tag[attr]).split()))
        if tag.name == "input" and tag.get("type") in {"submit", "button"} and tag.get("value"):
            texts.append(tag["value"])
    return texts


def english_words(html: str, allowed: set[str]) -> dict[str, str]:
    """{word: the text it was found in} for every Latin word not in ``allowed``."""
    found = {}
    for text in visible_text(html):
        for word in WORD.findall(NOT_WORDS.sub(" ", text)):
            if word not in allowed:
                found.setdefault(word, text)
    return found


def test_english_words_are_caught():
    html = """<html><body><h1>页面</h1><button title="Save draft">保存</button>
        <p>已上传 demo-banner-1.jpg，详见 https://guide.wagtail.org/ 或 /me/</p>
        <span class="w-sr-only">True</span><script>var Publish = 1;</script>
        <input type="submit" value="Publish"><p>4 Pages</p></body></html>"""
    assert set(english_words(html, ALLOWED_WORDS)) == {"Save", "draft", "Publish", "Pages"}


def _po_catalog(path: Path) -> dict:
    """{msgid (or (msgid, index) for plurals): msgstr} from a .po file, like GNUTranslations."""
    catalog, entry, key = {}, {}, None

    def flush():
        if entry.get("msgid"):
            msgid = entry["msgid"]
            if "msgctxt" in entry:
                msgid = f"{entry['msgctxt']}\x04{msgid}"
            for field, value in entry.items():
                if field == "msgstr":
                    catalog[msgid] = value
                elif field.startswith("msgstr["):
                    catalog[(msgid, int(field[7:-1]))] = value

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            flush()
            entry, key = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return catalog


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_compiled_catalogue_matches_the_po_file(domain):
    with open(LOCALE_DIR / f"{domain}.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    source = _po_catalog(LOCALE_DIR / f"{domain}.po")
    assert len(source) > 10
    stale = {k: v for k, v in source.items() if compiled.get(k) != v}
    assert not stale, f"recompile {domain}.mo (docs/development.md, Translations): {stale}"


@pytest.mark.django_db
def test_console_screens_have_no_untranslated_english(client, make_user):
    from wagtail.images.models import Image
    from wagtail.models import Page

    from rongmei.home.models import HomePage

    call_command("seed_demo", scale=3, stdout=io.StringIO())
    home = HomePage.objects.first()
    child = Page.objects.child_of(home).first()
    image = Image.objects.first()
    allowed = ALLOWED_WORDS | data_words()

    # Signed out: the login page, then a failed sign-in (form errors).
    screens = {"login page": client.get(reverse("wagtailadmin_login"))}
    screens["login error"] = client.post(
        reverse("wagtailadmin_login"), {"username": "13900000001", "password": "wrong-password"})

    client.force_login(make_user("administrator"))
    for name, url in {
        "dashboard": reverse("wagtailadmin_home"),
        "pages explorer (root)": reverse("wagtailadmin_explore_root"),
        "pages explorer (home)": reverse("wagtailadmin_explore", args=[home.pk]),
        "home page edit": reverse("wagtailadmin_pages:edit", args=[home.pk]),
        "child page edit": reverse("wagtailadmin_pages:edit", args=[child.pk]),
        "page search": reverse("wagtailadmin_pages:search") + "?q=首页",
        "images": reverse("wagtailimages:index"),
        "image edit": reverse("wagtailimages:edit", args=[image.pk]),
        "units index": reverse("units:index"),
        "unit new": reverse("units:add"),
        "memberships": reverse("unit_memberships:index"),
        "users index": reverse("wagtailusers_users:index"),
        "user new": reverse("wagtailusers_users:add"),
        "groups index": reverse("wagtailusers_groups:index"),
        "SMS records": reverse("sms_messages:index"),
    }.items():
        screens[name] = client.get(url)
    screens["unit new with errors"] = client.post(reverse("units:add"), {})

    problems = {}
    for name, response in screens.items():
        assert response.status_code == 200, (name, response.status_code)
        found = english_words(response.content.decode(), allowed)
        known = KNOWN_ENGLISH.get(name, {})
        unexpected = {word: text for word, text in found.items() if word not in known}
        no_longer_seen = set(known) - set(found)
        if unexpected or no_longer_seen:
            problems[name] = {"english": unexpected,
                              "fixed, drop from KNOWN_ENGLISH": no_longer_seen}
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1, default=sorted)


@pytest.mark.django_db
def test_console_has_no_help_menu_or_links_to_english_guides(client, make_user):
    client.force_login(make_user("administrator"))
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "guide.wagtail.org" not in dashboard
    assert "编辑指南" not in dashboard and "editor guide" not in dashboard
    assert '"name": "help"' not in dashboard  # the sidebar's menu, serialised as JSON
    catalog = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    assert json.dumps("插入区块")[1:-1] in catalog  # djangojs.po reaches Wagtail's JavaScript
