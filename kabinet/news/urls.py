from django.urls import path

from kabinet.news import views

urlpatterns = [
    path("news/", views.news_list, name="news"),
    path("news/<int:pk>/", views.news_detail, name="news_detail"),
    path("faq/", views.faq, name="faq"),
    path("rating/", views.rating, name="rating"),
    path("typo/", views.typo, name="typo_report"),
]
