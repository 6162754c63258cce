from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("activities/<int:pk>/", views.activity_view, name="activity"),
    path("activities/<int:pk>/signup/", views.signup_view, name="signup"),
    path("activities/<int:pk>/cancel/", views.cancel_view, name="cancel"),
    path("signups/<int:pk>/claim/", views.claim_view, name="claim"),
    path("lead/signups/<int:pk>/claim/", views.claim_decide_view, name="claim-decide"),
    path("register/", views.register_view, name="register"),
    path("card/", views.card_view, name="card"),
    path("card/certificate.pdf", views.certificate_view, name="certificate"),
    path("v/<str:code>/", views.verify_view, name="verify"),
    path("teams/", views.teams_view, name="teams"),
    path("teams/<int:pk>/join/", views.join_view, name="join"),
    path("scan/", views.scan_view, name="scan"),
    path("honour/", views.honour_view, name="honour"),
    path("lead/", views.lead_view, name="lead"),
    path("lead/members/<int:pk>/", views.member_decide_view, name="member-decide"),
    path("lead/teams/<int:team_id>/activities/", views.activity_create_view,
         name="activity-create"),
    path("lead/activities/<int:pk>/", views.lead_activity_view, name="lead-activity"),
    path("lead/activities/<int:pk>/posts/", views.post_submit_view, name="post-submit"),
    path("lead/activities/<int:pk>/code/", views.lead_code_view, name="lead-code"),
    path("lead/signups/<int:pk>/manual/", views.manual_view, name="manual"),
    path("lead/signups/<int:pk>/confirm/", views.confirm_view, name="confirm"),
    path("orders/", views.orders_view, name="orders"),
    path("orders/<int:pk>/rate/", views.order_rate_view, name="order-rate"),
    path("orders/board/", views.board_view, name="board"),
    path("orders/<int:pk>/dispatch/", views.order_dispatch_view, name="order-dispatch"),
    path("orders/<int:pk>/accept/", views.order_accept_view, name="order-accept"),
    path("orders/<int:pk>/decline/", views.order_decline_view, name="order-decline"),
    path("orders/<int:pk>/finish/", views.order_finish_view, name="order-finish"),
    path("grid/", views.grid_view, name="grid"),
    path("grid/<int:pk>/decide/", views.grid_decide_view, name="grid-decide"),
]
