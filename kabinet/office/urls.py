"""The office at /office/. Every view here is wrapped in `access.office_view`; the tests walk
this list, so a new page is checked for roles and for other organisations automatically."""

from django.urls import path

from kabinet.office import (
    views,
    views_billing,
    views_news,
    views_queues,
    views_residents,
    views_settings,
)

app_name = "office"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/notifications/", views.preferences, name="preferences"),
    path("billing/", views_billing.imports, name="imports"),
    path("billing/<int:pk>/", views_billing.import_detail, name="import_detail"),
    path("billing/<int:pk>/progress/", views_billing.import_progress, name="import_progress"),
    path("billing/periods/", views_billing.periods, name="periods"),
    path("billing/periods/<int:pk>/publish/", views_billing.period_publish_confirm, name="period_publish"),
    path("billing/exports/", views_billing.exports, name="exports"),
    path("billing/exports/readings/", views_billing.export_readings, name="export_readings"),
    path("billing/exports/payments/", views_billing.export_payments, name="export_payments"),
    path("requests/", views_queues.requests, name="requests"),
    path("requests/<int:pk>/", views_queues.request_detail, name="request_detail"),
    path("requests/<int:pk>/status/", views_queues.request_status, name="request_status"),
    path("requests/<int:pk>/comment/", views_queues.request_comment, name="request_comment"),
    path("appeals/", views_queues.appeals, name="appeals"),
    path("appeals/<int:pk>/", views_queues.appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/close/", views_queues.appeal_close, name="appeal_close"),
    path("news/", views_news.news_list, name="news"),
    path("news/new/", views_news.news_new, name="news_new"),
    path("news/<int:pk>/", views_news.news_edit, name="news_edit"),
    path("residents/", views_residents.residents, name="residents"),
    path("residents/<int:pk>/", views_residents.resident_account, name="resident_account"),
    path("residents/links/<int:pk>/remove/", views_residents.link_remove, name="link_remove"),
    path(
        "residents/invitations/<int:pk>/resend/",
        views_residents.invitation_resend,
        name="invitation_resend",
    ),
    path("staff/", views.staff, name="staff"),
    path("staff/<int:pk>/role/", views.staff_role, name="staff_role"),
    path("settings/", views_settings.settings_page, name="settings"),
    path("settings/request-types/", views_settings.request_types, name="request_types"),
    path("audit/", views.audit, name="audit"),
]
