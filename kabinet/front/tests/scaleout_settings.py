"""Settings of the servers and the worker that the scale-out test starts.

The production settings, plus what keeps one run apart from any other on the same Redis: a cache
key prefix and a Celery queue of its own (SCALEOUT_NAME), and the tests' fast password hasher.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CACHES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES["default"]["KEY_PREFIX"] = os.environ["SCALEOUT_NAME"]
CELERY_TASK_DEFAULT_QUEUE = os.environ["SCALEOUT_NAME"]
