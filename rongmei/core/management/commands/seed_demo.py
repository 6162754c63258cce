"""Seed the demo county (莲乡县): units, staff for every role, residents, a home layout.

Idempotent: running it again adds nothing that is already there and never overwrites a
layout an operator has edited (pass --reset-layout for that). ``--scale N`` seeds N
residents with bulk inserts, e.g. 150,000 for benchmarks.
"""

from __future__ import annotations

import io
import random
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction

from rongmei.accounts.models import User
from rongmei.core.demo import county
from rongmei.core.demo.commerce import seed_commerce
from rongmei.core.roles import ROLE_BY_CODE, ensure_roles
from rongmei.units import services as unit_services
from rongmei.units.models import Unit, UnitKind

DEMO_RESIDENT_PREFIX = 15200000000  # residents are 152xxxxxxxx


class Command(BaseCommand):
    help = "Seed the demo county: units, staff for every role, residents and a home layout."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=300,
                            help="number of residents (default 300; e.g. 150000 for benchmarks)")
        parser.add_argument("--reset-layout", action="store_true",
                            help="replace the home and tab page layouts with the demo ones")

    def handle(self, *args, scale: int, reset_layout: bool, **options):
        from rongmei.home.services import ensure_resident_site

        started = time.monotonic()
        ensure_resident_site()  # first: the roles' page rights are granted on its root
        ensure_roles()
        units = self.seed_units()
        staff = self.seed_staff(units)
        residents = self.seed_residents(scale)
        from rongmei.core.demo.news import seed_news
        stories = seed_news(editor=User.objects.get(phone=county.editor_phone()),
                            director=User.objects.get(phone=county.director_phone()),
                            count=min(300, scale))
        self.seed_layout(reset=reset_layout)
        merchants, campaigns = seed_commerce(
            merchant_owner=User.objects.get(phone=county.merchant_phone()),
            operator=User.objects.get(phone=county.operator_phone()))
        from rongmei.wenzheng.demo import seed_cases
        cases = seed_cases(units["LX"], count=min(300, scale), rng=random.Random(20261126))
        self.stdout.write(self.style.SUCCESS(
            f"演示县“{settings.RONGMEI_COUNTY_NAME}”就绪：单位 {Unit.objects.count()} 个，"
            f"工作人员 {staff} 人，居民 {residents} 人，商户 {merchants} 家，"
            f"消费券活动 {campaigns} 个，稿件 {stories} 篇，问政 {cases} 件（用时 {time.monotonic() - started:.1f} 秒）"
        ))

    # --- units ---------------------------------------------------------------------------
    def seed_units(self) -> dict[str, Unit]:
        existing = {u.code: u for u in Unit.objects.all()}

        def ensure(code, name, kind, parent):
            if code in existing:
                return existing[code]
            unit = unit_services.unit_create(parent=parent, name=name, code=code, kind=kind,
                                             contact_phone=f"0797-{3600000 + len(existing):07d}"[:13])
            existing[code] = unit
            return unit

        with transaction.atomic():
            root = ensure("LX", settings.RONGMEI_COUNTY_NAME, UnitKind.COUNTY, None)
            ensure("LX-RMT", f"{settings.RONGMEI_COUNTY_NAME}融媒体中心", UnitKind.CENTER, root)
            for t, (town, villages) in enumerate(county.TOWNSHIPS, start=1):
                town_unit = ensure(f"LX-T{t:02d}", town, UnitKind.TOWNSHIP, root)
                for v, village in enumerate(villages, start=1):
                    ensure(f"LX-T{t:02d}-C{v:02d}", village, UnitKind.COMMUNITY, town_unit)
            for d, name in enumerate(county.DEPARTMENTS, start=1):
                ensure(f"LX-D{d:02d}", name, UnitKind.DEPARTMENT, root)
            for e, name in enumerate(county.ENTERPRISES, start=1):
                ensure(f"LX-E{e:02d}", name, UnitKind.ENTERPRISE, root)
            for s, name in enumerate(county.SCHOOLS, start=1):
                ensure(f"LX-S{s:02d}", name, UnitKind.SCHOOL, root)
        return existing

    # --- staff ---------------------------------------------------------------------------
    def seed_staff(self, units) -> int:
        with transaction.atomic():
            for role_code, phone, name, unit_code in county.STAFF:
                role = ROLE_BY_CODE[role_code]
                user, created = User.objects.get_or_create(phone=phone, defaults={"name": name})
                if created:
                    user.set_password(county.STAFF_PASSWORD)
                    user.is_staff = role.console
                    user.is_superuser = role_code == "administrator"
                    user.save()
                user.groups.add(Group.objects.get(name=role.name))
                if role.unit_scoped and unit_code:
                    unit_services.membership_add(unit=units[unit_code], user=user,
                                                 role=role_code, title=role.name)
        return len(county.STAFF)

    # --- residents -----------------------------------------------------------------------
    def seed_residents(self, scale: int) -> int:
        rng = random.Random(20261126)
        have = User.objects.filter(phone__startswith="152").count()
        batch = []
        for i in range(have, scale):
            name = rng.choice(county.SURNAMES) + "".join(
                rng.choice(county.GIVEN) for _ in range(rng.choice((1, 2))))
            batch.append(User(phone=str(DEMO_RESIDENT_PREFIX + i), nickname=name,
                              password="!demo-resident", elder_mode=rng.random() < 0.08))
            if len(batch) >= 5000:
                User.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        if batch:
            User.objects.bulk_create(batch, ignore_conflicts=True)
        return max(have, scale)

    # --- home layout ----------------------------------------------------------------------
    def seed_layout(self, *, reset: bool) -> None:
        from rongmei.home.models import TabPage
        from rongmei.home.services import ensure_resident_site

        from rongmei.core.demo.layout import home_body, mall_body, services_body, video_body

        home = ensure_resident_site()
        banners = [self.demo_image(f"演示轮播图{i}", i) for i in range(1, 4)]
        pages = [(home, home_body(banners, home))]
        tabs = {t.tab: t for t in TabPage.objects.child_of(home)}
        for tab, body in (("video", video_body), ("services", services_body),
                          ("mall", mall_body)):
            if tab in tabs:
                pages.append((tabs[tab], body(home)))
        for page, body in pages:
            page = page.specific
            if page.body and not reset:
                continue
            page.body = body
            operator = User.objects.get(phone=county.operator_phone())
            page.save_revision(user=operator).publish(user=operator)

    def demo_image(self, title: str, seed: int):
        from PIL import Image as PILImage, ImageDraw
        from wagtail.images.models import Image

        found = Image.objects.filter(title=title).first()
        if found:
            return found
        rng = random.Random(seed)
        palette = [(200, 22, 30), (232, 111, 18), (14, 138, 62), (23, 103, 194)]
        base = palette[seed % len(palette)]
        canvas = PILImage.new("RGB", (750, 350), base)
        draw = ImageDraw.Draw(canvas)
        for y in range(350):  # a soft vertical gradient
            shade = tuple(min(255, int(c + (255 - c) * y / 700)) for c in base)
            draw.line([(0, y), (750, y)], fill=shade)
        for _ in range(6):  # lotus-like petals
            x, y, r = rng.randint(40, 710), rng.randint(40, 310), rng.randint(30, 90)
            draw.ellipse([x - r, y - r // 2, x + r, y + r // 2], fill=(255, 230, 235))
        buffer = io.BytesIO()
        canvas.save(buffer, format="JPEG", quality=82)
        return Image.objects.create(title=title, file=ImageFile(buffer, name=f"demo-banner-{seed}.jpg"))
