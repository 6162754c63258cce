from django.urls import path

from . import views

app_name = "news"
urlpatterns = [
    path("feeds/rss.xml", views.StoryRss(), name="rss"),
    path("feeds/atom.xml", views.StoryAtom(), name="atom"),
    path("feeds/ninjs.json", views.ninjs_feed, name="ninjs"),
    path("search/", views.search_page, name="search"),
]
