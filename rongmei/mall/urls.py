"""Mounted at /mall/ with explicit sub-paths only (products/, orders/, verify/, shop/):
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
]
