app_name = "discussions"
urlpatterns = []
