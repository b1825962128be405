from django.urls import URLPattern, URLResolver, path

from kabinet.payments import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("payments/", views.payments, name="payments"),
    path("payments/pay/", views.payment_pay, name="payment_pay"),
    path(
        "payments/accounts/<int:account_id>/",
        views.payment_account_history,
        name="payment_account_history",
    ),
    path("payments/policies/", views.policies, name="payment_policies"),
    path("payments/notify/<slug:provider>/", views.payment_notify, name="payment_notify"),
    path("payments/sandbox/<uuid:uid>/", views.sandbox_bank, name="payment_sandbox_bank"),
    path("payments/<uuid:uid>/", views.payment_detail, name="payment_detail"),
]
