"""Sessions (settings.SESSION_ENGINE): Django's database sessions, except that a session signed
in without «Запомнить меня» ends with the browser (a cookie without an expiry) AND within a day
on the server, so a copied or browser-restored cookie is worthless the next day."""

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

# How long the server keeps a browser-close session after it was last saved.
SHORT_SESSION_AGE = 24 * 3600


class SessionStore(DatabaseSessionStore):
    def get_session_cookie_age(self) -> int:
        # set_expiry(0) is «ends with the browser»: Django would keep it SESSION_COOKIE_AGE.
        if self.get("_session_expiry") == 0:
            return min(SHORT_SESSION_AGE, settings.SESSION_COOKIE_AGE)
        return settings.SESSION_COOKIE_AGE
