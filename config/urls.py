from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

# The admin is the platform administrator's tool; it speaks Russian like the rest.
admin.site.site_header = _("Кабинет: администрирование платформы")
admin.site.site_title = _("Кабинет")
admin.site.index_title = _("Данные платформы")

# One include per app; each app names its own URLs (the menu finds them by name:
# accounts, charges, readings, payments, requests, appeals, news, settings).
urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("office/", include("kabinet.office.urls")),
    path("", include("kabinet.users.urls")),
    path("", include("kabinet.accounts.urls")),
    path("", include("kabinet.meters.urls")),
    path("", include("kabinet.payments.urls")),
    path("", include("kabinet.helpdesk.urls")),
    path("", include("kabinet.news.urls")),
    path("", include("kabinet.front.urls")),
    path("", include("kabinet.api.urls")),
]
