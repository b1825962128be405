from django.urls import path

from kabinet.meters import views

urlpatterns = [
    path("readings/", views.readings, name="readings"),
    path("readings/reminder/", views.readings_reminder, name="readings_reminder"),
    path("readings/<int:account_id>/", views.readings_account, name="readings_account"),
    path("readings/<int:account_id>/history/", views.readings_history, name="readings_history"),
]
