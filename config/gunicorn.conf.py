"""Gunicorn settings for `make serve`; every value can be overridden from the environment.

Threaded workers (gthread): a page spends part of its time waiting on PostgreSQL and Redis, so a
couple of threads per process keep a core busy without the memory of more processes.
"""

import os

_cores = os.cpu_count() or 1

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "") or 2 * _cores)
threads = int(os.environ.get("GUNICORN_THREADS", "") or 2)
worker_class = "gthread"
# Load Django and every view once in the master (config/wsgi.py warms it up without opening a
# connection): a fresh or recycled worker is ready at once and shares those pages of memory.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "") or 60)
graceful_timeout = 30
keepalive = 5
# Recycle a worker now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "") or 5000)
max_requests_jitter = max_requests // 10
# One line per request comes from kabinet.front.middleware.RequestLogMiddleware (it knows the
# request id and leaves out the query string); gunicorn's own access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Behind nginx on the same host; the client IP comes from TRUSTED_PROXIES in the settings.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Several servers may run on one host (the scale-out test does): gunicorn's control socket has
# one fixed path per user, and nothing here uses it.
control_socket_disable = True
