"""What the rest of the code asks about the modules a county has switched on.

The table itself (codes, dependencies, paths) is the composition root's,
``rongmei/config/modules.py``; settings turns it into ``RONGMEI_MODULES`` (the codes that
are on) and ``RONGMEI_OFF_PATHS``. Code below the capabilities asks here instead of
importing a capability to find out whether it exists.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings


def module_is_on(code: str) -> bool:
    return code in settings.RONGMEI_MODULES


def link_is_on(url: str | None) -> bool:
    """False for a site path that leads into a module that is off (``/mall/…`` without the
    mall); external addresses and the platform's own pages are always on."""
    if not url or not url.startswith("/"):
        return True
    return not any(url.startswith(prefix) for prefix in settings.RONGMEI_OFF_PATHS)


def app_submodules(name: str) -> list:
    """``<app>.<name>`` of every installed Rongmei app that has one (e.g. ``demo``), in
    INSTALLED_APPS order: how platform code finds what capabilities contribute without
    importing them."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("rongmei."):
            continue
        dotted = f"{config.name}.{name}"
        if find_spec(dotted) is not None:
            found.append(import_module(dotted))
    return found
