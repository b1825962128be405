from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView

from kabinet.api import views, views_web


class PeriodConverter:
    """YYYY-MM, as SPEC 3.6 writes periods."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PeriodConverter, "period")

api = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", views_web.ApiDocsView.as_view(url_name="api_schema"), name="api_docs"),
    path("accounts/", views.AccountList.as_view(), name="api_accounts"),
    path("accounts/<int:account_id>/charges/", views.AccountCharges.as_view(), name="api_charges"),
    path(
        "accounts/<int:account_id>/documents/<period:period>.pdf",
        views.AccountDocument.as_view(),
        name="api_document",
    ),
    path("meters/", views.MeterList.as_view(), name="api_meters"),
    path("meters/<int:meter_id>/readings/", views.MeterReadings.as_view(), name="api_meter_readings"),
    path("readings/", views.ReadingCreate.as_view(), name="api_readings"),
    path("payments/", views.PaymentListCreate.as_view(), name="api_payments"),
    path("requests/", views.RequestListCreate.as_view(), name="api_requests"),
    path("requests/<int:request_id>/", views.RequestDetail.as_view(), name="api_request"),
    path("requests/<int:request_id>/cancel/", views.RequestCancel.as_view(), name="api_request_cancel"),
    path("request-types/", views.RequestTypeList.as_view(), name="api_request_types"),
    path("news/", views.NewsList.as_view(), name="api_news"),
    # Anything else under /api/v1/ is a JSON 404, not the site's HTML page.
    re_path(r"^[\s\S]*$", views.not_found),
]

urlpatterns = [
    path("api/v1/", include(api)),
    path("settings/api/", views_web.api_access, name="api_access"),
    path("settings/api/tokens/<int:token_id>/revoke/", views_web.token_revoke, name="api_token_revoke"),
    path("settings/api/calendar/<int:feed_id>/revoke/", views_web.calendar_revoke, name="api_calendar_revoke"),
    path("calendar/<str:secret>.ics", views_web.calendar_feed, name="api_calendar_feed"),
]
