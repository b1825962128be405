from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, path

from kabinet.users import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/code/", views.login_otp, name="login_otp"),
    path("signup/", views.signup, name="signup"),
    path("signup/phone/", views.signup, {"channel": "phone"}, name="signup_phone"),
    path("signup/legal/", views.signup, {"channel": "legal"}, name="signup_legal"),
    path("signup/confirm/", views.signup_confirm, name="signup_confirm"),
    path("signup/resend/", views.signup_resend, name="signup_resend"),
    path("rules/", views.access_rules, name="access_rules"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="users/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="users/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("password/sms/", views.password_reset_sms, name="password_reset_sms"),
    path(
        "password/sms/confirm/",
        views.password_reset_sms_confirm,
        name="password_reset_sms_confirm",
    ),
    path("settings/", views.settings_page, name="settings"),
    path("settings/password/", views.password_change, name="password_change"),
    path("settings/email/", views.contact_change, {"contact": "email"}, name="email_change"),
    path(
        "settings/email/confirm/",
        views.contact_change_confirm,
        {"contact": "email"},
        name="email_change_confirm",
    ),
    path("settings/phone/", views.contact_change, {"contact": "phone"}, name="phone_change"),
    path(
        "settings/phone/confirm/",
        views.contact_change_confirm,
        {"contact": "phone"},
        name="phone_change_confirm",
    ),
    path("settings/two-factor/", views.two_factor, name="two_factor"),
    path("settings/delete/", views.cabinet_delete, name="cabinet_delete"),
]
