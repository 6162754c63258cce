app_name = "outlets"
urlpatterns = []
