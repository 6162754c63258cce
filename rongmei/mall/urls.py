"""Mounted at /mall/ with explicit sub-paths only (products/, orders/, verify/, shop/,
shop/orders/):
/mall/ itself is the Wagtail tab page."""

from django.urls import path

from . import views

app_name = "mall"

urlpatterns = [
    path("products/", views.product_list, name="products"),
    path("products/<int:pk>/", views.product_detail, name="product"),
    path("products/<int:pk>/order/", views.order_create, name="order"),
    path("orders/", views.my_orders, name="orders"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="cancel"),
    path("verify/", views.verify, name="verify"),
    path("shop/", views.shop, name="shop"),
    path("shop/orders/", views.merchant_orders, name="merchant-orders"),
    path("shop/orders/<int:pk>/", views.merchant_order_open, name="merchant-order"),
    path("shop/orders/<int:pk>/ship/", views.merchant_order_ship, name="merchant-order-ship"),
    path("shop/orders/<int:pk>/cancel/", views.merchant_order_cancel,
         name="merchant-order-cancel"),
]
