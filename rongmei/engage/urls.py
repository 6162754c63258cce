app_name = "engage"
urlpatterns = []
