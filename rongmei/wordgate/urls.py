app_name = "wordgate"
urlpatterns = []
