"""融媒商城: local specialties sold by merchants for points and/or cash paid at pickup.

Orders move reserved → completed (pickup code verified) | shipped (a delivery order sent,
with a tracking note) | cancelled (by the buyer before pickup, the merchant or an operator
with a reason, or the expiry job), and nothing else.

Money is kept in fen. The database holds the invariants: a product's stock never goes below
zero, an order's quantity is at least one, a pickup code and a (user, idempotency key) pair
are unique. Every move is recorded in ``OrderEvent`` (append-only); every hand change of
stock in ``StockAdjustment``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rongmei.core.masking import mask_address, mask_name, mask_phone
from rongmei.core.uploads import stored_name
from rongmei.merchants.models import Merchant


def product_image_path(instance, filename):
    return stored_name("mall/products", filename)


class ProductStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已上架"
    REJECTED = "rejected", "未通过"
    OFFLINE = "offline", "已下架"


class Product(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="products",
                                 verbose_name="商户")
    name = models.CharField("商品名称", max_length=60)
    description = models.TextField("商品介绍", max_length=2000, blank=True)
    image = models.ImageField("商品图片", upload_to=product_image_path, blank=True)
    stock = models.IntegerField("库存", default=0)
    price_points = models.PositiveIntegerField("积分价", default=0)
    price_cash = models.PositiveIntegerField("现金价（分）", default=0,
                                             help_text="到店自提时线下支付")
    per_person_limit = models.PositiveSmallIntegerField("每人限兑", default=1)
    sale_starts = models.DateTimeField("开售时间", null=True, blank=True)
    sale_ends = models.DateTimeField("截止时间", null=True, blank=True)
    pickup = models.BooleanField("支持到店自提", default=True)
    delivery = models.BooleanField("支持配送", default=False)
    status = models.CharField("状态", max_length=10, choices=ProductStatus.choices,
                              default=ProductStatus.PENDING, db_index=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="审核人")
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "商品"
        verbose_name_plural = "商品"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="mall_product_stock_gte_0"),
            models.CheckConstraint(condition=Q(price_points__gt=0) | Q(price_cash__gt=0),
                                   name="mall_product_has_price"),
            models.CheckConstraint(condition=Q(per_person_limit__gte=1),
                                   name="mall_product_limit_gte_1"),
            models.CheckConstraint(condition=Q(pickup=True) | Q(delivery=True),
                                   name="mall_product_has_fulfilment"),
        ]

    def __str__(self):
        return self.name

    @property
    def price_text(self) -> str:
        from rongmei.vouchers.models import yuan

        parts = []
        if self.price_points:
            parts.append(f"{self.price_points}积分")
        if self.price_cash:
            parts.append(f"{yuan(self.price_cash)}元")
        return " + ".join(parts)


class Fulfilment(models.TextChoices):
    PICKUP = "pickup", "到店自提"
    DELIVERY = "delivery", "配送到家"


class OrderStatus(models.TextChoices):
    RESERVED = "reserved", "待提货"  # pickup: waiting at the shop; delivery: waiting to ship
    COMPLETED = "completed", "已完成"  # handed over at the counter (pickup code verified)
    SHIPPED = "shipped", "已发货"  # a delivery order sent out by the merchant
    CANCELLED = "cancelled", "已取消"


class Order(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="mall_orders", verbose_name="下单人")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="orders",
                                verbose_name="商品")
    quantity = models.PositiveIntegerField("数量")
    points_total = models.PositiveIntegerField("积分合计")
    cash_total = models.PositiveIntegerField("现金合计（分）")
    fulfilment = models.CharField("提货方式", max_length=10, choices=Fulfilment.choices)
    recipient = models.CharField("收货人", max_length=20, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("收货地址", max_length=120, blank=True)
    status = models.CharField("状态", max_length=10, choices=OrderStatus.choices,
                              default=OrderStatus.RESERVED, db_index=True)
    # The buyer reads this: the tracking note when shipped, the reason when cancelled.
    status_note = models.CharField("处理说明", max_length=120, blank=True)
    pickup_code = models.CharField("提货码", max_length=8, unique=True)
    expires_at = models.DateTimeField("提货截止", db_index=True)
    idempotency_key = models.CharField(max_length=64)
    points_entry = models.ForeignKey("points.PointsEntry", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name="积分扣减记录")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name="核销人")
    created_at = models.DateTimeField("下单时间", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "商城订单"
        verbose_name_plural = "商城订单"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="mall_order_quantity_gte_1"),
            models.UniqueConstraint(fields=["user", "idempotency_key"],
                                    name="mall_order_unique_user_key"),
        ]
        indexes = [models.Index(fields=["product", "status"])]

    def __str__(self):
        return f"{self.product.name} × {self.quantity}（{self.pickup_code}）"

    @property
    def status_label(self) -> str:
        """What the buyer and the merchant call the status: a reserved delivery order is
        waiting to be shipped, not to be picked up."""
        if self.status == OrderStatus.RESERVED and self.fulfilment == Fulfilment.DELIVERY:
            return "待发货"
        return self.get_status_display()

    @property
    def masked_delivery(self) -> str:
        """The buyer's delivery details as lists show them, before anyone opens the order."""
        if self.fulfilment != Fulfilment.DELIVERY:
            return ""
        return f"{mask_name(self.recipient)} {mask_phone(self.phone)} {mask_address(self.address)}"

    @property
    def code_for_export(self) -> str:
        """Only a code that can no longer hand over goods leaves the system."""
        return "" if self.status == OrderStatus.RESERVED else self.pickup_code

    @property
    def cash_yuan(self) -> str:
        from rongmei.vouchers.models import yuan

        return yuan(self.cash_total)


class OrderEvent(models.Model):
    """One status change of an order; rows are only ever added."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events",
                              verbose_name="订单")
    from_status = models.CharField("原状态", max_length=10, blank=True)
    to_status = models.CharField("新状态", max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", verbose_name="操作人")
    note = models.CharField("说明", max_length=120, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "订单记录"
        verbose_name_plural = "订单记录"
        ordering = ["created_at", "pk"]


class StockAdjustment(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="adjustments",
                                verbose_name="商品")
    delta = models.IntegerField("变动数量")
    stock_after = models.IntegerField("变动后库存")
    reason = models.CharField("原因", max_length=120)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", verbose_name="操作人")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "库存调整"
        verbose_name_plural = "库存调整"
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(delta=0),
                                              name="mall_stock_adjustment_not_zero")]
