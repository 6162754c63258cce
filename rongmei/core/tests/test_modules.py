"""Capabilities switch on and off by configuration (RONGMEI_MODULES).

Each optional module is switched off in turn, in a fresh process (INSTALLED_APPS is fixed
at start-up), against a demo county that was set up with everything on — a county that
stops running its mall keeps its tables. ``module_probe`` checks ``check``, that the
installed apps' migration graph loads and is applied, the home page and 我的 with no link
into the module, the console (its dashboard and every menu entry opening), and the
OpenAPI document without its routes.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from rongmei.config.modules import MODULES, ModuleConfigurationError, dependents, resolve

ROOT = Path(__file__).resolve().parents[3]


def test_all_modules_are_on_by_default():
    assert [m.code for m in resolve("")] == [m.code for m in MODULES]
    assert [m.code for m in resolve("all")] == [m.code for m in MODULES]


def test_switching_a_module_off_switches_off_what_needs_it():
    on = {m.code for m in resolve("-merchants")}
    assert "merchants" not in on and "vouchers" not in on and "mall" not in on
    assert {"news", "wenzheng", "points"} <= on
    assert dependents("merchants") == {"vouchers", "mall", "perks", "classifieds"}


def test_a_list_naming_a_module_without_what_it_needs_is_refused_with_the_reason():
    with pytest.raises(ModuleConfigurationError, match="mall needs points"):
        resolve("mall,merchants,vouchers")
    with pytest.raises(ModuleConfigurationError, match="unknown module 'shop'"):
        resolve("news,shop")


def test_a_county_can_start_with_news_and_wenzheng_only():
    needed = {"news", "wenzheng"}
    for code in list(needed):
        needed |= set(next(m for m in MODULES if m.code == code).depends)
    while True:  # the dependencies' own dependencies
        more = {dep for m in MODULES if m.code in needed for dep in m.depends} - needed
        if not more:
            break
        needed |= more
    chosen = {m.code for m in resolve(",".join(sorted(needed)))}
    assert chosen == needed and "mall" not in chosen and "vouchers" not in chosen


def _run(args, env, timeout=600):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="session")
def county_database(tmp_path_factory) -> Path:
    """A small demo county migrated and seeded with every module on, made once per test run
    (shared by the xdist workers through a lock in their common temp folder)."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist the workers' folders share this run's parent; without it the parent is
    # common to every run, and a county migrated by an older checkout would be reused.
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    target = shared / "modules-county.sqlite3"
    with open(shared / "modules-county.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            data = shared / "modules-data"
            env = {**os.environ, "RONGMEI_ENV": "development", "DEBUG": "0",
                   "DATABASE_URL": f"sqlite:///{data / 'county.sqlite3'}",
                   "RONGMEI_DATA_DIR": str(data), "RONGMEI_MODULES": "all", "REQUEST_LOG": "0",
                   "DJANGO_SETTINGS_MODULE": "rongmei.config.settings"}
            env.pop("REDIS_URL", None)
            manage = [sys.executable, "-m", "django"]
            for step in (["migrate", "--no-input", "-v0"], ["seed_demo", "--scale", "3"]):
                done = _run(manage + step, env)
                assert done.returncode == 0, done.stderr[-3000:]
            shutil.copy(data / "county.sqlite3", target)
    return target


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
                    reason="switching modules is configuration, not database behaviour: the "
                           "SQLite leg of CI runs it once")
@pytest.mark.parametrize("code", [m.code for m in MODULES])
def test_the_site_works_with_a_module_switched_off(code, county_database, tmp_path):
    database = tmp_path / "county.sqlite3"
    shutil.copy(county_database, database)
    env = {**os.environ, "RONGMEI_ENV": "development", "DEBUG": "0",
           "DATABASE_URL": f"sqlite:///{database}", "RONGMEI_DATA_DIR": str(tmp_path),
           "RONGMEI_MODULES": f"-{code}", "REQUEST_LOG": "0",
           "DJANGO_SETTINGS_MODULE": "rongmei.config.settings"}
    env.pop("REDIS_URL", None)
    done = _run([sys.executable, "-m", "rongmei.core.tests.module_probe"], env)
    assert done.returncode == 0, done.stderr[-3000:]
    problems = json.loads(done.stdout.strip().splitlines()[-1])
    assert problems == [], f"with {code} (and {sorted(dependents(code))}) off"
