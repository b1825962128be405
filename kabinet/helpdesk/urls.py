from django.urls import path

from kabinet.helpdesk import views

urlpatterns = [
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/comment/", views.request_comment, name="request_comment"),
    path("requests/<int:pk>/rate/", views.request_rate, name="request_rate"),
    path("appeals/", views.appeal_list, name="appeals"),
    path("appeals/new/", views.appeal_new, name="appeal_new"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/reply/", views.appeal_reply, name="appeal_reply"),
    path("appeals/<int:pk>/close/", views.appeal_close, name="appeal_close"),
    path("helpdesk/files/<int:pk>/", views.attachment, name="helpdesk_attachment"),
]
