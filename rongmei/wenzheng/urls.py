app_name = "wenzheng"
urlpatterns = []
