"""The WSGI application (gunicorn: config/gunicorn.conf.py, which preloads it).

Everything a first request would load lazily is loaded here, before gunicorn forks its workers:
the URL configuration (which imports every view, about 500 modules) and the translation
catalogues. A fresh or recycled worker then answers its first request as fast as its thousandth;
measured before: 0.85 s of CPU for the first signed-in request, several seconds on a loaded
machine, which the page bench saw as timeouts. Nothing here opens a database or cache connection,
so forked workers share none.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Кабинет")  # loads the catalogue


_warm_up()
