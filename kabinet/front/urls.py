from django.urls import path

from kabinet.front import views

urlpatterns = [
    path("", views.index, name="index"),
]
