"""Limits on failed sign-ins, counted in the shared store (kabinet/lib/ratelimit.py).

There is no CAPTCHA. The arithmetic question we had was solved by a four-line script, and a
real one needs either an outside service (none is reachable, and it would send our visitors'
addresses to a third party) or a proof-of-work widget whose script and worker must fit our CSP
and screen readers. Guessing a password is stopped by counting instead, which costs honest
people nothing until they fail many times:

- django-axes locks one login from one address after AXES_FAILURE_LIMIT failures (15 minutes);
- PER_LOGIN failures of one login from any number of addresses stop it for the window (a
  botnet spreading its guesses over addresses);
- PER_IP failures from one address over any logins stop that address (spraying one common
  password over many logins).

The person is told how long to wait and that password recovery works at once.
"""

from __future__ import annotations

from kabinet.lib import ratelimit
from kabinet.users.identity import normalize_email, normalize_phone

WINDOW = 3600
PER_LOGIN = 20
PER_IP = 30


def _login_key(login: str) -> str:
    """One counter per person, however they type the login (as django-axes counts)."""
    login = login.strip()
    if "@" in login:
        return normalize_email(login)
    return normalize_phone(login) or login


def wait(*, login: str, ip: str) -> int:
    """Seconds before the next sign-in attempt may be checked; 0 when it may go on now."""
    waits = [
        ratelimit.peek("signin-fail-login", _login_key(login), limit=PER_LOGIN, window=WINDOW),
        ratelimit.peek("signin-fail-ip", ip, limit=PER_IP, window=WINDOW),
    ]
    return max(decision.retry_after for decision in waits)


def failed(*, login: str, ip: str) -> None:
    ratelimit.hit("signin-fail-login", _login_key(login), limit=PER_LOGIN, window=WINDOW)
    ratelimit.hit("signin-fail-ip", ip, limit=PER_IP, window=WINDOW)
