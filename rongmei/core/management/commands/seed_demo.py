"""Seed the demo county (莲乡县): whatever the modules that are on contribute.

Each installed Rongmei app may have a ``demo`` module with ``ORDER`` (when it runs),
``seed(ctx)`` (returns a line for the summary) and optionally ``prepare(ctx)`` (run before
any seed: the resident site, whose root the roles' page rights hang on). The platform
seeds first (units and staff, residents), capabilities after, the home layout last. A
module that is off seeds nothing.

Idempotent: running it again adds nothing that is already there and never overwrites a
layout an operator has edited (pass --reset-layout for that). ``--scale N`` seeds N
residents with bulk inserts, e.g. 150,000 for benchmarks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand

from rongmei.core.modules import app_submodules


@dataclass
class DemoContext:
    scale: int
    reset_layout: bool
    units: dict = field(default_factory=dict)  # unit code → Unit, filled by units.demo


def demo_modules() -> list:
    return sorted((m for m in app_submodules("demo") if hasattr(m, "seed")),
                  key=lambda m: m.ORDER)


class Command(BaseCommand):
    help = "Seed the demo county: units, staff for every role, residents, and each module's demo data."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=300,
                            help="number of residents (default 300; e.g. 150000 for benchmarks)")
        parser.add_argument("--reset-layout", action="store_true",
                            help="replace the home and tab page layouts with the demo ones")

    def handle(self, *args, scale: int, reset_layout: bool, **options):
        started = time.monotonic()
        ctx = DemoContext(scale=scale, reset_layout=reset_layout)
        modules = demo_modules()
        for module in modules:
            if hasattr(module, "prepare"):
                module.prepare(ctx)
        lines = [line for module in modules if (line := module.seed(ctx))]
        self.stdout.write(self.style.SUCCESS(
            f"演示县“{settings.RONGMEI_COUNTY_NAME}”就绪：{'，'.join(lines)}"
            f"（用时 {time.monotonic() - started:.1f} 秒）"))
