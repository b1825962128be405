from django.contrib.auth.views import LogoutView
from django.urls import path

from kabinet.accounts.views import dashboard
from kabinet.front import views

urlpatterns = [
    path("", views.index, name="index"),
    path("healthz", views.healthz, name="healthz"),
    # «Главная» is the accounts dashboard.
    path("home/", dashboard, name="home"),
    # Django's LogoutView accepts only POST, so a link or an image cannot sign anyone out.
    path("logout/", LogoutView.as_view(next_page="index"), name="logout"),
]
