from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("contests/<int:pk>/", views.contest_view, name="contest"),
    path("contests/<int:pk>/register/", views.register_view, name="register"),
    path("contests/<int:pk>/submit/", views.submit_view, name="submit"),
    path("contests/<int:pk>/results/", views.results_view, name="results"),
    path("entries/<int:pk>/", views.entry_view, name="entry"),
    path("entries/<int:pk>/vote/", views.vote_view, name="vote"),
    path("quizzes/<int:pk>/", views.quiz_view, name="quiz"),
    path("quizzes/<int:pk>/start/", views.quiz_start_view, name="quiz-start"),
    path("attempts/<int:pk>/", views.attempt_view, name="attempt"),
    path("live-quizzes/<int:pk>/", views.live_quiz_view, name="live-quiz"),
    path("draws/<int:pk>/", views.draw_view, name="draw"),
    path("draws/<int:pk>/record.json", views.draw_record_view, name="draw-record"),
]
