"""服务+: the government and livelihood services residents reach from the 服务 tab."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rongmei.core.public_text import GatedPublicText


class ServiceKind(models.TextChoices):
    GOVERNMENT = "government", "政务服务"
    LIVELIHOOD = "livelihood", "民生服务"


class OpenMode(models.TextChoices):
    INTERNAL = "internal", "站内页面"
    H5 = "h5", "外部H5链接"
    MINIPROGRAM = "miniprogram", "微信小程序"


class LinkStatus(models.TextChoices):
    UNCHECKED = "unchecked", "未检查"
    OK = "ok", "正常"
    BROKEN = "broken", "链接失效"


ICON_CHOICES = [
    ("service", "政务服务"), ("health", "医疗健康"), ("school", "教育"), ("water", "水电气"),
    ("bus", "出行"), ("house", "房屋"), ("job", "招聘求职"), ("news", "资讯"),
    ("heart", "公益"), ("gift", "福利"), ("more", "更多"),
]


class ServiceCategory(GatedPublicText, models.Model):
    name = models.CharField("分类名称", max_length=12, unique=True)
    kind = models.CharField("类型", max_length=12, choices=ServiceKind.choices,
                            default=ServiceKind.GOVERNMENT)
    icon = models.CharField("图标", max_length=16, choices=ICON_CHOICES, default="service")
    order = models.PositiveSmallIntegerField("排序", default=50)

    class Meta:
        ordering = ["kind", "order", "pk"]
        verbose_name = verbose_name_plural = "服务分类"

    def __str__(self):
        return self.name


class Service(GatedPublicText, models.Model):
    name = models.CharField("服务名称", max_length=40, unique=True)
    kind = models.CharField("类型", max_length=12, choices=ServiceKind.choices,
                            default=ServiceKind.GOVERNMENT)
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT,
                                 related_name="services", verbose_name="分类")
    unit = models.ForeignKey("units.Unit", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name="办理单位")
    icon = models.CharField("图标", max_length=16, choices=ICON_CHOICES, default="service")
    open_mode = models.CharField("打开方式", max_length=12, choices=OpenMode.choices,
                                 default=OpenMode.H5)
    url = models.CharField(
        "链接地址", max_length=500, blank=True,
        help_text="站内页面填 / 开头的路径；外部H5填 https:// 地址；小程序填备用网页地址")
    miniprogram_appid = models.CharField("小程序AppID", max_length=40, blank=True)
    miniprogram_path = models.CharField("小程序页面路径", max_length=200, blank=True)
    tags = models.CharField("标签", max_length=200, blank=True,
                            help_text="用逗号分隔，如“社保,养老”；居民按标签也能搜到")
    requires_login = models.BooleanField("需要登录", default=False)
    summary = models.CharField("一句话介绍", max_length=80, blank=True)
    materials = models.TextField("所需材料", blank=True)
    steps = models.TextField("办理流程", blank=True)
    fees = models.CharField("收费标准", max_length=200, blank=True)
    hours = models.CharField("办理时间", max_length=200, blank=True)
    place = models.CharField("办理地点", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=50)
    is_active = models.BooleanField("上线", default=True)
    # Derived on save: name, tags and their pinyin initials, for search ("sb" → 社保).
    search_text = models.TextField(editable=False, blank=True)
    link_status = models.CharField("链接状态", max_length=12, choices=LinkStatus.choices,
                                   default=LinkStatus.UNCHECKED, editable=False)
    link_error = models.CharField("检查结果", max_length=200, blank=True, editable=False)
    link_checked_at = models.DateTimeField("检查时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["kind", "category__order", "order", "pk"]
        verbose_name = verbose_name_plural = "服务事项"
        indexes = [models.Index(fields=["is_active", "kind"])]

    def __str__(self):
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return split_tags(self.tags)

    @property
    def is_external(self) -> bool:
        return self.open_mode != OpenMode.INTERNAL

    @property
    def has_guide(self) -> bool:
        return any((self.materials, self.steps, self.fees, self.hours, self.place, self.phone))

    def save(self, *args, **kwargs):
        from .search import search_text

        self.tags = ",".join(split_tags(self.tags))
        self.search_text = search_text(self.name, self.tag_list)
        super().save(*args, **kwargs)


def split_tags(value: str) -> list[str]:
    seen = []
    for part in (value or "").replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


class ServiceHall(GatedPublicText, models.Model):
    """The county's 政务服务中心 (and any branch halls), shown at the top of the directory."""

    name = models.CharField("名称", max_length=40)
    address = models.CharField("地址", max_length=120)
    hours = models.CharField("办公时间", max_length=120)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    map_url = models.URLField("地图链接", max_length=500, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=50)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = verbose_name_plural = "政务服务大厅"

    def __str__(self):
        return self.name


class ServiceUsage(models.Model):
    """Opens per service per day (one row each, counted with an UPDATE)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField("日期")
    opens = models.PositiveIntegerField("打开次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "服务使用量"
        constraints = [models.UniqueConstraint(fields=["service", "day"],
                                               name="directory_usage_one_row_per_day")]


class RecentUse(models.Model):
    """最近使用: a signed-in resident's last open of each service."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField()

    class Meta:
        ordering = ["-used_at"]
        constraints = [models.UniqueConstraint(fields=["user", "service"],
                                               name="directory_recent_one_per_service")]


class Favourite(models.Model):
    """我的常用."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "service"],
                                               name="directory_favourite_once")]
