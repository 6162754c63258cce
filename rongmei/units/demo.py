"""Demo data of the platform: the fictional county 莲乡县, its unit tree and a staff account
for every role. Invented names only. ``seed`` runs first in ``rongmei seed_demo``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from rongmei.accounts.models import User
from rongmei.core.roles import ROLE_BY_CODE, ensure_roles

from . import services
from .models import Unit, UnitKind

ORDER = 10

TOWNSHIPS = [
    ("莲城镇", ["莲花社区", "东门社区", "南关社区", "城西村"]),
    ("荷塘镇", ["荷塘社区", "上塘村", "下塘村"]),
    ("白水镇", ["白水社区", "溪口村", "石桥村"]),
    ("青石镇", ["青石社区", "枫林村"]),
    ("龙溪镇", ["龙溪社区", "龙潭村", "坪上村"]),
    ("杨柳镇", ["杨柳社区", "柳湾村"]),
    ("凤山乡", ["凤山村", "凤岭村"]),
    ("桃源乡", ["桃源村", "桃溪村"]),
    ("清泉乡", ["清泉村", "泉水村"]),
    ("梅岭乡", ["梅岭村", "梅园村"]),
    ("石门乡", ["石门村", "门前村"]),
    ("双河乡", ["双河村", "河口村"]),
    ("云湖乡", ["云湖村", "湖滨村"]),
    ("东坪乡", ["东坪村", "坪山村"]),
    ("西岗乡", ["西岗村", "岗背村"]),
]

DEPARTMENTS = [
    "县委办公室", "县人民政府办公室", "县委宣传部", "县发展和改革委员会", "县教育体育局",
    "县公安局", "县民政局", "县财政局", "县人力资源和社会保障局", "县自然资源局",
    "县生态环境局", "县住房和城乡建设局", "县交通运输局", "县水利局", "县农业农村局",
    "县商务局", "县文化广电新闻出版旅游局", "县卫生健康委员会", "县应急管理局",
    "县市场监督管理局", "县医疗保障局", "县城市管理局", "县行政审批局", "县林业局",
    "县税务局", "县信访局", "县退役军人事务局", "县乡村振兴局", "县新时代文明实践中心",
]

ENTERPRISES = ["县供电公司", "县自来水公司", "县燃气公司"]

SCHOOLS = [
    "莲乡县第一中学", "莲乡县第二中学", "莲乡县职业中等专业学校", "莲城第一小学", "莲城第二小学",
    "莲乡县实验小学", "荷塘中学", "白水中学", "龙溪小学", "莲乡县第一幼儿园",
]


# (role, phone, name, unit code or None); staff sign in to the console with STAFF_PASSWORD
STAFF = [
    ("administrator", "13900000001", "周建国", "LX-RMT"),
    ("operator", "13900000002", "林晓燕", "LX-RMT"),
    ("reporter", "13900000003", "陈思远", "LX-RMT"),
    ("editor", "13900000004", "黄丽娟", "LX-RMT"),
    ("chief_editor", "13900000005", "刘志强", "LX-RMT"),
    ("director", "13900000006", "王卫东", "LX-RMT"),
    ("wenzheng_handler", "13900000007", "张敏", "LX-RMT"),
    ("propaganda", "13900000008", "李文华", "LX-D03"),
    ("unit_admin", "13900000009", "吴海燕", "LX-T02"),
    ("unit_handler", "13900000010", "郑建华", "LX-D12"),
    ("grid_leader", "13900000011", "何桂英", "LX-T01-C01"),
    ("merchant", "13900000012", "罗春燕", None),
    ("volunteer_leader", "13900000013", "谢明", "LX-D29"),
]
STAFF_PASSWORD = "Lianxiang@2026"


def _phone_of(role: str) -> str:
    return next(phone for code, phone, _, _ in STAFF if code == role)


def merchant_phone() -> str:
    return _phone_of("merchant")


def operator_phone() -> str:
    return _phone_of("operator")


def editor_phone() -> str:
    return _phone_of("editor")


def director_phone() -> str:
    return _phone_of("director")


def seed(ctx) -> str:
    ensure_roles()
    ctx.units = seed_units()
    seed_staff(ctx.units)
    return f"单位 {Unit.objects.count()} 个，工作人员 {len(STAFF)} 人"


def logins() -> list[tuple[str, str, str, bool]]:
    """(role name, person, phone, signs in to the console?) for ``rongmei demo``."""
    return [(ROLE_BY_CODE[code].name, name, phone, ROLE_BY_CODE[code].console)
            for code, phone, name, _ in STAFF]


def seed_units() -> dict[str, Unit]:
    existing = {u.code: u for u in Unit.objects.all()}

    def ensure(code, name, kind, parent):
        if code in existing:
            return existing[code]
        unit = services.unit_create(parent=parent, name=name, code=code, kind=kind,
                                    contact_phone=f"0797-{3600000 + len(existing):07d}"[:13])
        existing[code] = unit
        return unit

    with transaction.atomic():
        root = ensure("LX", settings.RONGMEI_COUNTY_NAME, UnitKind.COUNTY, None)
        ensure("LX-RMT", f"{settings.RONGMEI_COUNTY_NAME}融媒体中心", UnitKind.CENTER, root)
        for t, (town, villages) in enumerate(TOWNSHIPS, start=1):
            town_unit = ensure(f"LX-T{t:02d}", town, UnitKind.TOWNSHIP, root)
            for v, village in enumerate(villages, start=1):
                ensure(f"LX-T{t:02d}-C{v:02d}", village, UnitKind.COMMUNITY, town_unit)
        for d, name in enumerate(DEPARTMENTS, start=1):
            ensure(f"LX-D{d:02d}", name, UnitKind.DEPARTMENT, root)
        for e, name in enumerate(ENTERPRISES, start=1):
            ensure(f"LX-E{e:02d}", name, UnitKind.ENTERPRISE, root)
        for s, name in enumerate(SCHOOLS, start=1):
            ensure(f"LX-S{s:02d}", name, UnitKind.SCHOOL, root)
    return existing


def seed_staff(units) -> None:
    with transaction.atomic():
        for role_code, phone, name, unit_code in STAFF:
            role = ROLE_BY_CODE[role_code]
            user, created = User.objects.get_or_create(phone=phone, defaults={"name": name})
            if created:
                user.set_password(STAFF_PASSWORD)
                user.is_staff = role.console
                user.is_superuser = role_code == "administrator"
                user.save()
            user.groups.add(Group.objects.get(name=role.name))
            if role.unit_scoped and unit_code:
                services.membership_add(unit=units[unit_code], user=user, role=role_code,
                                        title=role.name)
