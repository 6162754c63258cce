from django.urls import path

from . import views

app_name = "vouchers"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("c/<int:pk>/", views.campaign_detail, name="campaign"),
    path("c/<int:pk>/signup/", views.signup, name="signup"),
    path("c/<int:pk>/lottery/", views.lottery_record, name="lottery"),
    path("c/<int:pk>/lottery/verify/", views.lottery_verify, name="lottery-verify"),
    path("c/<int:pk>/lottery/record.json", views.lottery_record_json, name="lottery-json"),
    path("r/<int:round_id>/grab/", views.grab, name="grab"),
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/<str:code>/", views.voucher_page, name="voucher"),
    path("wallet/<str:code>/qr.json", views.voucher_qr_json, name="voucher-qr"),
    path("redeem/", views.redeem, name="redeem"),
    path("redemptions/", views.redemption_records, name="redemptions"),
    path("statements/", views.merchant_statements, name="statements"),
]
