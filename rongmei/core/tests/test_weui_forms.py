"""Resident forms follow WeUI's patterns (issue 11): no resident template writes a bare
<select>, file input or <fieldset>. Pickers, uploaders and grouped choices come from the
shared partials in templates/includes/ (cell_field.html, uploader.html, filter_picker.html,
check_cell.html), which put every control inside a WeUI cell.

The browser tests (test_weui_forms_browser.py) open the forms on a phone; this test reads
every resident template, so a page no browser test opens is held to the same rule.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import rongmei

ROOT = Path(rongmei.__file__).parent
# The partials that own the WeUI markup of a picker and an uploader.
PARTIALS = {"includes/cell_field.html", "includes/uploader.html", "includes/filter_picker.html"}
BARE = re.compile(r"<select\b|<fieldset\b|type\s*=\s*[\"']?file\b", re.IGNORECASE)
COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.DOTALL)
CONSOLE_BASES = ("wagtailadmin/", "wagtailusers/", "admin/")


def _is_console(name: str, text: str) -> bool:
    """The console (Wagtail and its screens) is not a resident page."""
    parts = name.split("/")
    if parts[0].startswith(("wagtail", "django")) or {"admin", "console"} & set(parts[:-1]):
        return True
    extends = re.search(r'{%\s*extends\s+"([^"]+)"', text)
    return bool(extends and extends.group(1).startswith(CONSOLE_BASES))


def resident_templates() -> dict[str, str]:
    """Every template a resident page is built from: name (as Django loads it) → source."""
    found = {}
    for folder in ROOT.rglob("templates"):
        if not folder.is_dir() or ".venv" in folder.parts:
            continue
        for path in folder.rglob("*.html"):
            name = path.relative_to(folder).as_posix()
            text = path.read_text(encoding="utf-8")
            if not _is_console(name, text):
                found[name] = text
    return found


class _Controls(HTMLParser):
    """The selects, file inputs and fieldsets of a page that no WeUI cell holds."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                      "source", "track", "wbr"})

    def __init__(self):
        super().__init__()
        self.open: list[tuple[str, bool]] = []  # (tag, is a WeUI cell)
        self.bare: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        in_cell = any(cell for _, cell in self.open)
        control = tag in ("select", "fieldset") or (
            tag == "input" and (attrs.get("type") or "").lower() == "file")
        if control and not in_cell:
            self.bare.append(self.get_starttag_text()[:120])
        if tag not in self.VOID:
            self.open.append((tag, "weui-cell" in (attrs.get("class") or "").split()))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break


def bare_controls(html: str) -> list[str]:
    """A page's <select>, file inputs and <fieldset>s outside a WeUI cell (the browser
    tests' BARE_CONTROLS, for a page fetched with the test client)."""
    parser = _Controls()
    parser.feed(html)
    return parser.bare


def test_the_scan_sees_the_resident_templates_and_not_the_console():
    names = resident_templates()
    assert {"base.html", "vouchers/redeem.html", "volunteers/register.html",
            "wenzheng/work_item.html", "mall/product.html", "includes/uploader.html"} <= set(names)
    assert not any("/admin/" in name or "/console/" in name for name in names)
    assert "wenzheng/admin/dispatch.html" not in names


def test_no_resident_template_writes_a_bare_select_file_input_or_fieldset():
    """Only the partials write a <select> or a file input (inside a weui-cell); a page that
    needs one includes them, and grouped choices are WeUI check cells, not a fieldset."""
    offenders = {}
    for name, text in sorted(resident_templates().items()):
        if name in PARTIALS:
            continue
        found = BARE.findall(COMMENT.sub("", text))
        if found:
            offenders[name] = found
    assert offenders == {}, ("use includes/cell_field.html (kind=\"select\" or \"file\"), "
                             "uploader.html, filter_picker.html or check_cell.html")


def test_the_partials_put_their_controls_inside_a_weui_cell():
    for name in sorted(PARTIALS):
        text = COMMENT.sub("", resident_templates()[name])
        assert BARE.search(text), name
        assert 'class="weui-cell ' in text, name


def test_the_parser_finds_bare_controls_and_passes_cells():
    page = ('<main><div class="weui-cell weui-cell_select"><div><select name="a"></select>'
            '</div></div><p><select name="b"></select><input type="file" name="c">'
            '<div class="weui-cell"><input type="file" name="d"></div>'
            '<fieldset><legend>x</legend></fieldset></main>')
    bare = bare_controls(page)
    assert len(bare) == 3
    assert 'name="b"' in bare[0] and 'name="c"' in bare[1] and bare[2].startswith("<fieldset")
