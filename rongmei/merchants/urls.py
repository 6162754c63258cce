from django.urls import path

from . import views

app_name = "merchants"

urlpatterns = [
    path("", views.directory_view, name="directory"),
    path("<int:pk>/", views.merchant_view, name="detail"),
    path("apply/", views.apply_view, name="apply"),
    path("apply/done/", views.applied_view, name="applied"),
    path("mine/", views.mine_view, name="mine"),
    path("mine/<int:pk>/posts/", views.post_submit_view, name="post-submit"),
    path("mine/<int:pk>/staff/", views.staff_invite_view, name="staff-invite"),
    path("mine/<int:pk>/staff/<int:staff_id>/remove/", views.staff_remove_view,
         name="staff-remove"),
    path("mine/<int:pk>/invitations/<int:invitation_id>/revoke/", views.invitation_revoke_view,
         name="invitation-revoke"),
    path("invitations/<int:invitation_id>/", views.invitation_answer_view,
         name="invitation-answer"),
    path("join/", views.join_view, name="join"),
]
