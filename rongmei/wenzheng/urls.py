from django.urls import path

from . import views

app_name = "wenzheng"
urlpatterns = [
    path("", views.board, name="board"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/follow/", views.follow, name="follow"),
    path("cases/<int:pk>/report/", views.report, name="report"),
    path("league/", views.league, name="league"),
    path("new/", views.submit, name="submit"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.mine_case, name="mine_case"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("work/", views.work, name="work"),
    path("work/<int:pk>/", views.work_item, name="work_item"),
]
