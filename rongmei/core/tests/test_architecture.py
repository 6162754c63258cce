"""The layers and the module table hold each other in step (docs/architecture.md, "Layers").

``lint-imports`` (run by ``make test``) checks the code against the contracts in
pyproject.toml; these tests check that the contracts say what the module table says, so a
new capability or dependency cannot be added to one and forgotten in the other.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from rongmei.config.modules import MODULES, PLATFORM_APPS

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "rongmei"


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def capability_layer() -> set[str]:
    layers = contracts()["layers"]["layers"]
    middle = next(layer for layer in layers if "|" in layer)
    return {name.strip().removeprefix("rongmei.") for name in middle.split("|")}


def test_every_app_folder_is_platform_a_capability_or_config():
    apps = {path.parent.name for path in PACKAGE.glob("*/apps.py")}
    platform = {app.removeprefix("rongmei.") for app in PLATFORM_APPS}
    capabilities = {module.code for module in MODULES}
    assert apps == platform | capabilities, "add the app to rongmei/config/modules.py"
    assert platform.isdisjoint(capabilities)


def test_the_capability_layer_lists_exactly_the_switchable_modules():
    assert capability_layer() == {module.code for module in MODULES}


def test_allowed_capability_imports_are_exactly_the_declared_dependencies():
    allowed = set()
    for rule in contracts()["layers"]["ignore_imports"]:
        found = re.fullmatch(r"rongmei\.(\w+)\.\*\* -> rongmei\.(\w+)\.\*\*", rule)
        if found and found.group(1) in capability_layer():
            allowed.add((found.group(1), found.group(2)))
    declared = {(module.code, dep) for module in MODULES for dep in module.depends}
    assert allowed == declared


def test_every_declared_dependency_has_a_reason_and_exists():
    codes = {module.code for module in MODULES}
    for module in MODULES:
        for dep, why in module.depends.items():
            assert dep in codes and dep != module.code
            assert len(why) > 10, f"{module.code} → {dep}: say why"
