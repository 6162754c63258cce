from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("tips/new/", views.tip_new_view, name="tip_new"),
    path("tips/mine/", views.my_tips_view, name="my_tips"),
    path("tips/photos/<int:pk>/", views.tip_file_view, {"kind": "photo"}, name="tip_photo"),
    path("tips/videos/<int:pk>/", views.tip_file_view, {"kind": "video"}, name="tip_video"),
    path("work/", views.work_view, name="work"),
    path("work/<int:pk>/accept/", views.work_action_view, {"action": "accept"}, name="accept"),
    path("work/<int:pk>/decline/", views.work_action_view, {"action": "decline"},
         name="decline"),
    path("work/<int:pk>/progress/", views.work_action_view, {"action": "progress"},
         name="progress"),
    path("work/<int:pk>/hand-in/", views.work_action_view, {"action": "hand_in"},
         name="hand_in"),
]
