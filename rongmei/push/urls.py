app_name = "push"
urlpatterns = []
