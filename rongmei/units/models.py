"""The county's tree of units: 乡镇, 县直部门, 学校, 社区/村.

Units own sections (分端) in the newsroom, handle 问政 cases and lead volunteer teams.
Membership of a unit with a role scopes what a person may do to that unit and everything
below it (see ``rongmei.units.access``).
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from treebeard.mp_tree import MP_Node

from rongmei.core import roles


class UnitKind(models.TextChoices):
    COUNTY = "county", "县（根）"
    CENTER = "center", "融媒体中心"
    TOWNSHIP = "township", "乡镇"
    DEPARTMENT = "department", "县直部门"
    SCHOOL = "school", "学校"
    COMMUNITY = "community", "社区/村"
    ENTERPRISE = "enterprise", "企事业单位"
    OTHER = "other", "其他"


unit_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", "单位编码只能包含字母、数字、下划线和短横线，最长 32 位"
)


class Unit(MP_Node):
    name = models.CharField("单位名称", max_length=80)
    short_name = models.CharField("简称", max_length=20, blank=True)
    code = models.CharField("单位编码", max_length=32, unique=True,
                            validators=[unit_code_validator])
    kind = models.CharField("类型", max_length=16, choices=UnitKind.choices)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=120, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # No node_order_by: sorted insertion would rewrite the paths of every later sibling
    # (and invalidate paths held in memory); children keep the order they were added in.

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


UNIT_ROLE_CHOICES = [(r.code, r.name) for r in roles.ROLES if r.unit_scoped]


class UnitMembership(models.Model):
    """A person holds a unit-scoped role in a unit (and the units below it)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name="单位")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="unit_memberships", verbose_name="人员")
    role = models.CharField("角色", max_length=32, choices=UNIT_ROLE_CHOICES)
    title = models.CharField("职务", max_length=40, blank=True)
    created_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "单位人员"
        verbose_name_plural = "单位人员"
        constraints = [
            models.UniqueConstraint(fields=["unit", "user", "role"],
                                    name="unit_membership_unique_role"),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self):
        return f"{self.unit} · {self.get_role_display()} · {self.user}"
