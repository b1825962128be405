from django.urls import URLPattern, URLResolver, path

from kabinet.accounts import views, views_charges

PERIOD = "<int:year>-<int:month>"

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/bind/", views.bind, name="account_bind"),
    path("accounts/find/", views.find, name="account_find"),
    path("accounts/invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("accounts/<int:account_id>/", views.account_card, name="account"),
    path("accounts/<int:account_id>/requisites/", views.requisites, name="account_requisites"),
    path("accounts/<int:account_id>/unbind/", views.unbind, name="account_unbind"),
    path(
        "accounts/<int:account_id>/epd-by-email/",
        views.epd_subscription,
        name="account_epd_subscription",
    ),
    path("accounts/<int:account_id>/share/", views.share, name="account_share"),
    path(
        "accounts/<int:account_id>/share/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "accounts/<int:account_id>/share/members/<int:link_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "accounts/<int:account_id>/share/holders/<int:link_id>/remove/",
        views.holder_remove,
        name="holder_remove",
    ),
    path("charges/", views_charges.charges, name="charges"),
    path("charges/<int:account_id>/", views_charges.charges, name="account_charges"),
    path(f"charges/<int:account_id>/{PERIOD}/epd.pdf", views_charges.epd, name="epd"),
    path(f"charges/<int:account_id>/{PERIOD}/epd/email/", views_charges.epd_email, name="epd_email"),
    path("charges/<int:account_id>/penalties/", views_charges.penalties, name="account_penalties"),
    path("reports/", views_charges.reports_index, name="reports"),
    path("reports/<int:account_id>/<slug:kind>/", views_charges.report, name="report"),
]
